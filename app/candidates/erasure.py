"""Erasing a candidate: on their own request, the employer's, or after the retention time.

What goes and what stays is stated on the candidate's page and in README "Privacy":

- goes: name, e-mail address, phone number, PIN and personal link (the row keeps stand-ins
  that match nobody), the place in the queue (of an event over, its times: the entry stays
  as the fact that they checked in), the open event-day connections, the
  interviewers' notes, ratings and questions covered, the candidate's answer and comment,
  and the mails written to them (those not yet sent are deleted, the sent ones keep only
  the template, subject line and times);
- stays, with nothing that names the person: that there was a registration (when it was
  made and ended; for an event over, that it lasted to the end and whether they checked
  in, so the day's figures stay true), and each interview's interviewer, times and state
  (and whether the interest question had been answered, not the answer), for the employer's
  statistics (the summary shows such an interview as "Erased candidate").

A candidate who is waiting, has an offer or is in a call is first taken out the way the
event day itself does it (app/live/leaving.py), with its notifications, so the interviewers'
screens update when this commits. The rooms that ends are returned: the caller destroys
them after its commit, since a Janus call must not hold database locks.

Lock order as in app/live/queue.py check_in: the candidate row (FOR NO KEY UPDATE, which
a dispatch's foreign-key check does not wait for), then the queue entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import asyncpg

from app import guessing
from app.link_codes import CANDIDATE_PIN
from app.live import leaving
from app.live.event_states import EVENT_OVER
from app.live.interviews import RoomToClose
from app.mail.store import erase_mails

log = logging.getLogger(__name__)

BY = ("candidate", "employer", "retention")
RETENTION_BATCH = 100


@dataclass(frozen=True)
class Erased:
    candidate_id: int
    event_id: int
    rooms: list[RoomToClose] = field(default_factory=list)


async def _strip_interviews(connection: asyncpg.Connection, candidate_id: int) -> None:
    ids = [
        row["id"]
        for row in await connection.fetch(
            "SELECT id FROM interview WHERE candidate_id = $1 FOR NO KEY UPDATE", candidate_id
        )
    ]
    await connection.execute("DELETE FROM interview_rating WHERE interview_id = ANY($1::bigint[])", ids)
    # That an answer was there, and no more: the summary says it went with their details, and
    # one who never answered still counts as "no answer" (migration 0069).
    await connection.execute(
        """
        UPDATE interview SET answer_erased = true
        WHERE id IN (SELECT interview_id FROM interview_feedback WHERE interview_id = ANY($1::bigint[]))""",
        ids,
    )
    await connection.execute("DELETE FROM interview_feedback WHERE interview_id = ANY($1::bigint[])", ids)
    await connection.execute(
        """
        UPDATE interview SET notes = '', questions_covered = '{}'
        WHERE id = ANY($1::bigint[])""",
        ids,
    )


async def erase_candidate(connection: asyncpg.Connection, candidate_id: int, by: str) -> Erased | None:
    """Erase one registration in the caller's transaction; None when there is no such
    candidate or it was erased already (then nothing changes)."""
    if by not in BY:
        raise ValueError(f"erased by {by!r}?")
    async with connection.transaction():
        # The event first, as a candidate's own cancellation does: a new time or a
        # cancellation of the event then cannot cross this and mail someone just erased.
        # Once it was held and is over, the registration lasted to its end: it is not
        # cancelled by the erasure, and that they checked in stays (without a name), so the
        # employer's figures of the day (no-shows, those not interviewed) do not change.
        over = await connection.fetchval(
            f"""
            SELECT e.state = 'finished' OR (e.state <> 'cancelled' AND {EVENT_OVER})
            FROM event e WHERE id = (SELECT event_id FROM candidate WHERE id = $1)
            FOR SHARE""",
            candidate_id,
        )
        found = await connection.fetchrow(
            """
            SELECT id, event_id, erased_at FROM candidate WHERE id = $1
            FOR NO KEY UPDATE""",
            candidate_id,
        )
        if found is None or found["erased_at"] is not None:
            return None
        rooms = await leaving.end_on_event_day(
            connection, found["event_id"], candidate_id, "erased", by_candidate=by == "candidate"
        )
        if not over:
            await connection.execute("DELETE FROM queue_entry WHERE candidate_id = $1", candidate_id)
        else:
            # Kept as the fact that they checked in, and no more: its times (when they came,
            # waited, were last seen) are set to the event's start.
            await connection.execute(
                """
                UPDATE queue_entry q SET checked_in_at = e.starts_at, queued_at = e.starts_at,
                       waiting_since = e.starts_at, last_seen_at = e.starts_at, disconnected_at = NULL
                FROM event e WHERE e.id = q.event_id AND q.candidate_id = $1""",
                candidate_id,
            )
        await connection.execute("DELETE FROM live_connection WHERE candidate_id = $1", candidate_id)
        await _strip_interviews(connection, candidate_id)
        await erase_mails(connection, "candidate", candidate_id)
        # Guessing records hold the client addresses that tried this PIN, and the devices
        # that entered it (README "Limits on guessing"): they go with the person.
        await guessing.forget(connection, CANDIDATE_PIN.scope, str(candidate_id))
        await connection.execute(
            """
            UPDATE candidate SET name = '–', email = 'erased-' || id || '@invalid', phone = '',
                   access_token = 'erased-' || id || '-' || md5(random()::text), pin = '000000',
                   resend_window_started_at = NULL, resends_in_window = 0,
                   cancelled_at = CASE WHEN $3 THEN cancelled_at ELSE coalesce(cancelled_at, now()) END,
                   cancelled_by = CASE WHEN cancelled_at IS NOT NULL OR $3 THEN cancelled_by
                                       WHEN $2 = 'retention' THEN NULL ELSE $2 END,
                   erased_at = now(), erased_by = $2
            WHERE id = $1""",
            candidate_id,
            by,
            bool(over),
        )
    log.info("candidate %s of event %s erased (by %s)", candidate_id, found["event_id"], by)
    return Erased(candidate_id, found["event_id"], rooms)


async def erase_own_registrations(connection: asyncpg.Connection, candidate_id: int) -> Erased | None:
    """A candidate's own erasure: this registration, and the ended ones of the same event
    under the same address (cancelled, then registered again). The person proved the
    mailbox with this registration's PIN, and "your data is erased" must hold for all of
    what the event kept of them, an old personal link's data page included."""
    # One transaction (each erasure's own becomes a savepoint): all of them, or none.
    async with connection.transaction():
        others = await other_cancelled(connection, candidate_id)  # (before the address goes)
        erased = await erase_candidate(connection, candidate_id, "candidate")
        if erased is None:
            return erased
        for other in others:
            await erase_candidate(connection, other, "candidate")
    return erased


