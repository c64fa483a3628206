"""The candidate's pages in the three engines: Chromium, Firefox (tests/browser/firefox.py)
and WebKit, Safari's engine (tests/browser/webkit.py). The same steps in each, every page
and state up to the call: the invite page and registering, the personal page behind the PIN,
the device check with the engine's fake camera and microphone, the waiting room over its
WebSocket with its position moving, the offer, the language switch; axe (WCAG 2.1 AA) on
each, and screenshots named by engine to compare side by side (SNABB_SHOTS).

Debian's WebKitGTK has no WebRTC, so WebKit cannot make the call: the device check, the
offer and the call view say so (the same words a candidate with any browser lacking WebRTC
gets). The call itself, in Chromium and Firefox: netns/test_firefox_and_chromium_event.py."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.browser.axe import AXE, assert_accessible
from tests.browser.interviewer_support import checked_in
from tests.browser.test_candidate_live import interviewer_socket, tokens
from tests.candidate_support import link_and_pin, make_event
from tests.integration.channel_support import CANDIDATE_PIN
from tests.integration.live_support import make_live_event
from tests.mails import unique_email, wait_for_mail

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1280, "height": 900}

UNSUPPORTED = {
    "sv": "Den här webbläsaren klarar inte videosamtal.",
    "en": "This browser cannot make video calls.",
}
_RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


ENGINES = {"chromium": "new_page", "firefox": "firefox_page", "webkit": "webkit_page"}


@pytest.fixture(params=list(ENGINES))
def engine_page(request):
    """`await engine_page(viewport=…)`: a new window of the engine under test."""
    make = request.getfixturevalue(ENGINES[request.param])
    make.engine = request.param
    return make


def engine_of(page) -> str:
    return getattr(page, "browser_name", "chromium")


async def shot(page, name: str) -> None:
    folder = os.environ.get("SNABB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        await page.screenshot(
            path=str(Path(folder) / f"engines-{name}-{engine_of(page)}.png"), full_page=True
        )


async def look(page, name: str) -> None:
    """axe's WCAG 2.1 AA rules, in each engine, and a screenshot."""
    if engine_of(page) == "chromium":
        await assert_accessible(page)
    else:
        await page.run_script(AXE.read_text())
        assert await page.evaluate(_RUN_AXE) == []
    await shot(page, name)


async def submit(page, selector: str) -> None:
    """Clicks a form's button and waits for the page it leads to."""
    if engine_of(page) == "webkit":
        await page.submit(selector)
        return
    await page.evaluate("window.__leaving = true")
    await page.click(selector)
    await page.wait_for_function("!window.__leaving && document.readyState === 'complete'")


async def text_of(page, selector: str) -> str:
    return await page.evaluate("(s) => document.querySelector(s).textContent.trim()", selector)


async def visible(page, selector: str) -> bool:
    return await page.evaluate(
        """(s) => { const e = document.querySelector(s);
        return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0; }""",
        selector,
    )


async def phase(page, name: str, timeout: float = 20000) -> None:
    await page.wait_for_function(f"document.body.dataset.livePhase === {name!r}", timeout=timeout)


async def open_window(engine_page, language: str, base_url: str):
    """A window in `language` (the cookie the language switch sets)."""
    cookie = {"name": "lang", "value": language, "url": base_url}
    if engine_page.engine == "firefox":
        return await engine_page(viewport=VIEWPORT, cookies=[cookie])
    page = await engine_page(viewport=VIEWPORT)
    if engine_page.engine == "chromium":
        await page.context.add_cookies([cookie])
    else:  # WebDriver sets cookies for the page shown
        await page.goto("/help")
        await page.add_cookie({"name": "lang", "value": language, "path": "/"})
    return page


async def test_register_and_open_the_personal_page(engine_page, db, settings, base_url):
    event = await make_event(db)
    page = await open_window(engine_page, "en", base_url)
    await page.goto(f"/r/{event['invite_token']}")
    await look(page, "invite-en-desktop")
    email = unique_email("webkit")
    await page.fill("#name", "Saga Safari")
    await page.fill("#email", email)
    await page.click("#consent")
    await submit(page, f"form[action='/r/{event['invite_token']}'] button[type=submit]")
    assert email in await text_of(page, "main")
    await look(page, "registered-en-desktop")

    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    link, pin = link_and_pin(mail)
    await page.goto(link)
    await look(page, "pin-en-desktop")
    await page.fill("#pin", pin)
    await submit(page, "form.pin-form button[type=submit]")
    await page.wait_for_function("!!document.querySelector('.needs-list')")
    assert "Chrome, Edge, Firefox or Safari" in await text_of(page, ".needs-list")
    await look(page, "personal-en-desktop")


