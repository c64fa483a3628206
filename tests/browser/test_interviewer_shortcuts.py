"""The meeting web's keyboard shortcuts (web/static/js/live/shortcuts.js): Alt+Shift+N calls in
the next candidate, Alt+Shift+M and V switch the microphone and camera, Alt+Shift+E ends the
interview; announced on the buttons (aria-keyshortcuts) and listed on the page; never while
typing in a text field; a shortcut whose button is not on the screen says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import (
    checked_in,
    make_meeting_event,
    open_meeting,
)

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-call-layout")


async def status(page) -> str:
    await page.wait_for_function("document.querySelector('[data-shortcut-status]').textContent !== ''")
    return await page.text_content("[data-shortcut-status]")


@pytest.mark.parametrize("language", ["en", "sv"])
async def test_shortcuts_for_next_microphone_camera_and_end(new_page, db, base_url, language):
    SHOTS.mkdir(exist_ok=True)
    _event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates) as (candidate,):
        page = await open_meeting(
            await new_page(
                viewport={"width": 1280, "height": 800}, extra_http_headers={"Accept-Language": language}
            ),
            token,
        )
        await page.wait_for_selector("#queue li")
        assert await page.get_attribute("#next", "aria-keyshortcuts") == "Alt+Shift+N"
        assert await page.get_attribute("#end", "aria-keyshortcuts") == "Alt+Shift+E"
        assert await page.get_attribute("[data-call-mic]", "aria-keyshortcuts") == "Alt+Shift+M"
        # Listed on the page, in its language.
        await page.locator("#shortcuts-lobby summary").click()
        listed = await page.locator("#shortcuts-lobby dl").inner_text()
        assert "Alt + Shift + N" in listed
        assert ("Next candidate" if language == "en" else "Nästa kandidat") in listed
        # End asks once more: the list says the keys go twice.
        twice = {"en": "press twice: it asks once more", "sv": "tryck två gånger: du får en fråga först"}
        assert twice[language] in listed
        await assert_accessible(page)
        await page.screenshot(path=f"{SHOTS}/shortcuts-lobby-{language}.png", full_page=True)

        # Typing a message: the letters are the message's, nobody is called in.
        await page.locator("#message-text").focus()
        await page.keyboard.press("Alt+Shift+N")
        await page.wait_for_timeout(500)
        assert await page.locator("#own-offer").is_hidden()
        # Elsewhere: Next.
        await page.locator("#next").focus()
        await page.keyboard.press("Alt+Shift+N")
        await candidate.wait_for(lambda m: m["type"] == "offer")
        await page.wait_for_selector("#own-offer:not([hidden])")
        await candidate.request({"ticket"}, type="accept")
        await page.wait_for_selector("#interview:not([hidden])")
        await page.wait_for_function(
            "document.querySelector('[data-call-self]').videoWidth > 0", timeout=20000
        )

        # Next is not on the screen during the interview: said, nothing sent.
        await page.keyboard.press("Alt+Shift+N")
        assert (
            await status(page)
            == {
                "en": "The shortcut for “Next candidate” does nothing now: that button is not shown.",
                "sv": "Kortkommandot för ”Nästa kandidat” gör inget just nu: den knappen visas inte.",
            }[language]
        )
        await page.keyboard.press("Alt+Shift+M")
        await page.wait_for_function("document.querySelector('[data-call-mic]').classList.contains('off')")
        assert (
            await page.evaluate("""document.querySelector('[data-call-self]').srcObject
                                      .getAudioTracks()[0].enabled""")
            is False
        )
        assert await status(page) == {"en": "Microphone off", "sv": "Mikrofonen är av"}[language]
        await page.keyboard.press("Alt+Shift+V")
        await page.wait_for_selector("[data-call-self-off]:not([hidden])")
        await page.keyboard.press("Alt+Shift+V")
        await page.wait_for_selector("[data-call-self-off]", state="hidden")
        await page.keyboard.press("Alt+Shift+M")
        await page.wait_for_function("!document.querySelector('[data-call-mic]').classList.contains('off')")
        await page.locator("#shortcuts-interview summary").click()
        await assert_accessible(page)
        await page.screenshot(path=f"{SHOTS}/shortcuts-interview-{language}.png")
        # The other language: what a shortcut said is not read out again, translated (it
        # was old news, even from an earlier interview).
        assert await page.text_content("[data-shortcut-status]") != ""
        await page.get_by_role("link", name={"en": "Svenska", "sv": "English"}[language]).click()
        await page.wait_for_function(
            f"document.documentElement.lang === {'sv' if language == 'en' else 'en'!r}"
        )
        assert await page.text_content("[data-shortcut-status]") == ""

        # Writing notes: End does not fire; from a ticked question it does.
        await page.locator("#notes").focus()
        await page.keyboard.press("Alt+Shift+E")
        await page.wait_for_timeout(500)
        assert await page.locator("#interview").is_visible()
        await page.locator("#record input[name=question]").first.focus()
        await page.keyboard.press("Alt+Shift+E")
        # Asked once more: the same keys again answer yes.
        await page.wait_for_selector("#end-yes:not([hidden])")
        assert await page.get_attribute("#end-yes", "aria-keyshortcuts") == "Alt+Shift+E"
        assert await page.locator("#interview").is_visible()
        await page.keyboard.press("Alt+Shift+E")
        await page.wait_for_selector("#lobby:not([hidden])")
        await candidate.wait_for(
            lambda m: m["type"] == "state" and m["interview"] is None and m["feedback_open"]
        )
