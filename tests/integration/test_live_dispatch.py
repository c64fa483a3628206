"""The dispatcher and the interview's life: one at a time, fairness, misses, the time box,
and the real Janus room."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from app.janus.pool import JanusPool
from app.janus.rooms import room_exists
from app.keys import JANUS
from app.live import call_tickets, dispatch, interviews, queue
from app.live.event_view import read_event_view
from app.live.snapshots import lobby_of
from app.live.errors import LiveError
from app.settings import load_settings
from app.tickets import read_ticket
from tests.integration.live_support import age, assert_invariants, make_live_event, offer_with_room


async def checked_in(db, settings, event):
    for candidate_id in event.candidates:
        await queue.check_in(db, candidate_id, settings.live)


async def test_next_takes_the_longest_waiting_and_pick_any_waiting(db, pool, settings):
    """Queue fairness."""
    live = settings.live
    event = await make_live_event(db, interviewers=3, candidates=4)
    await checked_in(db, settings, event)
    c = event.candidates
    first = await dispatch.dispatch(pool, event.interviewers[0], live)
    assert first.candidate_id == c[0]
    picked = await dispatch.dispatch(pool, event.interviewers[1], live, candidate_id=c[3])
    assert picked.candidate_id == c[3]
    third = await dispatch.dispatch(pool, event.interviewers[2], live)
    assert third.candidate_id == c[1]
    chosen = await db.fetch("SELECT chosen_by FROM interview WHERE event_id = $1 ORDER BY id", event.id)
    assert [r["chosen_by"] for r in chosen] == ["next", "pick", "next"]
    await assert_invariants(db, event.id)


async def test_one_live_interview_per_interviewer_and_candidate(db, pool, settings):
    """One interview at a time, by the code and, underneath, by the database."""
    live = settings.live
    event = await make_live_event(db, interviewers=2, candidates=3)
    await checked_in(db, settings, event)
    offer = await dispatch.dispatch(pool, event.interviewers[0], live)
    with pytest.raises(LiveError, match="interviewer_busy"):
        await dispatch.dispatch(pool, event.interviewers[0], live)
    with pytest.raises(LiveError, match="candidate_not_waiting"):
        await dispatch.dispatch(pool, event.interviewers[1], live, candidate_id=offer.candidate_id)
    for candidate, interviewer in (
        (offer.candidate_id, event.interviewers[1]),
        (event.candidates[2], event.interviewers[0]),
    ):
        with pytest.raises(asyncpg.UniqueViolationError):
            await db.execute(
                """
                INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by,
                                       offer_expires_at)
                VALUES ($1, $2, $3, 'pick', now())""",
                event.id,
                candidate,
                interviewer,
            )
    await assert_invariants(db, event.id)


async def test_a_missed_offer_goes_back_once_then_out(db, pool, settings):
    """A missed offer: back at the end of the queue the first time, out of it the second."""
    live = settings.live
    event = await make_live_event(db, interviewers=1, candidates=3)
    await checked_in(db, settings, event)
    a, b, c = event.candidates
    me = event.interviewers[0]

    async def offer_and_miss(expected):
        offer = await dispatch.dispatch(pool, me, live)
        assert offer.candidate_id == expected
        await offer_with_room(db, offer, live)
        await age(db, "interview", "offer_expires_at", live.offer_seconds + 1, "id = $2", offer.interview_id)
        await interviews.expire_offers(db)  # (it sweeps every event)
        assert await db.fetchval("SELECT state FROM interview WHERE id = $1", offer.interview_id) == "missed"
        with pytest.raises(LiveError, match="offer_gone"):
            await interviews.accept_offer(db, offer.interview_id, expected)

    await offer_and_miss(a)
    entry = await queue.entry(db, a)
    assert (entry["state"], entry["missed_count"]) == ("waiting", 1)
    order = [w.candidate_id for w in await queue.waiting_positions(db, event.id, live)]
    assert order == [b, c, a]
    await offer_and_miss(b)
    await offer_and_miss(c)
    await offer_and_miss(a)  # a's second miss
    entry = await queue.entry(db, a)
    assert (entry["state"], entry["left_reason"], entry["missed_count"]) == ("left", "missed", 2)
    order = [w.candidate_id for w in await queue.waiting_positions(db, event.id, live)]
    assert order == [b, c]
    await assert_invariants(db, event.id)


async def test_a_missed_turn_moves_to_the_end_without_starting_the_wait_again(db, pool, settings):
    """The interviewers' lobby (and the organizer's live view) shows how long each has
    waited: a missed turn puts the candidate at the end, but they have waited as long as
    they had; leaving the queue and coming back starts a new wait."""
    live = settings.live
    event = await make_live_event(db, interviewers=1, candidates=2)
    await checked_in(db, settings, event)
    a, b = event.candidates
    for column in ("queued_at", "waiting_since"):
        await age(db, "queue_entry", column, 30 * 60, "event_id = $2", event.id)

    async def lobby() -> dict[int, tuple[int, int]]:
        view = await read_event_view(db, event.id, settings)
        return {e["candidate"]: (e["position"], e["waited_seconds"]) for e in lobby_of(view)["queue"]}

    offer = await dispatch.dispatch(pool, event.interviewers[0], live)
    assert offer.candidate_id == a
    await offer_with_room(db, offer, live)
    await age(db, "interview", "offer_expires_at", live.offer_seconds + 1, "id = $2", offer.interview_id)
    await interviews.expire_offers(db)
    shown = await lobby()
    assert [shown[b][0], shown[a][0]] == [1, 2]  # at the end
    assert shown[a][1] >= 30 * 60  # and still waited half an hour, not a few seconds

    assert await queue.leave(db, a)
    await queue.check_in(db, a, live)
    assert 0 <= (await lobby())[a][1] < 60  # back after leaving: a new wait


async def test_an_offer_without_a_room_fails_without_a_miss(db, pool, settings):
    """The process died between the dispatch and the room: not the candidate's fault."""
    live = settings.live
    event = await make_live_event(db, interviewers=1, candidates=2)
    await checked_in(db, settings, event)
    offer = await dispatch.dispatch(pool, event.interviewers[0], live)
    await age(db, "interview", "offer_expires_at", live.offer_seconds + 1, "id = $2", offer.interview_id)
    await interviews.expire_offers(db)
    assert await db.fetchval("SELECT state FROM interview WHERE id = $1", offer.interview_id) == "failed"
    entry = await queue.entry(db, offer.candidate_id)
    assert (entry["state"], entry["missed_count"]) == ("waiting", 0)
    assert [
        w.candidate_id for w in await queue.waiting_positions(db, event.id, live)
    ] == event.candidates  # same place


