"""An interview after its dispatch: the candidate joins (accept), an unanswered offer
expires (a miss), the time box runs and may be extended, and it ends.

The caller owns the transaction (several statements run under `connection.transaction()`,
a savepoint inside the caller's). Lock order, everywhere in app/live: the candidate's
queue entry first, then the interview. Leaving the queue and the dispatcher start from the
entry, so anything that starts from the interview would otherwise deadlock with them. Functions that end interviews return the rooms to
destroy: the caller does that after its commit, with dispatch.close_room, because a
Janus call must not hold database locks.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from app.live import rules
from app.live.action_bound import not_after
from app.live.errors import LiveError
from app.live.event_states import EVENT_OVER
from app.live.queue import notify, notify_interview
from app.settings import LiveSettings

INTERVIEW_COLUMNS = """id, event_id, candidate_id, interviewer_id, state, chosen_by,
    janus_server, room_id, offered_at, offer_expires_at, started_at, ends_at,
    extended_minutes, ended_at, end_reason"""


@dataclass(frozen=True)
class RoomToClose:
    server: str | None
    room_id: int | None
    secret: str | None


def _room(row: asyncpg.Record) -> RoomToClose:
    return RoomToClose(row["janus_server"], row["room_id"], row["room_secret"])


async def lock_entry_of(connection: asyncpg.Connection, interview_id: int) -> int | None:
    """Lock the queue entry of an interview's candidate (the first lock, see above); the
    candidate's id, or None for an unknown interview."""
    return await connection.fetchval(
        """
        SELECT q.candidate_id FROM queue_entry q JOIN interview i ON i.candidate_id = q.candidate_id
        WHERE i.id = $1 FOR UPDATE OF q""",
        interview_id,
    )


async def room_of_ended(connection: asyncpg.Connection, interview_id: int) -> RoomToClose | None:
    """The room of an interview that is over (an offer the candidate turned down), to
    destroy; None while it is still offered."""
    row = await connection.fetchrow(
        """
        SELECT janus_server, room_id, room_secret FROM interview
        WHERE id = $1 AND state <> 'offered'""",
        interview_id,
    )
    return None if row is None else _room(row)


def _last_ended_sql(whose: str) -> str:
    """The id of the most recently ended interview of the candidate or the interviewer $1
    (`whose`: the column), by its own index (migration 0060)."""
    return f"""
    SELECT id FROM interview WHERE state = 'ended' AND {whose} = $1
    ORDER BY ended_at DESC LIMIT 1"""


LAST_ENDED_OF_CANDIDATE = _last_ended_sql("candidate_id")
LAST_ENDED_OF_INTERVIEWER = _last_ended_sql("interviewer_id")


async def last_ended(
    connection: asyncpg.Connection, *, candidate_id: int | None = None, interviewer_id: int | None = None
) -> int | None:
    """The id of a candidate's or an interviewer's most recently ended interview."""
    if candidate_id is not None:
        return await connection.fetchval(LAST_ENDED_OF_CANDIDATE, candidate_id)
    return await connection.fetchval(LAST_ENDED_OF_INTERVIEWER, interviewer_id)


async def live_interview(
    connection: asyncpg.Connection, *, candidate_id: int | None = None, interviewer_id: int | None = None
) -> asyncpg.Record | None:
    """The offered or active interview of a candidate or an interviewer (at most one each)."""
    return await connection.fetchrow(
        f"""
        SELECT {INTERVIEW_COLUMNS} FROM interview
        WHERE state IN ('offered', 'active')
          AND (candidate_id = $1 OR interviewer_id = $2)""",
        candidate_id,
        interviewer_id,
    )


async def accept_offer(
    connection: asyncpg.Connection, interview_id: int, candidate_id: int
) -> asyncpg.Record:
    """The candidate joins in time: the interview starts and its time box with it."""
    async with connection.transaction():
        if await lock_entry_of(connection, interview_id) != candidate_id:
            raise LiveError("offer_gone")
        row = await connection.fetchrow(
            f"""
            UPDATE interview i SET state = 'active', started_at = now(),
                   ends_at = now() + make_interval(mins => e.interview_minutes)
            FROM event e
            WHERE i.id = $1 AND i.candidate_id = $2 AND i.state = 'offered'
              AND i.room_id IS NOT NULL AND i.offer_expires_at > now() AND e.id = i.event_id
            RETURNING {", ".join("i." + c.strip() for c in INTERVIEW_COLUMNS.split(","))}""",
            interview_id,
            candidate_id,
        )
        if row is None:
            raise LiveError("offer_gone")
        await connection.execute(
            """
            UPDATE queue_entry SET state = 'interviewing', updated_at = now()
            WHERE candidate_id = $1""",
            candidate_id,
        )
        await notify(
            connection,
            row["event_id"],
            "started",
            interview=interview_id,
            candidate=candidate_id,
            interviewer=row["interviewer_id"],
        )
        return row


