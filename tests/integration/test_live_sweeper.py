"""The sweeper of a running application applies the clock by itself: offers expire,
interviews end at their limit, candidates whose grace ran out are away, rooms are destroyed."""

from __future__ import annotations

import asyncio
import uuid

from app.application import create_app
from app.keys import JANUS
from app.live import dispatch, interviews, queue, roomless
from app.live.connections import LIVE_PROCESS
from app.localstack.processes import free_port
from app.settings import load_settings
from tests.integration.live_support import age, assert_invariants, make_live_event, offer_with_room
from tests.serving import serving


async def until(db, sql: str, *args, expected, timeout: float = 10):
    deadline = asyncio.get_running_loop().time() + timeout
    while (value := await db.fetchval(sql, *args)) != expected:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{sql} stayed {value!r}, expected {expected!r}")
        await asyncio.sleep(0.1)


async def test_a_running_app_sweeps_offers_interviews_and_grace(stack, db, pool):
    settings = load_settings(
        dict(stack.environ, SNABB_APP_PORT=str(free_port()), SNABB_LIVE_SWEEP_INTERVAL="0.2")
    )
    live = settings.live
    event = await make_live_event(db, interviewers=2, candidates=3)
    first, second, third = event.candidates
    for candidate in event.candidates:
        await queue.check_in(db, candidate, live)
    app = create_app(settings)
    async with serving(app, settings.app.port):
        # An offer nobody answers: missed, and the candidate back in the queue.
        offer = await dispatch.dispatch(pool, event.interviewers[0], live)
        assert offer.candidate_id == first
        await offer_with_room(db, offer, live)
        await age(db, "interview", "offer_expires_at", live.offer_seconds + 1, "id = $2", offer.interview_id)
        await until(db, "SELECT state FROM interview WHERE id = $1", offer.interview_id, expected="missed")
        await until(db, "SELECT state FROM queue_entry WHERE candidate_id = $1", first, expected="waiting")

        # An interview in a real room, at its limit: ended, the room destroyed.
        await app[JANUS].connections["janus1"].wait_ready(10)
        dispatched = await dispatch.next_candidate(pool, app[JANUS], settings, event.interviewers[1])
        assert dispatched.offer.candidate_id == second
        await interviews.accept_offer(db, dispatched.offer.interview_id, second)
        room = await db.fetchval("SELECT room_id FROM interview WHERE id = $1", dispatched.offer.interview_id)
        await age(db, "interview", "ends_at", 3600, "id = $2", dispatched.offer.interview_id)
        await until(
            db, "SELECT state FROM interview WHERE id = $1", dispatched.offer.interview_id, expected="ended"
        )
        connection = app[JANUS].connections["janus1"]
        for _ in range(50):
            if not (await connection.request({"request": "exists", "room": room}))["exists"]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the ended interview's room was not destroyed")

        # A dropped connection past the grace period: away.
        await queue.disconnected(db, third)
        await age(db, "queue_entry", "disconnected_at", live.grace_seconds + 1, "candidate_id = $2", third)
        await until(db, "SELECT state FROM queue_entry WHERE candidate_id = $1", third, expected="away")


async def test_a_room_its_living_maker_lost_is_made_by_a_sweep(app_server, settings, db, pool):
    """A dispatch whose result never came back to its process (a command timeout at the
    commit) leaves an offer whose maker lives on but will never make the room: a sweep makes
    it within seconds, not when the offer expires. An offer being made is left to its maker."""
    live = settings.live
    me, other = app_server[LIVE_PROCESS], uuid.uuid4()
    await db.execute("INSERT INTO live_process (id) VALUES ($1)", other)  # a living process
    event = await make_live_event(db, interviewers=3, candidates=3)
    for candidate in event.candidates:
        await queue.check_in(db, candidate, live)
    lost = await dispatch.dispatch(pool, event.interviewers[0], live, maker=me)
    being_made = await dispatch.dispatch(pool, event.interviewers[1], live, maker=me)
    dispatch.room_coming(being_made.interview_id)
    others = await dispatch.dispatch(pool, event.interviewers[2], live, maker=other)

    async def recover() -> int:
        return await roomless.recover_roomless_offers(pool, app_server[JANUS], settings, me)

    try:
        assert await recover() == 0  # all just made: their makers may be at it
        ids = [lost.interview_id, being_made.interview_id]
        await age(db, "interview", "offered_at", roomless.LOST_OWN_SECONDS + 1, "id = ANY($2)", ids)
        assert await recover() == 1  # this process's own, not being made here
        overdue = settings.janus.call_timeout + roomless.LOST_MARGIN_SECONDS + 1
        await age(db, "interview", "offered_at", overdue, "id = $2", others.interview_id)
        assert await recover() == 1  # the living other's, overdue past Janus's timeout
        rooms = await db.fetch(
            "SELECT id, state, room_id, room_maker FROM interview WHERE event_id = $1 ORDER BY id", event.id
        )
        made = {row["id"]: row for row in rooms}
        for offer in (lost, others):
            assert made[offer.interview_id]["state"] == "offered"
            assert made[offer.interview_id]["room_id"] is not None
            assert made[offer.interview_id]["room_maker"] == me
        assert made[being_made.interview_id]["room_id"] is None  # left to its maker
        await assert_invariants(db, event.id)

        # The slow maker finishes after all: its room is destroyed, and its interviewer is
        # handed the room the sweep made (not told the offer is gone).
        late = await dispatch.open_room(pool, app_server[JANUS], settings, others)
        assert late.room.room_id == made[others.interview_id]["room_id"]
        assert late.interviewer_ticket
        assert await db.fetchval("SELECT room_id FROM interview WHERE id = $1", others.interview_id) == (
            late.room.room_id
        )
        await assert_invariants(db, event.id)
    finally:
        dispatch._MAKING.pop(being_made.interview_id).set()
        await db.execute("DELETE FROM live_process WHERE id = $1", other)
        for offer in (lost, being_made, others):
            room = await interviews.withdraw_offer(db, offer.interviewer_id)
            if room is not None:
                await dispatch.close_room(app_server[JANUS], room.server, room.room_id, room.secret)
