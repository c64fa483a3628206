"""A candidate who does not join when called: back at the end of the queue the first time,
out of it the second, and their page says why, also after a reload (`queue.reason`)."""

from __future__ import annotations

import asyncio

import pytest

from app.live import interviews, queue
from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import checked_in
from tests.browser.test_candidate_live import interviewer_socket, offered, open_candidate, phase, tokens
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

BACK = (
    "You did not join in time, so you are back in the queue, at the end of it. "
    "If you miss your turn once more, you leave the queue."
)
# Alone in the queue, its end is its head: not "moved to the end" beside "You are next".
BACK_ALONE = (
    "You did not join in time. Nobody else is waiting, so you are still next in the queue. "
    "If you miss your turn once more, you leave the queue."
)
MISSED_BEFORE = "You have missed your turn once: if you miss it again, you leave the queue."
LAST_CHANCE = "You missed your turn once already: if you do not join in time now, you leave the queue."
OUT = (
    "You did not join in time when you were called, twice, so you are no longer in the queue. "
    "If you check in again, you join at the end of it."
)
OUT_SV = (
    "Du blev kallad två gånger men anslöt inte i tid, så du står inte längre i kön. "
    "Om du checkar in igen hamnar du sist i den."
)


async def run_out(db, event_id: int) -> None:
    """The offer's time runs out on the page's clock too (a state brings the page the new
    time), and the sweeper's step that expires it runs (the suite's own sweeper is off:
    tests drive it)."""
    await db.execute(
        "UPDATE interview SET offer_expires_at = now() + interval '1 second' "
        "WHERE event_id = $1 AND state = 'offered'",
        event_id,
    )
    await queue.notify(db, event_id, "queue")
    await asyncio.sleep(1.5)
    await interviews.expire_offers(db)


async def test_two_offers_missed_take_the_candidate_out_and_the_page_says_why(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, "en")
        await offered(page, interviewer, "en")
        await run_out(db, event.id)
        await phase(page, "waiting")
        await page.locator("[data-offer-note]", has_text=BACK_ALONE).wait_for()
        # Said again after a reload (or on another device): the server knows of the miss.
        await page.reload()
        await phase(page, "waiting")
        await page.locator("[data-offer-note]", has_text=MISSED_BEFORE).wait_for()

        assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await phase(page, "offer")
        # The call-in itself says that this is the last chance.
        await page.locator("[data-offer-last-chance]", has_text=LAST_CHANCE).wait_for()
        assert (
            await page.get_attribute("[data-phase=offer]", "aria-describedby")
            == "offer-text offer-last-chance"
        )
        await run_out(db, event.id)
        await phase(page, "left")
        await page.get_by_text(OUT).wait_for()
        assert await page.get_by_text(BACK_ALONE).count() == 0
        await assert_accessible(page)

        # Reloaded, the page still says why; in Swedish too.
        await page.reload()
        await phase(page, "left")
        await page.get_by_text(OUT).wait_for()
        await page.context.add_cookies([{"name": "lang", "value": "sv", "url": base_url}])
        await page.reload()
        await phase(page, "left")
        await page.get_by_text(OUT_SV).wait_for()

        # Checked in again: at the end of the queue, the reason gone with the leaving, and
        # the misses counted anew: a call-in now is not the last chance.
        await page.get_by_role("button", name="Checka in igen").click()
        await phase(page, "waiting")
        assert await page.get_by_text(OUT_SV).is_hidden()
        assert all([await note.is_hidden() for note in await page.locator("[data-offer-note]").all()])
        assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await phase(page, "offer")
        assert await page.locator("[data-offer-last-chance]").is_hidden()
        assert await page.get_attribute("[data-phase=offer]", "aria-describedby") == "offer-text"


async def test_a_candidate_who_leaves_as_they_are_called_in_is_not_told_it_was_withdrawn(
    new_page, base_url, db
):
    """Left the queue (on this page or another of theirs) as the call-in came, with its time
    still running: the page shows the queue left and nothing withdrawn, and the interviewer
    is told why the offer ended (`offer_ended`, the candidate left)."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, "en")
        await offered(page, interviewer, "en")
        offer = next(m for m in reversed(interviewer.messages) if m["type"] == "dispatched")
        await queue.leave(db, event.candidates[0])  # another page of theirs said Leave
        await phase(page, "left")
        ended = await interviewer.wait_for(lambda m: m["type"] == "offer_ended")
        assert ended == {"type": "offer_ended", "interview": offer["interview"], "reason": "left"}
        await asyncio.sleep(0.3)  # any note the page would add
        assert await page.get_by_text("The interviewer withdrew the call-in").count() == 0
        assert all([await note.is_hidden() for note in await page.locator("[data-offer-note]").all()])


async def test_a_miss_with_others_waiting_moves_the_candidate_to_the_end(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=2)
    [token, other], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, "en")
        await offered(page, interviewer, "en")
        async with checked_in(base_url, [other]):
            await run_out(db, event.id)
            await phase(page, "waiting")
            await page.locator("[data-offer-note]", has_text=BACK).wait_for()
            await page.get_by_text("You are number 2 in the queue.").wait_for()
