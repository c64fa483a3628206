"""What the live-event tests share: an event under way with interviewers and candidates,
made straight in the database, and the rules (never double-booked, one at a time, a missed
offer) read back from it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from app.janus.rooms import new_room
from app.live import dispatch, interviews, queue


@dataclass
class LiveEvent:
    id: int
    interviewers: list[int]
    candidates: list[int]


async def make_live_event(
    db: asyncpg.Connection,
    *,
    interviewers: int = 2,
    candidates: int = 5,
    starts_in_minutes: int = 0,
    state: str = "live",
    interview_minutes: int = 10,
) -> LiveEvent:
    organization = await db.fetchval(
        "INSERT INTO organization (name) VALUES ($1) RETURNING id", f"Live AB {secrets.token_hex(3)}"
    )
    event_id = await db.fetchval(
        """
        INSERT INTO event (organization_id, title, starts_at, duration_minutes,
                           interview_minutes, capacity, state)
        VALUES ($1, 'Livetillfälle', now() + make_interval(mins => $2), 120, $3, 1000,
                $4::event_state) RETURNING id""",
        organization,
        starts_in_minutes,
        interview_minutes,
        state,
    )
    interviewer_ids = [
        await db.fetchval(
            """
        INSERT INTO event_interviewer (event_id, email, name, access_token, access_code)
        VALUES ($1, $2, $3, $4, '123456') RETURNING id""",
            event_id,
            f"i{n}-{secrets.token_hex(3)}@example.se",
            f"Intervjuare {n}",
            secrets.token_urlsafe(16),
        )
        for n in range(interviewers)
    ]
    candidate_ids = [
        await db.fetchval(
            """
        INSERT INTO candidate (event_id, name, email, access_token, pin)
        VALUES ($1, $2, $3, $4, '654321') RETURNING id""",
            event_id,
            f"Kandidat {n}",
            f"c{n}-{secrets.token_hex(3)}@example.se",
            secrets.token_urlsafe(16),
        )
        for n in range(candidates)
    ]
    return LiveEvent(event_id, interviewer_ids, candidate_ids)


async def offer_with_room(db: asyncpg.Connection, offer: dispatch.Offer, live) -> None:
    """Give an offer the room columns without a Janus call, for tests of the queue rules
    only (the Janus side has tests of its own that make real rooms)."""
    row = await dispatch.attach_room(db, offer, new_room("janus1", 2), live)
    assert row is not None


async def one_in_a_call_one_offered(
    db: asyncpg.Connection, pool: asyncpg.Pool, event: LiveEvent, live
) -> tuple[dispatch.Offer, dispatch.Offer]:
    """The event's first two candidates checked in (and any others): the first in a call with
    the first interviewer, the second offered to the second; (the call's offer, the offer)."""
    for candidate in event.candidates:
        await queue.check_in(db, candidate, live)
    call = await dispatch.dispatch(pool, event.interviewers[0], live)
    await offer_with_room(db, call, live)
    await interviews.accept_offer(db, call.interview_id, event.candidates[0])
    offer = await dispatch.dispatch(pool, event.interviewers[1], live)
    await offer_with_room(db, offer, live)
    assert (call.candidate_id, offer.candidate_id) == tuple(event.candidates[:2])
    return call, offer


async def age(db: asyncpg.Connection, table: str, column: str, seconds: float, where: str, *args) -> None:
    """Move a timestamp into the past instead of sleeping."""
    assert table in ("queue_entry", "interview") and column.isidentifier()
    await db.execute(
        f"""UPDATE {table} SET {column} = {column} - make_interval(secs => $1)
                         WHERE {where}""",
        float(seconds),
        *args,
    )


async def assert_invariants(db: asyncpg.Connection, event_id: int) -> None:
    """Never double-booked, one at a time, and the bookkeeping that backs them, read from the database."""
    live = await db.fetch(
        """
        SELECT candidate_id, interviewer_id, state FROM interview
        WHERE event_id = $1 AND state IN ('offered', 'active')""",
        event_id,
    )
    assert len({r["candidate_id"] for r in live}) == len(live), "a candidate in two interviews"
    assert len({r["interviewer_id"] for r in live}) == len(live), "an interviewer in two interviews"
    entries = {
        r["candidate_id"]: r
        for r in await db.fetch("SELECT * FROM queue_entry WHERE event_id = $1", event_id)
    }
    for interview in live:
        expected = "offered" if interview["state"] == "offered" else "interviewing"
        assert entries[interview["candidate_id"]]["state"] == expected
    busy = {r["candidate_id"] for r in live}
    for candidate_id, entry in entries.items():
        if entry["state"] in ("offered", "interviewing"):
            assert candidate_id in busy, f"entry {entry['state']} without an interview"
        assert entry["missed_count"] <= 2
        if entry["missed_count"] >= 2:
            assert entry["state"] != "waiting", "missed twice yet still waiting (back once, then out)"


# pg_stat_activity is read once per transaction and shown the same until it ends: a test
# that polls it from inside its own transaction (the one holding the lock others wait for)
# would see only its first reading. This drops that reading, so the next one is fresh.
FRESH_ACTIVITY = "SELECT pg_stat_clear_snapshot()"


class _GaveUp(Exception):
    """No backend waited for the lock within the polls (not a time-out of a statement)."""


async def _until_waiting_for_a_lock(
    db: asyncpg.Connection, waiting: str, *args: object, stop: Callable[[], bool] = lambda: False
) -> bool:
    """Polls `pg_stat_activity` every 25 ms, about five seconds in all, until the query
    `waiting` (a count of backends waiting for a lock) finds one: True, or False once `stop()`
    holds first. The activity is read afresh before every poll: PostgreSQL shows one reading
    per transaction, and `db` may be inside the transaction that holds the lock."""
    for _ in range(200):
        if stop():
            return False
        await db.execute(FRESH_ACTIVITY)
        if await db.fetchval(waiting, *args):
            return True
        await asyncio.sleep(0.025)
    raise _GaveUp


async def waiting_or_done(db, task: asyncio.Task, connection: asyncpg.Connection) -> str:
    """Whether the statement `task` runs on `connection` had to wait for a lock: "waiting"
    once it does, "done" if the task ends first. For tests that hold one transaction open
    while another must wait for it (or may go past it)."""
    try:
        waited = await _until_waiting_for_a_lock(
            db,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = $1",
            connection.get_server_pid(),
            stop=task.done,
        )
    except _GaveUp:
        raise AssertionError("neither waiting for a lock nor done") from None
    return "waiting" if waited else "done"


async def until_a_statement_waits_for_a_lock(db: asyncpg.Connection, text: str, what: str) -> None:
    """Until some backend's statement containing `text` waits for a lock (`what` says whose,
    in the error when none does within about five seconds). `db` may be inside the
    transaction that holds the lock."""
    try:
        await _until_waiting_for_a_lock(
            db,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
            f"%{text}%",
        )
    except _GaveUp:
        raise AssertionError(f"{what} did not wait for the lock") from None


async def media_down_interview(db: asyncpg.Connection, server: str, title: str) -> tuple[int, int]:
    """A live event `title` with one interview running whose room on `server` was lost with no
    server to take it, as the reconciler leaves it (app/live/reconciler.py, media_lost_at):
    (event id, interview id). The tests' reconciler is off, so it stays so."""
    live = await make_live_event(db, interviewers=1, candidates=1, starts_in_minutes=-5)
    await db.execute("UPDATE event SET title = $2 WHERE id = $1", live.id, title)
    interview = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by, offered_at,
                               offer_expires_at, started_at, ends_at, janus_server, room_id,
                               media_lost_at)
        VALUES ($1, $2, $3, 'active', 'next', now() - interval '3 minutes', now(),
                now() - interval '2 minutes', now() + interval '8 minutes', $4, 424242,
                now() - interval '1 minute')
        RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
        server,
    )
    return live.id, interview


async def end_media_down_interview(db: asyncpg.Connection, event_id: int, interview_id: int) -> None:
    await db.execute("DELETE FROM interview WHERE id = $1", interview_id)
    await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", event_id)
