"""The queue as every change reads it (app/live/event_view.py, migration 0054): the order from
its own index without the registrations, the rest from indexes of their own. It must say
what the event's candidates joined to their entries say, and it may leave the registrations
out of the order only because the database holds that nobody waits with an ended one."""

from __future__ import annotations

import random

import asyncpg
import pytest

from app.candidates import queries
from app.live import leaving, queue
from app.live.event_view import read_event_view
from tests.integration.live_support import make_live_event

# The queue read whole, as the view read it before it had the indexes: every live
# registration joined to its entry. $2 the grace seconds.
WHOLE_SQL = """
    SELECT c.id, q.state, q.left_reason, q.queued_at, q.id AS entry,
           q.state = 'waiting' AND q.disconnected_at <= now() - make_interval(secs => $2) AS stale
    FROM candidate c LEFT JOIN queue_entry q ON q.candidate_id = c.id
    WHERE c.event_id = $1 AND c.cancelled_at IS NULL AND c.erased_at IS NULL"""


async def test_the_view_says_what_the_queue_read_whole_says(db, settings):
    grace = float(settings.live.grace_seconds)
    event = await make_live_event(db, interviewers=1, candidates=40)
    shuffled = random.Random(13).sample(event.candidates, len(event.candidates))
    for candidate_id in shuffled[:34]:
        await queue.check_in(db, candidate_id, settings.live)
    waiting, rest = shuffled[:24], shuffled[24:34]
    # Every state an entry has on the day, and registrations ended in each way.
    await db.execute(
        "UPDATE queue_entry SET disconnected_at = now() - make_interval(secs => $2 + 5)"
        " WHERE candidate_id = ANY($1::bigint[])",
        waiting[:3],
        grace,
    )  # stale: out of the order, still waiting
    await db.execute(
        "UPDATE queue_entry SET disconnected_at = now() WHERE candidate_id = $1", waiting[3]
    )  # within the grace: in the order
    await db.execute(
        "UPDATE queue_entry SET queued_at = now() + interval '1 minute', missed_count = 1"
        " WHERE candidate_id = $1",
        waiting[4],
    )  # back at the end after a missed offer
    for candidate_id, state, reason in (
        (rest[0], "away", None),
        (rest[1], "left", "candidate"),
        (rest[2], "left", "missed"),
        (rest[3], "done", None),
        (rest[4], "done", None),
        (rest[5], "interviewing", None),
        (rest[6], "offered", None),
    ):
        await db.execute(
            "UPDATE queue_entry SET state = $2, left_reason = $3, missed_count = 1 WHERE candidate_id = $1",
            candidate_id,
            state,
            reason,
        )
    for candidate_id, how in ((rest[7], "cancelled"), (rest[8], "removed"), (waiting[5], "cancelled")):
        async with db.transaction():
            await queries.cancel(db, candidate_id, "employer" if how == "removed" else "candidate")
            await leaving.end_on_event_day(db, event.id, candidate_id, how, by_candidate=how == "cancelled")
    await db.execute(
        "UPDATE candidate SET cancelled_at = now() WHERE id = $1", shuffled[39]
    )  # not checked in

    view = await read_event_view(db, event.id, settings)

    rows = await db.fetch(WHOLE_SQL, event.id, grace)
    entries = [row for row in rows if row["state"] is not None]
    order = [
        row["id"]
        for row in sorted(entries, key=lambda row: (row["queued_at"], row["entry"]))
        if row["state"] == "waiting" and not row["stale"]
    ]
    assert view.order == order and order[-1] == waiting[4] and waiting[3] in order
    assert [entry["candidate_id"] for entry in view.head] == order[: len(view.head)]
    others = {
        row["id"]: "left:missed" if row["left_reason"] == "missed" else row["state"]
        for row in entries
        if row["state"] != "waiting" or row["stale"]
    }
    assert view.others == others
    assert view.counts == {"registered": len(rows), "checked_in": len(entries), "waiting": len(order)}
    assert view.missed == 1
    # A miss behind them is told to those waiting or called in again, not to the rest.
    assert view.missed_once == {waiting[4], rest[6]}
    assert view.state_of(rest[7]) == (None, None)  # ended: not counted, not in the queue

    # Renewed with nothing changed: the counts say the order holds.
    renewed = await read_event_view(db, event.id, settings, view)
    assert renewed.order is view.order


async def test_a_registration_does_not_end_with_its_candidate_waiting(db, settings):
    event = await make_live_event(db, interviewers=1, candidates=2)
    first, second = event.candidates
    for candidate_id in event.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await db.execute("UPDATE candidate SET cancelled_at = now() WHERE id = $1", first)
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await db.execute("UPDATE candidate SET erased_at = now() WHERE id = $1", first)
    view = await read_event_view(db, event.id, settings)
    assert view.order == [first, second] and view.counts["registered"] == 2

    # As every ending of a registration does it: out of the queue in the same transaction.
    async with db.transaction():
        await queries.cancel(db, first, "candidate")
        await leaving.end_on_event_day(db, event.id, first, "cancelled", by_candidate=True)
    view = await read_event_view(db, event.id, settings)
    assert view.order == [second]
    assert view.counts == {"registered": 1, "checked_in": 1, "waiting": 1}
    ended = "SELECT registration_ended FROM queue_entry WHERE candidate_id = $1"
    assert await db.fetchval(ended, first) is True and await db.fetchval(ended, second) is False

    # Nor does an ended registration's entry come back into the queue.
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            "UPDATE queue_entry SET state = 'waiting', left_reason = NULL WHERE candidate_id = $1", first
        )
    assert await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", first) == "left"
