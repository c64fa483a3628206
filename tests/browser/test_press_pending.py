"""A press of the meeting web that gets no answer at once says so (web/static/js/live/
pending-press.js): *Extend* held up by a lock another connection holds shows "Sending…"
after a moment, then that the service is slow (said once in the page's status region), and
the sign goes as soon as the reply comes: the extension granted when the lock goes, or, held
past the server's bound (app/live/action_bound.py), refused with "Not done", the interview
unchanged. In English and Swedish, axe clean while the sign shows."""

from __future__ import annotations

import asyncio

import pytest

from app.live import action_bound
from tests.browser.interviewer_support import first_in_interview, look, shot
from tests.integration.live_support import until_a_statement_waits_for_a_lock

pytestmark = pytest.mark.browser

SLOW = {
    "en": "The service is slow to answer. This will either go through, or you will be told that it was not done.",
    "sv": "Tjänsten svarar långsamt. Antingen går det igenom, eller så får du veta att det inte blev gjort.",
}
SENDING = {"en": "Sending…", "sv": "Skickar …"}
NOT_DONE = {
    "en": "Not done: the service did not answer. Try again in a moment.",
    "sv": "Inte gjort: tjänsten svarade inte. Försök igen om en liten stund.",
}


async def _settled_in(page, language: str) -> None:
    """The page in `language`, its own messages of the join (devices, call_here) answered:
    they wait for a lock on the interview too, and Extend would queue behind them."""
    if language == "sv":
        await page.get_by_role("link", name="Svenska").click()
        await page.wait_for_selector("html[lang=sv]")
    await page.wait_for_timeout(1000)


@pytest.mark.parametrize("language", ["en", "sv"])
async def test_a_slow_extend_shows_its_sign_until_the_reply_comes(
    new_page, db, base_url, language, monkeypatch
):
    # The server's bound moved out of the way (below database.command_timeout, 10 s): the
    # reply comes when the test lets go of the lock.
    monkeypatch.setattr(action_bound, "ACTION_SECONDS", 9.0)
    async with first_in_interview(new_page, db, base_url) as (_event, page, _recorders, interview):
        await _settled_in(page, language)
        extend, sign = page.locator("#extend"), page.locator("[data-press-pending]")
        async with db.transaction():
            await db.execute("SELECT 1 FROM interview WHERE id = $1 FOR UPDATE", interview)
            pressed = asyncio.get_running_loop().time()
            await extend.click()
            await until_a_statement_waits_for_a_lock(db, "extended_minutes", "the press of Extend")
            # Nothing for a quick answer: no sign within the first moment.
            assert await sign.count() == 0
            await sign.wait_for()
            assert asyncio.get_running_loop().time() - pressed >= 0.9
            assert await extend.get_attribute("aria-busy") == "true"
            assert await extend.get_attribute("aria-disabled") == "true"
            assert await sign.inner_text() == SENDING[language]
            # A second press meanwhile sends nothing (one Extend, below). (Dispatched: a
            # click of Playwright's waits for a control marked aria-disabled to be enabled.)
            await extend.dispatch_event("click")
            await page.wait_for_function(
                f"document.querySelector('[data-shortcut-status]').textContent === {SLOW[language]!r}"
            )
            assert await sign.inner_text() == SLOW[language]
            await look(page, f"press-pending-slow-{language}-desktop")
        # The lock let go: the extension goes through, and the sign goes with its reply.
        await sign.wait_for(state="detached")
        assert await extend.get_attribute("aria-busy") is None
        assert await extend.get_attribute("aria-disabled") is None
        assert await page.locator("[data-shortcut-status]").inner_text() == ""
        await page.wait_for_timeout(300)
        extended = await db.fetchval("SELECT extended_minutes FROM interview WHERE id = $1", interview)
        assert extended == 2  # once: the second press was not sent


@pytest.mark.parametrize("language", ["en", "sv"])
async def test_an_extend_held_past_the_bound_is_refused_and_the_sign_goes(new_page, db, base_url, language):
    async with first_in_interview(new_page, db, base_url) as (_event, page, _recorders, interview):
        await _settled_in(page, language)
        await page.set_viewport_size({"width": 390, "height": 844})
        extend, sign = page.locator("#extend"), page.locator("[data-press-pending]")
        async with db.transaction():
            await db.execute("SELECT 1 FROM interview WHERE id = $1 FOR UPDATE", interview)
            await extend.click()
            await sign.wait_for()
            await shot(page, f"press-pending-{language}-phone")
            await page.wait_for_function(
                f"document.querySelector('#problem').textContent === {NOT_DONE[language]!r}",
                timeout=(action_bound.ACTION_SECONDS + 3) * 1000,
            )
            assert await sign.count() == 0
            assert await extend.get_attribute("aria-busy") is None
            await look(page, f"press-refused-{language}-phone")
        assert await db.fetchval("SELECT extended_minutes FROM interview WHERE id = $1", interview) == 0
        # Pressed again with the database answering: granted.
        await extend.click()
        await page.wait_for_function("document.querySelector('#problem').textContent === ''")

        async def extended():
            return await db.fetchval("SELECT extended_minutes FROM interview WHERE id = $1", interview)

        for _ in range(50):
            if await extended() == 2:
                break
            await asyncio.sleep(0.1)
        assert await extended() == 2
