"""Check-in, the queue's order, positions and waits, leaving, and the grace period."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from app.live import call_tickets, dispatch, interviews, queue
from app.live.errors import LiveError
from app.live.presence import set_presence
from tests.integration.live_support import age, assert_invariants, make_live_event, offer_with_room


async def order(db, event_id, live):
    return [w.candidate_id for w in await queue.waiting_positions(db, event_id, live)]


async def test_check_in_orders_the_queue_and_estimates_waits(db, settings):
    live = settings.live
    event = await make_live_event(db, interviewers=2, candidates=4, interview_minutes=10)
    c = event.candidates
    for candidate_id in (c[2], c[0], c[3]):
        await queue.check_in(db, candidate_id, live)
    waiting = await queue.waiting_positions(db, event.id, live)
    assert [w.candidate_id for w in waiting] == [c[2], c[0], c[3]]
    assert [w.position for w in waiting] == [1, 2, 3]
    assert all(w.wait_seconds is None for w in waiting)  # no interviewer active yet

    for interviewer_id in event.interviewers:
        await set_presence(db, interviewer_id, connected=True)
    waits = [w.wait_seconds for w in await queue.waiting_positions(db, event.id, live)]
    assert waits == [0, 0, 600]  # two free interviewers, ten minutes per interview

    # Real durations move the estimate from the event's minutes: one interview of 4 minutes.
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at,
                               ended_at)
        VALUES ($1, $2, $3, 'next', 'ended', 'janus1', 1, now(), now() - interval '4 min',
                now(), now())""",
        event.id,
        c[1],
        event.interviewers[0],
    )
    await set_presence(db, event.interviewers[1], paused=True)
    waits = [w.wait_seconds for w in await queue.waiting_positions(db, event.id, live)]
    # The mean interview: the 4 minutes held, with the set 10 counted as three held.
    assert waits == pytest.approx([0, 510, 1020], abs=1)


async def test_check_in_is_idempotent_and_leave_then_return_goes_last(db, settings):
    live = settings.live
    event = await make_live_event(db, candidates=3)
    a, b, c = event.candidates
    for candidate_id in (a, b, c):
        await queue.check_in(db, candidate_id, live)
    first = await queue.check_in(db, a, live)
    assert first["state"] == "waiting"
    assert await order(db, event.id, live) == [a, b, c]
    assert await queue.leave(db, a) is True
    assert await queue.leave(db, a) is False
    assert await order(db, event.id, live) == [b, c]
    await queue.check_in(db, a, live)
    assert await order(db, event.id, live) == [b, c, a]


@pytest.mark.parametrize(
    "case, code",
    [
        ("cancelled", "not_registered"),
        ("draft", "event_not_open"),
        ("too_early", "checkin_closed"),
        ("ended", "checkin_closed"),
        ("unknown", "not_registered"),
    ],
)
async def test_check_in_refusals(db, settings, case, code):
    starts = {"too_early": 31, "ended": -121}.get(case, 0)
    event = await make_live_event(
        db, candidates=1, starts_in_minutes=starts, state="draft" if case == "draft" else "published"
    )
    candidate_id = event.candidates[0]
    if case == "cancelled":
        await db.execute(
            "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'candidate' WHERE id = $1",
            candidate_id,
        )
    if case == "unknown":
        candidate_id = -1
    with pytest.raises(LiveError) as error:
        await queue.check_in(db, candidate_id, settings.live)
    assert error.value.code == code
    assert await db.fetchval("SELECT count(*) FROM queue_entry WHERE event_id = $1", event.id) == 0


