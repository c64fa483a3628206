"""A call under way goes on while the service's database is away: the media never passes
through it (docs/architecture.md), so the two real pages of an interview keep decoding each
other's video through an outage, each says it is reconnecting to the service, and once the
database is back the interview ends as ever. A PostgreSQL of its own is stopped under a real
app process, in real browsers: the suite's own database is shared by every test."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import asyncpg
import pytest

from app.migrate import migrate_url
from scripts.bench.common import AppProcess
from tests.browser.test_janus_failover import CANDIDATE_VIDEO, INTERVIEWER_VIDEO, People, call_under_way
from tests.browser.test_service_down import SAID
from tests.own_postgres import throwaway_postgres

pytestmark = pytest.mark.browser

FRAMES = """(selector) => {
  const video = document.querySelector(selector);
  return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
}"""
OUTAGE_SECONDS = 8


async def frames(page, selector: str) -> int:
    return await page.evaluate(FRAMES, selector)


async def test_a_call_goes_on_while_the_database_is_away(browser, stack, csp_watch):
    with throwaway_postgres("snabb-call-outage-") as (postgres, state_dir):
        await asyncio.to_thread(postgres.start)
        try:
            await migrate_url(postgres.url)
            app = AppProcess({**stack.environ, "DATABASE_URL": postgres.url}, log_path=state_dir / "app.log")
            await app.start(60)
            async with AsyncExitStack() as contexts:
                contexts.push_async_callback(app.stop)
                db = await asyncpg.connect(postgres.url)
                try:
                    event, interviewer, candidate = await call_under_way(
                        People(browser, csp_watch, app.url, contexts), db
                    )
                finally:
                    await db.close()
                await outage_and_back(postgres, interviewer, candidate)
                # The interview is still the one under way, and ends as ever.
                assert await interviewer.locator("#interview").is_visible()
                await interviewer.locator("#end").click()
                await interviewer.locator("#end-yes").click()
                await interviewer.wait_for_selector("#lobby:not([hidden])")
                await candidate.wait_for_function(
                    "document.body.dataset.livePhase === 'feedback'", timeout=15000
                )
                db = await asyncpg.connect(postgres.url)
                try:
                    row = await db.fetchrow(
                        "SELECT state, started_at FROM interview WHERE event_id = $1", event.id
                    )
                finally:
                    await db.close()
                assert row["state"] == "ended" and row["started_at"] is not None
        finally:
            await asyncio.to_thread(postgres.stop)


async def outage_and_back(postgres, interviewer, candidate) -> None:
    """PostgreSQL stopped for OUTAGE_SECONDS: both pages say the service is away (once the
    listener's try to listen again has failed too) and go on decoding each other's video; then
    started again, and both pages say nothing more."""
    await asyncio.to_thread(postgres.stop)
    before = [await frames(interviewer, INTERVIEWER_VIDEO), await frames(candidate, CANDIDATE_VIDEO)]
    await interviewer.wait_for_function(
        "(text) => document.querySelector('#connection').textContent === text",
        arg=SAID["staff"]["en"],
        timeout=15000,
    )
    await candidate.wait_for_function(
        "(text) => document.querySelector('[data-live-connection]').textContent.startsWith(text)",
        arg="Återansluter till tjänsten",
        timeout=15000,
    )
    await asyncio.sleep(OUTAGE_SECONDS)
    after = [await frames(interviewer, INTERVIEWER_VIDEO), await frames(candidate, CANDIDATE_VIDEO)]
    # The fake camera sends some 20 to 30 frames a second: seconds of video on both sides.
    assert after[0] - before[0] > 3 * 10, (before, after)
    assert after[1] - before[1] > 3 * 10, (before, after)
    assert await interviewer.locator("#interview").is_visible()
    assert await candidate.evaluate("document.body.dataset.livePhase") == "interview"
    await asyncio.to_thread(postgres.start)
    await interviewer.wait_for_function(
        "document.querySelector('#connection').textContent === 'Connected.'", timeout=30000
    )
    await candidate.wait_for_function(
        "document.querySelector('[data-live-connection]').textContent === ''", timeout=30000
    )