async def give_offers_back_the_downtime(connection: asyncpg.Connection, quiet_seconds: float) -> int:
    """When no process has beaten for `quiet_seconds` (every one had stopped: a crash of the
    only one, or the database away from all), nobody could join an offer since the last beat:
    each offer of a live event still open then gets the time it had left back from now, rather
    than counting as the candidate's miss. Called in each beat of every process, with
    live_process locked, before the beat is written (app/live/connections.py beat). Returns
    how many."""
    # Asked first, alone: every beat of every process asks, and nearly always nobody was away.
    quiet = await connection.fetchval(
        "SELECT max(seen_at) < now() - make_interval(secs => $1) FROM live_process", quiet_seconds
    )
    if not quiet:
        return 0
    given = await connection.fetch(
        """
        WITH last AS (SELECT max(seen_at) AS seen FROM live_process)
        UPDATE interview i SET offer_expires_at = now() + (i.offer_expires_at - last.seen)
        FROM last
        WHERE i.state = 'offered' AND i.media_lost_at IS NULL
          AND last.seen < now() - make_interval(secs => $1)
          AND i.offer_expires_at > last.seen
          AND EXISTS (SELECT 1 FROM event e WHERE e.id = i.event_id AND e.state = 'live')
        RETURNING i.id, i.event_id, i.candidate_id, i.interviewer_id""",
        quiet_seconds,
    )
    for row in given:
        # Pages of processes that lived through it (the database away from all of them)
        # draw the new time from the next state.
        await notify_interview(connection, row, "offer_extended")
    return len(given)


async def expire_offers(connection: asyncpg.Connection) -> list[RoomToClose]:
    """Unanswered offers past their time become missed: the candidate goes back to
    the end of the queue the first time and out of it (left, 'missed') the second; the
    interviewer is free for the next. An offer that never got a room (its process died
    before making it) fails instead and the candidate keeps the place: not their fault.
    Any number of processes may run this at once (SKIP LOCKED)."""
    async with connection.transaction():
        # Entries first (the lock order); one busy elsewhere is left for the next sweep.
        due = await connection.fetch("""
            SELECT i.id FROM interview i JOIN queue_entry q ON q.candidate_id = i.candidate_id
            WHERE i.state = 'offered' AND i.offer_expires_at <= now()
              AND i.media_lost_at IS NULL  -- the clock stands while the media is down
            FOR UPDATE OF q SKIP LOCKED""")
        # The conditions again: the interview may have been accepted before the lock came.
        expired = await connection.fetch(
            """
            UPDATE interview i SET
                state = CASE WHEN i.room_id IS NULL THEN 'failed' ELSE 'missed' END,
                end_reason = CASE WHEN i.room_id IS NULL THEN 'room' ELSE 'offer_expired' END,
                ended_at = now()
            WHERE i.id = ANY($1::bigint[]) AND i.state = 'offered'
              AND i.offer_expires_at <= now() AND i.media_lost_at IS NULL
            RETURNING i.id, i.event_id, i.candidate_id, i.interviewer_id, i.state,
                      i.janus_server, i.room_id, i.room_secret""",
            [r["id"] for r in due],
        )
        for row in expired:
            if row["state"] == "missed":
                # Back at the end: at the front, the interviewer's next Next would offer
                # the same absent candidate again.
                await connection.execute(
                    """
                    UPDATE queue_entry SET
                        missed_count = missed_count + 1,
                        state = CASE WHEN missed_count + 1 >= $2 THEN 'left' ELSE 'waiting' END,
                        left_reason = CASE WHEN missed_count + 1 >= $2 THEN 'missed' END,
                        queued_at = CASE WHEN missed_count + 1 >= $2 THEN queued_at
                                         ELSE now() END,
                        updated_at = now()
                    WHERE candidate_id = $1 AND state = 'offered'""",
                    row["candidate_id"],
                    rules.MAX_MISSES,
                )
            else:
                await connection.execute(
                    """
                    UPDATE queue_entry SET state = 'waiting', updated_at = now()
                    WHERE candidate_id = $1 AND state = 'offered'""",
                    row["candidate_id"],
                )
            # A room never made is no miss: both pages say the video service failed.
            await notify_interview(
                connection, row, "offer_missed" if row["state"] == "missed" else "offer_failed"
            )
        for event_id in sorted({row["event_id"] for row in expired}):
            await notify(connection, event_id, "queue")
        return [_room(row) for row in expired if row["room_id"] is not None]