async def test_one_interview_per_person_even_through_a_new_registration(db, settings):
    """Interviewed, the registration cancelled (during the interview, when the page still
    offers it), then registered again under the same address: no second interview. A
    cancelled registration without an interview keeps the way back open."""
    from tests import factories

    event = await make_live_event(db, interviewers=1, candidates=0)
    interviewed = await factories.add_candidate(db, event.id, email="Kim.Ek@example.se")
    waited = await factories.add_candidate(db, event.id, email="bo@example.se")
    await factories.ended_interview(db, event.id, interviewed["id"], event.interviewers[0])
    await db.execute(
        "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'candidate' WHERE id = ANY($1::bigint[])",
        [interviewed["id"], waited["id"]],
    )
    again = await factories.add_candidate(db, event.id, email="kim.ek@example.se")
    with pytest.raises(LiveError) as error:
        await queue.check_in(db, again["id"], settings.live)
    assert error.value.code == "already_interviewed"
    assert await db.fetchval("SELECT count(*) FROM queue_entry WHERE candidate_id = $1", again["id"]) == 0
    back = await factories.add_candidate(db, event.id, email="bo@example.se")
    assert (await queue.check_in(db, back["id"], settings.live))["state"] == "waiting"
    # The lookup goes by the small index of ended registrations, not the event's registrations.
    plan = await db.fetchval(
        "EXPLAIN (FORMAT JSON) " + queue.CHECK_IN_READ_SQL.replace("$1", str(again["id"]))
    )
    assert "candidate_ended_email_idx" in plan


async def test_check_in_opens_the_set_minutes_before_the_start(db, settings):
    event = await make_live_event(db, candidates=1, starts_in_minutes=29)
    entry = await queue.check_in(db, event.candidates[0], settings.live)
    assert entry["state"] == "waiting"


async def test_grace_period_keeps_the_place_then_away_then_back(db, pool, settings):
    """The grace period."""
    live = settings.live
    event = await make_live_event(db, interviewers=2, candidates=3)
    a, b, c = event.candidates
    for candidate_id in (a, b, c):
        await queue.check_in(db, candidate_id, live)

    assert await queue.disconnected(db, a) is True
    assert await order(db, event.id, live) == [a, b, c]  # within grace: place kept
    await queue.reconnected(db, a)
    assert await order(db, event.id, live) == [a, b, c]

    await queue.disconnected(db, a)
    await age(db, "queue_entry", "disconnected_at", live.grace_seconds + 1, "candidate_id = $2", a)
    assert await order(db, event.id, live) == [b, c]  # away: skipped
    offer = await dispatch.dispatch(pool, event.interviewers[0], live)
    assert offer.candidate_id == b  # the dispatcher skips them even before mark_away
    with pytest.raises(LiveError, match="candidate_not_waiting"):
        await dispatch.dispatch(pool, event.interviewers[1], live, candidate_id=a)
    assert a in await queue.mark_away(db, live)  # (it sweeps every event)
    assert (await queue.entry(db, a))["state"] == "away"

    assert await queue.reconnected(db, a) is True
    assert await order(db, event.id, live) == [a, c]  # back in the old place, before c
    await assert_invariants(db, event.id)


async def test_leaving_while_offered_withdraws_the_offer(db, pool, settings):
    live = settings.live
    event = await make_live_event(db, interviewers=1, candidates=2)
    for candidate_id in event.candidates:
        await queue.check_in(db, candidate_id, live)
    offer = await dispatch.dispatch(pool, event.interviewers[0], live)
    assert await queue.leave(db, offer.candidate_id) is True
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", offer.interview_id)
    assert (row["state"], row["end_reason"]) == ("missed", "left")
    nxt = await dispatch.dispatch(pool, event.interviewers[0], live)
    assert nxt.candidate_id == event.candidates[1]  # the interviewer is free for the next
    await assert_invariants(db, event.id)


