"""A candidate's page opened before check-in opens shows Check in when the wall clock says
so (web/static/js/live/candidate-day-clock.js, atTheWallClock), also when its timers did not run
meanwhile (a laptop asleep, a tab in the background): the page looks again when it shows."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.browser.test_candidate_live import TEXTS, open_candidate, tokens

from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

OPENS_IN_SECONDS = 4


async def test_check_in_shows_when_the_page_is_back_after_its_timers_stood_still(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1, state="published")
    # Check-in opens checkin_opens_minutes (30) before the start: in a few seconds from now.
    await db.execute(
        "UPDATE event SET starts_at = now() + make_interval(mins => 30, secs => $2) WHERE id = $1",
        event.id,
        OPENS_IN_SECONDS,
    )
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    assert await page.is_visible("[data-checkin-closed]")
    assert await page.get_by_role("heading", name="On the day").is_visible()
    # The page's timers stand still from here (a laptop put to sleep).
    await page.clock.install()
    await page.clock.pause_at(dt.datetime.now(dt.timezone.utc))
    await asyncio.sleep(OPENS_IN_SECONDS + 1)
    assert await page.is_visible("[data-checkin-closed]")
    # Woken: the clock is right again, no timer has run; the page shows again.
    await page.clock.set_system_time(dt.datetime.now(dt.timezone.utc))
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    # Shown by that look alone, before any timer of the page runs again.
    await page.locator("[data-checkin-ready]:not([hidden])").wait_for()
    await page.clock.resume()
    await page.get_by_role("button", name=TEXTS["en"]["checkin"]).wait_for()
    assert await page.is_hidden("[data-checkin-closed]")
    assert await page.get_by_role("heading", name="On the day").is_hidden()