async def test_accept_time_box_extend_and_end(db, pool, settings):
    """The time box: the server's end time, extensions, ending by itself at the limit."""
    live = settings.live
    event = await make_live_event(db, interviewers=1, candidates=2, interview_minutes=10)
    await checked_in(db, settings, event)
    me = event.interviewers[0]
    offer = await dispatch.dispatch(pool, me, live)
    with pytest.raises(LiveError, match="offer_gone"):  # no room yet: nothing to join
        await interviews.accept_offer(db, offer.interview_id, offer.candidate_id)
    await offer_with_room(db, offer, live)
    started = await interviews.accept_offer(db, offer.interview_id, offer.candidate_id)
    assert (started["ends_at"] - started["started_at"]).total_seconds() == 600
    assert (await queue.entry(db, offer.candidate_id))["state"] == "interviewing"
    extended = await interviews.extend_interview(db, offer.interview_id, me, live)
    assert extended["extended_minutes"] == live.extend_minutes
    assert (extended["ends_at"] - started["ends_at"]).total_seconds() == live.extend_minutes * 60
    with pytest.raises(LiveError, match="not_active"):
        await interviews.extend_interview(db, offer.interview_id, me + 10_000, live)

    await interviews.end_due_interviews(db)  # (it sweeps every event)
    assert await db.fetchval("SELECT state FROM interview WHERE id = $1", offer.interview_id) == "active"
    await age(db, "interview", "ends_at", 3600, "id = $2", offer.interview_id)
    closed = await interviews.end_due_interviews(db)
    room_id = await db.fetchval("SELECT room_id FROM interview WHERE id = $1", offer.interview_id)
    assert room_id in [room.room_id for room in closed]
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", offer.interview_id)
    assert (row["state"], row["end_reason"]) == ("ended", "time")
    assert (await queue.entry(db, offer.candidate_id))["state"] == "done"
    with pytest.raises(LiveError, match="already_interviewed"):
        await queue.check_in(db, offer.candidate_id, live)
    assert await interviews.end_interview(db, offer.interview_id, "interviewer") is None
    nxt = await dispatch.dispatch(pool, me, live)  # the interviewer is free again
    assert nxt.candidate_id == event.candidates[1]
    await assert_invariants(db, event.id)