async def test_grace_counts_from_the_disconnection_even_through_an_offer(db, pool, settings):
    """Found by the state machine: a candidate offered while their connection was gone who
    then misses goes back to waiting with the grace period counted from when they went;
    one who came back meanwhile is simply waiting again."""
    live = settings.live
    for reconnect_first in (True, False):
        event = await make_live_event(db, interviewers=1, candidates=2)
        a, b = event.candidates
        for candidate_id in (a, b):
            await queue.check_in(db, candidate_id, live)
        await queue.disconnected(db, a)
        offer = await dispatch.dispatch(pool, event.interviewers[0], live)
        assert offer.candidate_id == a  # within grace: still first in line
        await offer_with_room(db, offer, live)
        if reconnect_first:
            assert await queue.reconnected(db, a) is False  # offered, not in the queue
        else:
            await age(db, "queue_entry", "disconnected_at", live.grace_seconds + 1, "candidate_id = $2", a)
        await age(db, "interview", "offer_expires_at", live.offer_seconds + 1, "id = $2", offer.interview_id)
        await interviews.expire_offers(db)
        expected = [b, a] if reconnect_first else [b]
        assert await order(db, event.id, live) == expected
        await assert_invariants(db, event.id)


async def test_each_queue_change_notifies_its_event_once_with_its_transaction(db, stack, settings):
    """A check-in, a leave (a waiting or away candidate's in one statement, its notice
    made in SQL) and a return each tell the event's listeners once, naming the transaction
    that made it (the hub skips a read whose view has seen it: event_view.EventViews); a
    check-in again while waiting tells nobody."""
    live = settings.live
    event = await make_live_event(db, candidates=2)
    a, b = event.candidates
    await queue.check_in(db, b, live)
    await queue.disconnected(db, b)
    await age(db, "queue_entry", "disconnected_at", live.grace_seconds + 1, "candidate_id = $2", b)
    assert b in await queue.mark_away(db, live)
    listener = await asyncpg.connect(stack.environ["DATABASE_URL"])
    heard: list[str] = []
    await listener.add_listener(queue.channel(event.id), lambda *args: heard.append(args[-1]))

    async def committed(change) -> int:
        async with db.transaction():
            await change
            return int(await db.fetchval("SELECT pg_current_xact_id()::text"))

    try:
        told = [
            await committed(queue.check_in(db, a, live)),
            await committed(queue.left_waiting(db, a)),
            await committed(queue.check_in(db, a, live)),  # back, at the end
            await committed(queue.leave(db, b)),  # away
        ]
        await committed(queue.check_in(db, a, live))  # here already: nobody is told
        await listener.fetchval("SELECT 1")  # a round trip after the last commit
        for _ in range(100):
            if len(heard) >= len(told):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # anything more, wrongly told
        assert [json.loads(n) for n in heard] == [
            {"kind": "queue", "event": event.id, "xid": xid} for xid in told
        ]
        # The same bytes whoever made them (PostgreSQL folds a transaction's equal ones).
        assert heard == [queue.notify_payload(event.id, "queue")[:-1] + f',"xid":{xid}}}' for xid in told]
        assert await queue.state_of(db, a) == "waiting" and await queue.state_of(db, b) == "left"
        assert await queue.left_waiting(db, b) is False  # out of the queue already
    finally:
        await listener.close()


async def test_two_first_check_ins_of_one_candidate_at_once_both_get_the_one_entry(db, stack, settings):
    """Two pages of a candidate checking in for the first time at once: the second waits for
    the first's lock on the candidate, and its read began before the entry was made (it does
    not see it): it finds the entry made meanwhile and changes nothing, instead of a second
    entry refused by the database (an error on the page)."""
    live = settings.live
    event = await make_live_event(db, candidates=1)
    (candidate,) = event.candidates
    other = await asyncpg.connect(stack.environ["DATABASE_URL"])
    try:
        async with db.transaction():
            first = await queue.check_in(db, candidate, live)
            second = asyncio.create_task(queue.check_in(other, candidate, live))
            await asyncio.sleep(0.3)  # the second waits for the candidate's row meanwhile
            assert not second.done()
        again = await asyncio.wait_for(second, 10)
        assert (again["id"], again["state"], again["queued_at"]) == (
            first["id"],
            "waiting",
            first["queued_at"],
        )
        assert await db.fetchval("SELECT count(*) FROM queue_entry WHERE candidate_id = $1", candidate) == 1
    finally:
        await other.close()