def told_unsupported(message: dict) -> bool:
    """An interviewer's state whose own interview's candidate said their browser cannot
    make video calls."""
    interview = message.get("interview") if message["type"] == "state" else None
    return bool(interview) and (interview.get("other_devices") or {}).get("problem") == "unsupported"


async def test_up_to_the_call(engine_page, db, base_url):
    """Device check, check-in, the position moving, the offer, the language switch; in
    WebKit each says this browser cannot make the call, and so does Join."""
    event = await make_live_event(db, interviewers=1, candidates=2)
    [first, token], [interviewer_token] = await tokens(db, event)
    async with (
        interviewer_socket(base_url, interviewer_token) as interviewer,
        checked_in(base_url, [first]) as [first_candidate],
    ):
        page = await open_window(engine_page, "sv", base_url)
        webkit = engine_page.engine == "webkit"
        await page.goto(f"/c/{token}")
        await page.fill("#pin", CANDIDATE_PIN)
        await submit(page, "form.pin-form button[type=submit]")
        await page.wait_for_function("!!window.candidatePage")
        assert await page.evaluate("typeof RTCPeerConnection") == ("undefined" if webkit else "function")
        assert await visible(page, "[data-device-unsupported]") is webkit
        assert UNSUPPORTED["sv"] in await text_of(page, "[data-device-unsupported]")

        # The fake camera's picture and the fake microphone's level: in WebKit the device
        # check works as far as the browser can, and still says it cannot make the call.
        await page.click("[data-device-start]")
        await page.wait_for_function(
            "document.querySelector('[data-device-video]').videoWidth > 0", timeout=15000
        )
        assert (await text_of(page, "[data-device-camera-status]")).startswith("Kamera")
        await page.wait_for_function("document.querySelector('#mic-level').value > 0", timeout=15000)
        assert await visible(page, "[data-device-unsupported]") is webkit
        await look(page, "device-check-sv-desktop")

        # Second in the queue; the first is called: next in turn (over the page's socket).
        await page.click("[data-checkin]")
        await phase(page, "waiting")
        await page.wait_for_function(
            "document.querySelector('[data-phase=waiting]').textContent.includes('Du är nummer 2 i kön.')"
        )
        await look(page, "waiting-sv-desktop")
        assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await page.wait_for_function(
            "document.querySelector('[data-phase=waiting]').textContent.includes('Du är näst på tur i kön.')"
        )
        # The first joins (over its socket) and is interviewed; the interviewer ends it.
        assert (await first_candidate.request({"ticket"}, type="accept"))["type"] == "ticket"
        assert (await interviewer.request({"ok"}, type="end"))["type"] == "ok"

        # The offer says at once that this browser cannot make the call, and the page tells
        # the interviewer so (PROTOCOL.md, `devices`): not left waiting for them.
        mark = len(interviewer.messages)
        assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await phase(page, "offer")
        assert await text_of(page, "#offer-heading") == "Nu är det din tur!"
        assert await visible(page, "[data-phase=offer] [data-call-unsupported]") is webkit
        if webkit:
            told = await interviewer.wait_for(lambda m: told_unsupported(m), after=mark)
            assert told["interview"]["state"] == "offered"
            # Its socket dropped, the server forgot it (no page of theirs open): said again
            # once the page is back.
            dropped = len(interviewer.messages)
            await page.evaluate("window.candidatePage.channel.ws.close()")
            forgot = await interviewer.wait_for(
                lambda m: m["type"] == "state" and bool(m["interview"]) and not told_unsupported(m),
                after=dropped,
            )
            await interviewer.wait_for(told_unsupported, after=interviewer.messages.index(forgot) + 1)
        else:
            await asyncio.sleep(0.5)  # (what the page says at the offer has come by now)
            assert not any(told_unsupported(m) for m in interviewer.messages[mark:])
        await look(page, "offer-sv-desktop")

        # The language switch, on the offer: new texts, no reload, still the offer.
        await page.evaluate("window.notReloaded = true")
        await page.click(".language-switch a[hreflang=en]")
        await page.wait_for_function("document.documentElement.lang === 'en'")
        assert await page.evaluate("window.notReloaded") is True
        assert await text_of(page, "#offer-heading") == "It is your turn!"
        assert UNSUPPORTED["en"] in await text_of(page, "[data-phase=offer] [data-call-unsupported]")
        await look(page, "offer-en-desktop")

        if not webkit:
            return
        # Join: the call view says why there is no call.
        await page.click("[data-join]")
        await phase(page, "interview")
        assert await visible(page, "[data-phase=interview] [data-call-unsupported]")
        await page.wait_for_function("!document.querySelector('[data-rejoin]').hidden")
        # In the interview too, the interviewer is told why nobody comes.
        await interviewer.wait_for(
            lambda m: told_unsupported(m) and m["interview"]["state"] == "active", after=mark
        )
        await shot(page, "interview-en-desktop")
