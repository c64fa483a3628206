"""An event deleted (cancelled) while it is being held: its event day ends at once.

Its calls under way end and its open offers are withdrawn, each recorded with the end
reason 'event_cancelled' (migration 0046), with the notifications the event day itself
sends, so every page of the event hears it when the caller commits: the candidates' pages
show that the event is cancelled, the interviewers' lobbies say so and call nobody more (the
dispatcher refuses a cancelled event). Otherwise a call would run on to its time limit in an
event whose pages no longer open, and an open offer could still be joined. The rooms it
ends are returned: the caller closes them after its commit (leaving.close_rooms), since a
Janus call must not hold database locks.
"""

from __future__ import annotations

import asyncpg

from app.live import interviews
from app.live.interviews import RoomToClose
from app.live.queue import notify

REASON = "event_cancelled"


async def end_event_day(connection: asyncpg.Connection, event_id: int) -> list[RoomToClose]:
    """In the caller's transaction, which has set the event cancelled holding its row (so no
    dispatch comes after it). The lock order of app/live: the candidates' queue entries
    first (in the order of their ids, as a reconnect takes many), then the interviews."""
    live = await connection.fetch(
        """
        SELECT i.id FROM queue_entry q JOIN interview i ON i.candidate_id = q.candidate_id
        WHERE i.event_id = $1 AND i.state IN ('offered', 'active')
        ORDER BY q.id FOR UPDATE OF q""",
        event_id,
    )
    ids = [row["id"] for row in live]
    # The interviews' states as read above may be older than the locks: an accept that held
    # an entry meanwhile made its offer a call. So each is ended if it is a call now (a no-op
    # otherwise) and withdrawn if it is still an offer, each by a statement of its own that
    # sees what committed before it.
    rooms = [await interviews.end_interview(connection, interview_id, REASON) for interview_id in ids]
    withdrawn = await connection.fetch(
        """
        WITH offer AS (
            UPDATE interview SET state = 'withdrawn', ended_at = now(), end_reason = $2
            WHERE id = ANY($1::bigint[]) AND state = 'offered'
            RETURNING id, candidate_id, interviewer_id, janus_server, room_id, room_secret),
        entry AS (
            UPDATE queue_entry q SET state = 'waiting', updated_at = now()
            FROM offer WHERE q.candidate_id = offer.candidate_id AND q.state = 'offered')
        SELECT * FROM offer""",
        ids,
        REASON,
    )
    for row in withdrawn:
        await notify(
            connection,
            event_id,
            "offer_withdrawn",
            interview=row["id"],
            interviewer=row["interviewer_id"],
            candidate=row["candidate_id"],
            reason=REASON,
        )
        rooms.append(RoomToClose(row["janus_server"], row["room_id"], row["room_secret"]))
    if withdrawn:
        await notify(connection, event_id, "queue")
    return [room for room in rooms if room is not None]