async def other_cancelled(connection: asyncpg.Connection, candidate_id: int) -> list[int]:
    """The other registrations of the candidate's event under the same address that were
    cancelled and are not yet erased (cancelled, then registered again; or, erasing from a
    cancelled one's page, the later ones cancelled too): a candidate's own erasure takes them."""
    return [
        row["id"]
        for row in await connection.fetch(
            """
            SELECT e.id FROM candidate c
            JOIN candidate e ON e.event_id = c.event_id AND lower(e.email) = lower(c.email)
            WHERE c.id = $1 AND e.id <> c.id AND e.erased_at IS NULL
                  AND e.cancelled_at IS NOT NULL""",
            candidate_id,
        )
    ]


async def erase_expired(connection: asyncpg.Connection, retention_days: int) -> int:
    """Erase, a batch at a time, every candidate whose event ended over `retention_days`
    ago; returns how many. Candidates another transaction holds are left for the next
    round (SKIP LOCKED), so any number of processes may run this at once."""
    total = 0
    while True:
        async with connection.transaction():
            ids = [
                row["id"]
                for row in await connection.fetch(
                    """
                SELECT c.id FROM candidate c JOIN event e ON e.id = c.event_id
                WHERE c.erased_at IS NULL
                  AND e.starts_at + make_interval(mins => e.duration_minutes)
                      + make_interval(days => $1) < now()
                ORDER BY c.id LIMIT $2
                FOR NO KEY UPDATE OF c SKIP LOCKED""",
                    retention_days,
                    RETENTION_BATCH,
                )
            ]
            for candidate_id in ids:
                await erase_candidate(connection, candidate_id, "retention")
        total += len(ids)
        if len(ids) < RETENTION_BATCH:
            break
    if total:
        log.info("erased %d candidate(s) %d days after their event", total, retention_days)
    return total