async def test_a_late_sweep_ends_an_interview_at_its_time_box_not_later(db, pool, settings):
    """No process ran for two hours (a restart, a database outage): the interview due to end
    long ago is ended by the first sweep after, but it ended at its end, and the summary
    says it lasted its ten minutes, not the outage's two hours."""
    live = settings.live
    event = await make_live_event(db, interviewers=1, candidates=1, interview_minutes=10)
    await checked_in(db, settings, event)
    offer = await dispatch.dispatch(pool, event.interviewers[0], live)
    await offer_with_room(db, offer, live)
    await interviews.accept_offer(db, offer.interview_id, offer.candidate_id)
    for column in ("started_at", "ends_at"):
        await age(db, "interview", column, 2 * 3600, "id = $2", offer.interview_id)
    await interviews.end_due_interviews(db)
    row = await db.fetchrow(
        "SELECT state, end_reason, ended_at - started_at AS length, ended_at = ends_at AS at_its_end "
        "FROM interview WHERE id = $1",
        offer.interview_id,
    )
    assert (row["state"], row["end_reason"], row["at_its_end"]) == ("ended", "time", True)
    assert row["length"].total_seconds() == 600
    # Ended by a person, it ends when they end it.
    other = await make_live_event(db, interviewers=1, candidates=1, interview_minutes=10)
    await checked_in(db, settings, other)
    offer = await dispatch.dispatch(pool, other.interviewers[0], live)
    await offer_with_room(db, offer, live)
    await interviews.accept_offer(db, offer.interview_id, offer.candidate_id)
    await interviews.end_interview(db, offer.interview_id, "interviewer")
    assert await db.fetchval(
        "SELECT ended_at > now() - interval '1 minute' FROM interview WHERE id = $1", offer.interview_id
    )


async def test_dispatch_notifies_the_event_channel(db, pool, settings):
    live = settings.live
    event = await make_live_event(db, interviewers=1, candidates=1)
    await checked_in(db, settings, event)
    heard = []

    def listener(_connection, _pid, _channel, payload):
        heard.append(json.loads(payload))

    await db.add_listener(queue.channel(event.id), listener)
    try:
        offer = await dispatch.dispatch(pool, event.interviewers[0], live)
        async with pool.acquire() as connection:
            await offer_with_room(connection, offer, live)
        for _ in range(100):  # notifications arrive on their own; wait up to a second
            if len(heard) >= 2:
                break
            await asyncio.sleep(0.01)
        kinds = [m["kind"] for m in heard]
        assert "queue" in kinds and "offer" in kinds
        offered = next(m for m in heard if m["kind"] == "offer")
        expires = await db.fetchval(
            "SELECT offer_expires_at FROM interview WHERE id = $1", offer.interview_id
        )
        assert offered == {
            "kind": "offer",
            "event": event.id,
            "interview": offer.interview_id,
            "candidate": offer.candidate_id,
            "interviewer": event.interviewers[0],
            "expires_at": expires.isoformat(),
        }
    finally:
        await db.remove_listener(queue.channel(event.id), listener)