async def withdraw_offer(connection: asyncpg.Connection, interviewer_id: int) -> RoomToClose | None:
    """The interviewer takes back an offer the candidate has not taken up (they chose the
    wrong person, or must step away). The candidate gets the old place back: not a miss.
    Refused (`offer_gone`) when the interviewer has no open offer, e.g. it was accepted."""
    async with connection.transaction():
        candidate_id = await connection.fetchval(
            """
            SELECT candidate_id FROM interview
            WHERE interviewer_id = $1 AND state = 'offered'""",
            interviewer_id,
        )
        if candidate_id is None:
            raise LiveError("offer_gone")
        await connection.execute(  # the entry first: the lock order above
            "SELECT 1 FROM queue_entry WHERE candidate_id = $1 FOR UPDATE", candidate_id
        )
        row = await connection.fetchrow(
            """
            UPDATE interview SET state = 'withdrawn', ended_at = now(), end_reason = 'withdrawn'
            WHERE interviewer_id = $1 AND candidate_id = $2 AND state = 'offered'
            RETURNING id, event_id, janus_server, room_id, room_secret""",
            interviewer_id,
            candidate_id,
        )
        if row is None:  # accepted or expired while we waited for the lock
            raise LiveError("offer_gone")
        await connection.execute(
            """
            UPDATE queue_entry SET state = 'waiting', updated_at = now()
            WHERE candidate_id = $1 AND state = 'offered'""",
            candidate_id,
        )
        await notify(
            connection,
            row["event_id"],
            "offer_withdrawn",
            interview=row["id"],
            interviewer=interviewer_id,
            candidate=candidate_id,
            reason="withdrawn",
        )
        await notify(connection, row["event_id"], "queue")
        return _room(row)


async def end_interview(connection: asyncpg.Connection, interview_id: int, reason: str) -> RoomToClose | None:
    """End an active interview ('interviewer', 'candidate' or 'time'; or the registration's
    end, app/live/leaving.py: 'cancelled', 'removed', 'erased'); the candidate is
    done. None when it was not active (already ended: ending twice is harmless). One
    statement (live_end_interview, migration 0024), in the caller's transaction if any."""
    row = await connection.fetchrow("SELECT * FROM live_end_interview($1, NULL, $2)", interview_id, reason)
    return _ended_room(row)


async def end_own_interview(connection: asyncpg.Connection, interviewer_id: int) -> RoomToClose | None:
    """The interviewer's *End*: their running interview ends (as end_interview). Refused
    (`not_active`) when they have none. Not after the press was given up on (live_in_time:
    app/live/action_bound.py)."""
    row = await connection.fetchrow(
        "SELECT * FROM live_end_interview(NULL, live_in_time($2::timestamptz, $1::bigint), 'interviewer')",
        interviewer_id,
        not_after(),
    )
    if row["o_interview"] is None:
        raise LiveError("not_active")
    return _ended_room(row)


def _ended_room(row: asyncpg.Record) -> RoomToClose | None:
    if not row["o_ended"]:
        return None
    return RoomToClose(row["o_server"], row["o_room"], row["o_secret"])


async def end_due_interviews(connection: asyncpg.Connection) -> list[RoomToClose]:
    """At the limit an interview ends by itself (its time box); not while its media server is
    lost (media_lost_at): its end moves on by the time lost when a new room is made.

    The interview's row is locked here too, skipped when taken: an *Extend* whose
    transaction holds it (pressed in the last moment) would otherwise be waited for, and
    the interview ended all the same once it committed (the end's statement checks only that
    it is active), the extension granted and lost. Skipped, it is seen with its new end by
    the next sweep; an extension pressed after this lock waits for it and is refused."""
    async with connection.transaction():
        ids = await connection.fetch("""
            SELECT i.id FROM interview i JOIN queue_entry q ON q.candidate_id = i.candidate_id
            WHERE i.state = 'active' AND i.ends_at <= now()
              AND i.media_lost_at IS NULL  -- the clock stands while the media is down
            FOR UPDATE OF q SKIP LOCKED FOR NO KEY UPDATE OF i SKIP LOCKED""")
        rooms = [await end_interview(connection, row["id"], "time") for row in ids]
    return [room for room in rooms if room is not None]