async def test_a_wait_does_not_grow_as_the_one_ahead_is_called_in_and_starts(db, pool, settings):
    """Interviews shorter than their box: the one ahead is offered, then starts. The wait of
    the one behind stays (it grew from the mean to the new interview's whole box before)."""
    live = settings.live
    event = await make_live_event(db, interviewers=2, candidates=12, interview_minutes=10)
    held, (first, second, busy) = event.candidates[:9], event.candidates[9:]
    # Nine interviews of 2 minutes held: the mean (2 × 9 + 10 × 3) / 12 = 4 minutes.
    await db.executemany(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at,
                               ended_at)
        VALUES ($1, $2, $3, 'next', 'ended', 'janus1', 1, now(), now() - interval '30 min',
                now() - interval '20 min', now() - interval '28 min')""",
        [(event.id, candidate, event.interviewers[0]) for candidate in held],
    )
    # The second interviewer 1 minute into an interview.
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', 'janus1', 2, now(), now() - interval '1 min',
                now() + interval '9 min')""",
        event.id,
        busy,
        event.interviewers[1],
    )
    for candidate in (busy, first, second):
        await queue.check_in(db, candidate, live)
    await db.execute("UPDATE queue_entry SET state = 'interviewing' WHERE candidate_id = $1", busy)
    for interviewer in event.interviewers:
        await set_presence(db, interviewer, connected=True)

    async def wait_of(candidate: int) -> float:
        waiting = {w.candidate_id: w for w in await queue.waiting_positions(db, event.id, live)}
        return waiting[candidate].wait_seconds

    # The second waits for the second interviewer: the mean less the minute it has run.
    waits = [await wait_of(second)]
    assert waits[0] == pytest.approx(180, abs=2)
    offer = await dispatch.dispatch(pool, event.interviewers[0], live)
    assert offer is not None and offer.candidate_id == first
    await offer_with_room(db, offer, live)
    waits.append(await wait_of(second))
    async with pool.acquire() as connection:
        assert isinstance(await call_tickets.join_offer(connection, settings, first), call_tickets.Joined)
    waits.append(await wait_of(second))
    assert waits == pytest.approx([180, 180, 180], abs=2), waits
    # The second interviewer extends (2 minutes): expected free 2 minutes later, so the second
    # now waits for the first interviewer's new interview (the mean, 4 minutes).
    extended = await db.fetchval(
        "SELECT id FROM interview WHERE interviewer_id = $1 AND state = 'active'", event.interviewers[1]
    )
    await interviews.extend_interview(db, extended, event.interviewers[1], live)
    assert await wait_of(second) == pytest.approx(240, abs=2)
    await assert_invariants(db, event.id)


async def test_the_last_ended_interview_is_read_by_its_own_index(db):
    """The candidate's page asks for it at every load (their saved answer said back): a scan
    of every interview ever ended would grow with all events held."""
    from tests import factories

    event = await make_live_event(db, interviewers=1, candidates=1)
    (candidate,), (interviewer,) = event.candidates, event.interviewers
    first = await factories.ended_interview(db, event.id, candidate, interviewer)
    assert await interviews.last_ended(db, candidate_id=candidate) == first
    assert await interviews.last_ended(db, interviewer_id=interviewer) == first
    for sql, index, person in (
        (interviews.LAST_ENDED_OF_CANDIDATE, "interview_ended_by_candidate_idx", candidate),
        (interviews.LAST_ENDED_OF_INTERVIEWER, "interview_ended_by_interviewer_idx", interviewer),
    ):
        async with db.transaction():
            await db.execute("SET LOCAL enable_seqscan = off")  # a few rows: a scan is cheaper
            plan = await db.fetchval("EXPLAIN (FORMAT JSON) " + sql.replace("$1", str(person)))
        assert index in plan