async def test_next_makes_a_private_room_with_tickets_and_end_destroys_it(db, pool, settings, app_server):
    rooms = app_server[JANUS]
    event = await make_live_event(db, interviewers=1, candidates=1)
    await checked_in(db, settings, event)
    got = await dispatch.next_candidate(pool, rooms, settings, event.interviewers[0])
    connection = rooms.connection(got.room.server)
    assert await room_exists(connection, got.room.room_id)
    candidate, interviewer = (
        read_ticket(settings, got.candidate_ticket),
        read_ticket(settings, got.interviewer_ticket),
    )
    assert (candidate.role, interviewer.role) == ("candidate", "interviewer")
    assert candidate.room == interviewer.room == got.room.room_id
    assert candidate.room_token != interviewer.room_token
    assert candidate.display == "Kandidat 0"

    await interviews.accept_offer(db, got.offer.interview_id, got.offer.candidate_id)
    # A participant who reconnects (in any process) gets new tickets for the same room.
    again = await call_tickets.reissue_tickets(db, settings, got.offer.interview_id)
    rejoin = read_ticket(settings, again[0])
    assert (rejoin.room, rejoin.room_token, rejoin.pin) == (
        candidate.room,
        candidate.room_token,
        candidate.pin,
    )
    assert read_ticket(settings, again[1]).display == "Intervjuare 0"
    room = await interviews.end_interview(db, got.offer.interview_id, "interviewer")
    await dispatch.close_room(rooms, room.server, room.room_id, room.secret)
    assert not await room_exists(connection, got.room.room_id)
    assert await call_tickets.reissue_tickets(db, settings, got.offer.interview_id) is None
    assert await dispatch.next_candidate(pool, rooms, settings, event.interviewers[0]) is None


async def test_no_janus_means_no_room_and_nobody_loses_their_place(db, pool, stack):
    """A real pool whose only server is not there: the dispatch is undone, no miss."""
    environ = dict(
        stack.environ,
        SNABB_JANUS_SERVERS=json.dumps(
            [
                {
                    "name": "gone",
                    "url": "ws://127.0.0.1:9",
                    "public_url": "ws://127.0.0.1:9",
                    "admin_url": "ws://127.0.0.1:9",
                }
            ]
        ),
    )
    settings = load_settings(environ)
    rooms = JanusPool(settings.janus)  # never started: no server is healthy
    event = await make_live_event(db, interviewers=1, candidates=2)
    await checked_in(db, settings, event)
    with pytest.raises(LiveError, match="room_unavailable"):
        await dispatch.next_candidate(pool, rooms, settings, event.interviewers[0])
    states = await db.fetch("SELECT state, end_reason FROM interview WHERE event_id = $1", event.id)
    assert [(r["state"], r["end_reason"]) for r in states] == [("failed", "room")]
    entry = await queue.entry(db, event.candidates[0])
    assert (entry["state"], entry["missed_count"]) == ("waiting", 0)
    assert [
        w.candidate_id for w in await queue.waiting_positions(db, event.id, settings.live)
    ] == event.candidates
    await assert_invariants(db, event.id)


async def test_no_dispatch_once_the_events_time_is_over(db, pool, settings):
    """The event's end stops dispatching, even before the sweeper marks it finished."""
    event = await make_live_event(db, interviewers=1, candidates=1, starts_in_minutes=-121)
    # Checked in while it lasted (check-in itself is closed now).
    await db.execute(
        "INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)", event.id, event.candidates[0]
    )
    with pytest.raises(LiveError) as refused:
        await dispatch.dispatch(pool, event.interviewers[0], settings.live)
    assert refused.value.code == "event_not_open"