async def extend_interview(
    connection: asyncpg.Connection, interview_id: int, interviewer_id: int, live: LiveSettings
) -> asyncpg.Record:
    """The interviewer adds `live.extend_minutes`, or what is left of
    `live.extend_limit_minutes` when that is less; both sides get the new end time.
    Refused (`extend_limit`) once the interview has been extended by the limit, and
    (`event_over`) once the event is over, by its clock or ended early by its organizer: an
    interview under way then goes on to its end, and no further. What is added is worked out
    from the row itself, so that two presses at once (two windows, two processes) cannot both
    add: the second, waiting for the first's lock, reads the row again.

    The event's row is held FOR SHARE meanwhile, as a dispatch holds it: *End the event now*
    (which holds it FOR UPDATE) and the sweep that finishes an event come wholly before or
    after an extension. One pressed while the event is being ended waits for that end and is
    refused; one granted first is committed before the end, which then records its moment
    after it. Without the lock, an extension read the event as it was before an end not yet
    committed, and was granted after it."""
    async with connection.transaction():
        row = await connection.fetchrow(
            f"""
            WITH open_event AS (
                SELECT e.id FROM event e
                WHERE e.id = (SELECT event_id FROM interview WHERE id = $1) AND NOT {EVENT_OVER}
                FOR SHARE)
            UPDATE interview
            SET extended_minutes = extended_minutes + least($3::int, $4::int - extended_minutes),
                ends_at = ends_at + make_interval(mins => least($3::int, $4::int - extended_minutes))
            WHERE id = $1 AND interviewer_id = $2 AND state = 'active' AND ends_at > now()
              AND extended_minutes < $4::int AND event_id IN (SELECT id FROM open_event)
            RETURNING id, event_id, candidate_id, ends_at, extended_minutes""",
            interview_id,
            interviewer_id,
            live.extend_minutes,
            live.extend_limit_minutes,
        )
        if row is None:
            raise LiveError(await _why_not_extended(connection, interview_id, interviewer_id, live))
        await notify(connection, row["event_id"], "extended", interview=interview_id)
        return row


async def _why_not_extended(
    connection: asyncpg.Connection, interview_id: int, interviewer_id: int, live: LiveSettings
) -> str:
    """The refusal of an Extend that changed nothing (asked only then)."""
    row = await connection.fetchrow(
        f"""SELECT i.extended_minutes >= $3 AS at_limit, {EVENT_OVER} AS event_over
            FROM interview i JOIN event e ON e.id = i.event_id
            WHERE i.id = $1 AND i.interviewer_id = $2 AND i.state = 'active' AND i.ends_at > now()""",
        interview_id,
        interviewer_id,
        live.extend_limit_minutes,
    )
    if row is None:
        return "not_active"
    return "event_over" if row["event_over"] else "extend_limit" if row["at_limit"] else "not_active"


# Each side's columns for `set_devices`: fixed names, never from input.
_DEVICE_COLUMNS = {
    "candidate": (
        "candidate_id",
        "candidate_microphone_off",
        "candidate_camera_off",
        "candidate_media_problem",
    ),
    "interviewer": (
        "interviewer_id",
        "interviewer_microphone_off",
        "interviewer_camera_off",
        "interviewer_media_problem",
    ),
}


async def set_devices(
    connection: asyncpg.Connection,
    side: str,
    person_id: int,
    microphone: bool,
    camera: bool,
    problem: str | None = None,
) -> None:
    """Which of their microphone and camera the person (`side`: candidate or interviewer)
    has on in their offered or active interview, and why their page could not start them
    (`problem`, None when it could); the other side's page is told when it changed.
    Nothing when they have none (a page that says it before the offer, or after)."""
    person, microphone_off, camera_off, media_problem = _DEVICE_COLUMNS[side]
    async with connection.transaction():  # the change and its notice, or neither
        row = await connection.fetchrow(
            f"""
            UPDATE interview SET {microphone_off} = NOT $2, {camera_off} = NOT $3, {media_problem} = $4
            WHERE {person} = $1 AND state IN ('offered', 'active')
              AND ({microphone_off} = $2 OR {camera_off} = $3 OR {media_problem} IS DISTINCT FROM $4)
            RETURNING id, event_id""",
            person_id,
            microphone,
            camera,
            problem,
        )
        if row is not None:
            await notify(connection, row["event_id"], "devices", interview=row["id"])


async def forget_media_problems(connection: asyncpg.Connection, side: str, person_ids: list[int]) -> None:
    """These people (`side`) have no page open any more: none of theirs is being shown
    what to do about a camera that would not start, so the other side is no longer told
    that (`set_devices`' `problem`); it waits for them as for anyone away."""
    person, _, _, media_problem = _DEVICE_COLUMNS[side]
    rows = await connection.fetch(
        f"""
        UPDATE interview SET {media_problem} = NULL
        WHERE {person} = ANY($1::bigint[]) AND state IN ('offered', 'active') AND {media_problem} IS NOT NULL
        RETURNING id, event_id""",
        person_ids,
    )
    for row in rows:
        await notify(connection, row["event_id"], "devices", interview=row["id"])


async def planned_end(connection: asyncpg.Connection, interview_id: int) -> float | None:
    """When a live interview is due to end (Unix seconds): its end when it runs, else the
    offer's deadline plus the interview's length. None when it is not live."""
    return await connection.fetchval(
        """
        SELECT extract(epoch FROM coalesce(
                   i.ends_at, i.offer_expires_at + make_interval(mins => e.interview_minutes)))
        FROM interview i JOIN event e ON e.id = i.event_id
        WHERE i.id = $1 AND i.state IN ('offered', 'active')""",
        interview_id,
    )
