"""The shared queue: check-in, leaving, disconnect and reconnect, positions and waits.

SQL by hand; the caller owns the transaction. Functions that need several statements to
be atomic open `connection.transaction()`, which inside a caller's transaction is only a
savepoint: the caller still decides when it commits. Every change that moves positions
sends `pg_notify` on the event's channel, delivered to every process when it commits.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

import asyncpg

from app.live import rules
from app.live.action_bound import not_after
from app.live.errors import LiveError
from app.settings import LiveSettings

OPEN_EVENT_STATES = ("published", "live")
ENTRY_COLUMNS = """id, event_id, candidate_id, state, checked_in_at, queued_at, last_seen_at,
    disconnected_at, missed_count, left_reason"""


def channel(event_id: int) -> str:
    """The LISTEN/NOTIFY channel of one event (identifiers cannot be parameters, hence an
    int only)."""
    return f"live_event_{int(event_id)}"


def notify_payload(event_id: int, kind: str, **fields: int | str) -> str:
    """notify's message before the transaction's id is added (by notify_call)."""
    return json.dumps({"kind": kind, "event": event_id, **fields})


def notify_call(channel_param: str, payload_param: str) -> str:
    """notify's pg_notify as an SQL expression of two parameters (the channel, and the
    payload from notify_payload), for a statement that sends it with its own work: one
    round trip fewer where a lock is held until the commit."""
    return (
        f"pg_notify({channel_param}, left({payload_param}, -1) || ',\"xid\":'"
        " || coalesce(pg_current_xact_id_if_assigned()::text, 'null') || '}')"
    )


async def notify(connection: asyncpg.Connection, event_id: int, kind: str, **fields: int | str) -> None:
    """A small message naming what changed; listeners read the details from the database.
    Never secrets: ids (and an offer's expiry, so "your turn" needs no read). It carries
    the transaction's id (`xid`, null when it wrote nothing): a view read in a snapshot
    that already sees that transaction need not be read again for it (event_view.EventViews)."""
    await connection.execute(
        f"SELECT {notify_call('$1', '$2')}", channel(event_id), notify_payload(event_id, kind, **fields)
    )


async def notify_interview(connection: asyncpg.Connection, row: Mapping[str, Any], kind: str) -> None:
    """`notify` of one interview's change, naming its candidate and its interviewer (their
    sockets are told first): `row` holds the interview's id, event_id, candidate_id and
    interviewer_id, as the statements that change interviews return them."""
    await notify(
        connection,
        row["event_id"],
        kind,
        interview=row["id"],
        candidate=row["candidate_id"],
        interviewer=row["interviewer_id"],
    )


async def state_of(connection: asyncpg.Connection, candidate_id: int) -> str | None:
    """Where the candidate is on the event day ('waiting', 'offered', 'interviewing', …);
    None when they have no queue entry."""
    return await connection.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", candidate_id)


async def entry(
    connection: asyncpg.Connection, candidate_id: int, *, for_update: bool = False
) -> asyncpg.Record | None:
    lock = "FOR UPDATE" if for_update else ""
    return await connection.fetchrow(
        f"SELECT {ENTRY_COLUMNS} FROM queue_entry WHERE candidate_id = $1 {lock}", candidate_id
    )


# The candidate, their event and their queue entry, if any, in one statement, locking the
# candidate's row, then the entry's (the lock order of every change to a candidate on the
# event day, app/live/leaving.py): the candidate's in a subquery of its own, so that it is
# taken as the row is read, before the entry's subquery runs for it. Check-ins of one
# candidate take turns (FOR NO KEY UPDATE: a dispatch's foreign-key check on the same row is
# not blocked), and an entry found cannot change between this read and the write. One made
# by another check-in of theirs while this one waited for the candidate's row is not found:
# the statement's snapshot is older than it (NEW_ENTRY_SQL then writes nothing).
CHECK_IN_READ_SQL = f"""
    SELECT c.event_id, c.cancelled_at, c.erased_at, e.state::text AS event_state,
           e.deleted_at, e.starts_at, e.duration_minutes, now() AS now,
           q.id AS entry_id, q.state AS entry_state, q.disconnected_at AS entry_disconnected_at,
           q.id IS NULL AND EXISTS (
               SELECT 1 FROM candidate o JOIN interview i ON i.candidate_id = o.id
               WHERE o.event_id = c.event_id AND lower(o.email) = lower(c.email)
                 AND o.cancelled_at IS NOT NULL AND i.state IN ('active', 'ended')
           ) AS interviewed_before
    FROM (SELECT id, event_id, email, cancelled_at, erased_at FROM candidate
          WHERE id = $1 FOR NO KEY UPDATE) c
    JOIN event e ON e.id = c.event_id
    LEFT JOIN LATERAL (SELECT {ENTRY_COLUMNS} FROM queue_entry
                       WHERE candidate_id = c.id FOR UPDATE) q ON true"""

# The entry written and the event notified in one statement ($3 the channel, $4 the payload):
# one round trip fewer while the locks are held. No row when the candidate has an entry
# already (made by another check-in of theirs since the read began).
NEW_ENTRY_SQL = f"""
    WITH row AS (INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)
                 ON CONFLICT (candidate_id) DO NOTHING
                 RETURNING {ENTRY_COLUMNS})
    SELECT row.*, {notify_call("$3", "$4")} FROM row"""

# Back in the queue: in place from away or waiting (the grace period), at the end from left,
# with a clean slate of misses, since coming back is a deliberate act.
BACK_IN_QUEUE = f"""
    UPDATE queue_entry SET
        queued_at = CASE WHEN state = 'left' THEN now() ELSE queued_at END,
        waiting_since = CASE WHEN state = 'left' THEN now() ELSE waiting_since END,
        missed_count = CASE WHEN state = 'left' THEN 0 ELSE missed_count END,
        state = 'waiting', left_reason = NULL, disconnected_at = NULL,
        last_seen_at = now(), updated_at = now()
    WHERE id = $1 RETURNING {ENTRY_COLUMNS}"""
BACK_IN_QUEUE_SQL = f"WITH row AS ({BACK_IN_QUEUE}) SELECT row.*, {notify_call('$2', '$3')} FROM row"

# A waiting or away candidate out of the queue, and their event notified, in one statement:
# no offer or interview of theirs to end (a candidate offered one, or in one, is in another
# state, set in the same transaction as the interview's). The channel and the payload are
# channel() and notify_payload()'s, made from the row (the same bytes: PostgreSQL folds a
# transaction's equal notifications into one).
_QUEUE_PAYLOAD = """format('{"kind": "queue", "event": %s}', event_id)"""  # notify_payload's
LEFT_WAITING_SQL = f"""
    WITH gone AS (
        UPDATE queue_entry SET state = 'left', left_reason = 'candidate',
               disconnected_at = NULL, updated_at = now()
        WHERE candidate_id = (SELECT live_in_time($2::timestamptz, $1::bigint))
          AND state IN ('waiting', 'away')
        RETURNING event_id)
    SELECT event_id, {notify_call("'live_event_' || event_id", _QUEUE_PAYLOAD)}
    FROM gone"""


async def check_in(connection: asyncpg.Connection, candidate_id: int, live: LiveSettings) -> asyncpg.Record:
    """Join the queue (or come back to it); the queue entry. Checking in again while in the
    queue changes nothing, so a browser may repeat it after any reconnect."""
    async with connection.transaction():
        found = await connection.fetchrow(CHECK_IN_READ_SQL, candidate_id)
        if found is None or found["cancelled_at"] or found["erased_at"]:
            raise LiveError("not_registered")
        if found["event_state"] not in OPEN_EVENT_STATES or found["deleted_at"]:
            raise LiveError("event_not_open")
        if not rules.checkin_open(
            found["now"], found["starts_at"], found["duration_minutes"], live.checkin_opens_minutes
        ):
            raise LiveError("checkin_closed")
        event_id = found["event_id"]
        notice = (channel(event_id), notify_payload(event_id, "queue"))
        entry_id, state, disconnected_at = (
            found["entry_id"],
            found["entry_state"],
            found["entry_disconnected_at"],
        )
        if found["interviewed_before"]:
            # Interviewed under an earlier registration of theirs, cancelled since (during
            # the interview): one interview per person and event.
            raise LiveError("already_interviewed")
        if state is None:
            made = await connection.fetchrow(NEW_ENTRY_SQL, event_id, candidate_id, *notice)
            if made is not None:
                return made
            # Made by another check-in of theirs while this one waited: a new statement sees it.
            current = await entry(connection, candidate_id, for_update=True)
            assert current is not None, "an entry is never deleted while its candidate's row is held"
            entry_id, state, disconnected_at = current["id"], current["state"], current["disconnected_at"]
        if state == "done":
            raise LiveError("already_interviewed")
        if state in ("offered", "interviewing"):
            return await entry(connection, candidate_id)
        if state == "waiting" and disconnected_at is None:
            # Here already: nothing anyone sees moves (seen now, no notification).
            return await connection.fetchrow(BACK_IN_QUEUE, entry_id)
        return await connection.fetchrow(BACK_IN_QUEUE_SQL, entry_id, *notice)


async def left_waiting(connection: asyncpg.Connection, candidate_id: int) -> bool:
    """A waiting (or away) candidate leaves the queue, in one statement; False when they are
    in no such state (offered, interviewing, out of the queue, never in it). Not run after
    the leave was given up on (live_in_time: app/live/action_bound.py); its subquery is
    evaluated once, so the entry is still found by its index."""
    return await connection.fetchval(LEFT_WAITING_SQL, candidate_id, not_after()) is not None


async def leave(
    connection: asyncpg.Connection,
    candidate_id: int,
    *,
    offer_ends: tuple[str, str] = ("missed", "left"),
    waiting_tried: bool = False,
) -> bool:
    """The candidate leaves the queue; an open offer to them is withdrawn. False when they
    were not in the queue. An interview in progress is ended through interviews.py.
    `offer_ends`: the state and end_reason the open offer is given (a registration that
    ends on the event day says why, app/live/leaving.py). `waiting_tried`: the caller has
    tried left_waiting already."""
    if not waiting_tried and await left_waiting(connection, candidate_id):
        return True
    async with connection.transaction():
        current = await entry(connection, candidate_id, for_update=True)
        if current is None or current["state"] in ("left", "done"):
            return False
        if current["state"] == "interviewing":
            raise LiveError("in_interview")
        if current["state"] == "offered":
            withdrawn = await connection.fetchrow(
                """
                UPDATE interview SET state = $2, ended_at = now(), end_reason = $3
                WHERE candidate_id = $1 AND state = 'offered'
                RETURNING id, interviewer_id""",
                candidate_id,
                *offer_ends,
            )
            if withdrawn:
                await notify(
                    connection,
                    current["event_id"],
                    "offer_withdrawn",
                    interview=withdrawn["id"],
                    interviewer=withdrawn["interviewer_id"],
                    candidate=candidate_id,
                    reason=offer_ends[1],
                )
        await connection.execute(
            """
            UPDATE queue_entry SET state = 'left', left_reason = 'candidate',
                   disconnected_at = NULL, updated_at = now()
            WHERE id = $1""",
            current["id"],
        )
        await notify(connection, current["event_id"], "queue")
        return True


async def disconnected(connection: asyncpg.Connection, candidate_id: int) -> bool:
    """The candidate's connection dropped: the grace period starts. The place is
    kept, so nobody's position changes and nothing is announced. It is recorded while
    offered or interviewing too: should they miss the offer and go back to waiting, the
    grace period counts from when they actually went, not from the miss."""
    result = await connection.execute(
        """
        UPDATE queue_entry SET disconnected_at = now(), updated_at = now()
        WHERE candidate_id = $1 AND state IN ('waiting', 'offered', 'interviewing')
          AND disconnected_at IS NULL""",
        candidate_id,
    )
    return result == "UPDATE 1"


async def reconnected(connection: asyncpg.Connection, candidate_id: int) -> bool:
    """The candidate is back: within the grace period nothing changed; an away candidate
    gets the old place back (queued_at was never touched). True when they are (again) in
    the queue."""
    return candidate_id in (await reconnected_many(connection, [candidate_id])).back


@dataclass(frozen=True)
class Comeback:
    """What `reconnected_many` did: who is (again) in the queue, and whose return was
    announced (their event notified: their own page's first state must be read after it)."""

    back: frozenset[int]
    announced: frozenset[int]


async def reconnected_many(
    connection: asyncpg.Connection, candidate_ids: list[int], grace_seconds: float | None = None
) -> Comeback:
    """`reconnected` for many candidates at once (sockets reopening together after a
    restart: app/live/arrivals.py): their entries locked in one order, one update, one
    notification per event in which somebody came back.

    With `grace_seconds`, a candidate back within the grace period notifies nobody: they
    kept their place throughout and no state shows the moment they were gone (the event's
    view counts them in the queue until the grace period ends, app/live/event_view.py). In
    a reconnect storm the dead process's sockets are recorded as gone while their pages are
    still on their way back, and each batch of them would set off a round of every socket
    of the event for nothing."""
    async with connection.transaction():
        rows = await connection.fetch(
            """
            WITH before AS (
                SELECT id, event_id, state, disconnected_at FROM queue_entry
                WHERE candidate_id = ANY($1::bigint[]) ORDER BY id FOR UPDATE)
            UPDATE queue_entry q SET disconnected_at = NULL, last_seen_at = now(),
                   state = CASE WHEN q.state = 'away' THEN 'waiting' ELSE q.state END,
                   updated_at = now()
            FROM before WHERE q.id = before.id
            RETURNING q.candidate_id, before.event_id, before.state, before.disconnected_at,
                      coalesce(before.disconnected_at
                               <= now() - make_interval(secs => $2::float8), true) AS past_grace""",
            candidate_ids,
            grace_seconds,
        )
        back = [row for row in rows if row["state"] in rules.QUEUED_STATES]
        announced = [
            row
            for row in back
            if row["state"] == "away" or (row["disconnected_at"] is not None and row["past_grace"])
        ]
        for event_id in sorted({row["event_id"] for row in announced}):
            await notify(connection, event_id, "queue")
    return Comeback(
        frozenset(row["candidate_id"] for row in back), frozenset(row["candidate_id"] for row in announced)
    )


async def mark_away(connection: asyncpg.Connection, live: LiveSettings) -> list[int]:
    """Candidates disconnected longer than the grace period become away (the dispatcher
    already skips them by time; this makes it visible). Any process may run it."""
    rows = await connection.fetch(
        """
        UPDATE queue_entry SET state = 'away', updated_at = now()
        WHERE state = 'waiting'
          AND disconnected_at <= now() - make_interval(secs => $1)
        RETURNING event_id, candidate_id""",
        float(live.grace_seconds),
    )
    for event_id in sorted({row["event_id"] for row in rows}):
        await notify(connection, event_id, "queue")
    return [row["candidate_id"] for row in rows]


async def waiting_positions(
    connection: asyncpg.Connection, event_id: int, live: LiveSettings
) -> list[rules.Waiting]:
    """Every dispatchable candidate's position and estimated wait, in queue order."""
    now = await connection.fetchval("SELECT now()")
    items = [
        rules.QueueItem(r["id"], r["candidate_id"], r["state"], r["queued_at"], r["disconnected_at"])
        for r in await connection.fetch(
            f"""
                 SELECT {ENTRY_COLUMNS} FROM queue_entry q
                 WHERE event_id = $1 AND state = 'waiting'
                   AND EXISTS (SELECT 1 FROM candidate c WHERE c.id = q.candidate_id
                               AND c.cancelled_at IS NULL AND c.erased_at IS NULL)""",
            event_id,
        )
    ]
    minutes = await connection.fetchval("SELECT interview_minutes FROM event WHERE id = $1", event_id)
    free_in, average = await wait_inputs(connection, event_id, now, minutes)
    return rules.positions(items, now, live.grace_seconds, free_in, average)


# The interviews held in the event $1, for the mean interview (rules.average_interview_seconds):
# their total seconds and their number, summed in SQL (one row, not one per interview held).
AVERAGE_SQL = """
    SELECT ARRAY[coalesce(sum(extract(epoch FROM ended_at - started_at)::float8), 0), count(*)]
    FROM interview
    WHERE event_id = $1 AND state = 'ended' AND started_at IS NOT NULL
      AND ended_at > started_at"""
# The interviewers of the event $1 active now: in the rotation (connected, not paused), or
# holding an interview; with that interview's state, end, start and the minutes it was extended.
BUSY_SQL = """
    SELECT p.interviewer_id, i.state::text AS state, i.ends_at, i.started_at, i.extended_minutes
    FROM (SELECT interviewer_id FROM interviewer_presence
          WHERE event_id = $1 AND connected AND NOT paused
          UNION
          SELECT interviewer_id FROM interview
          WHERE event_id = $1 AND state IN ('offered', 'active')) p
    LEFT JOIN interview i ON i.interviewer_id = p.interviewer_id
                         AND i.state IN ('offered', 'active')"""


def waits_from(
    held: list[float],
    interview_minutes: int | None,
    busy: list[tuple[str | None, dt.datetime | None, dt.datetime | None, int | None]],
    now: dt.datetime,
) -> tuple[list[float], float]:
    """The waits' inputs from what AVERAGE_SQL (the interviews held: their total seconds and
    number) and BUSY_SQL read (the state, end, start and extension of each active
    interviewer's interview): the seconds until each is free
    (rules.expected_remaining_seconds), and the mean interview
    (rules.average_interview_seconds)."""
    total, count = held
    average = rules.blended_average(total, int(count), interview_minutes or 1)
    # In whole seconds: these go to every waiting page in every `queue` message
    # (queue_frames.wait_message), and a wait shown in minutes needs no finer; at a hundred
    # interviewers that is 0.4 kB a message instead of about 1.1 kB. The server works its own
    # places out from the same rounded figures, so page and server agree.
    return [
        float(
            round(
                average
                if state == "offered"
                else rules.expected_remaining_seconds(started_at, ends_at, now, average, extended or 0)
            )
        )
        for state, ends_at, started_at, extended in busy
    ], average


async def wait_inputs(
    connection: asyncpg.Connection, event_id: int, now: dt.datetime, interview_minutes: int | None
) -> tuple[list[float], float]:
    """What the estimated waits are made of (rules.estimated_waits): the seconds until each
    active interviewer is free, and the mean interview (rules.average_interview_seconds)."""
    held = await connection.fetchval(AVERAGE_SQL, event_id)
    busy = await connection.fetch(BUSY_SQL, event_id)
    return waits_from(
        list(held),
        interview_minutes,
        [(row["state"], row["ends_at"], row["started_at"], row["extended_minutes"]) for row in busy],
        now,
    )
