"""The event's state follows the clock: published → live when check-in opens, and live →
finished once its time is over and no interview is still going (the time box ends those at their
limit, so this waits minutes at most). The summary is open to interviewers from then on,
and the event counts as past everywhere. Any process may run it; each change is one UPDATE.
"""

from __future__ import annotations

import asyncpg

from app.live.queue import notify
from app.settings import LiveSettings


# Whether an event (e, its row) is over: ended early by its organizer (whatever a clock read
# before the end says: app/events/queries.py end_early), or its time is up.
EVENT_OVER = """(e.ended_early_at IS NOT NULL
                 OR now() >= e.starts_at + make_interval(mins => e.duration_minutes))"""

# The events whose state the clock moves: published ones once check-in opens (before their
# end), and published or live ones once over, when no interview of them is offered or going.
_DUE = f"""
    e.deleted_at IS NULL AND e.state IN ('published', 'live')
    AND ($2::bigint IS NULL OR e.id = $2)
    AND ((e.state = 'published'
          AND now() >= e.starts_at - make_interval(mins => $1) AND NOT {EVENT_OVER})
         OR ({EVENT_OVER}
             AND NOT EXISTS (SELECT 1 FROM interview i WHERE i.event_id = e.id
                             AND i.state IN ('offered', 'active'))))"""


async def advance_event_states(
    connection: asyncpg.Connection, live: LiveSettings, event_id: int | None = None
) -> list[int]:
    """Move every event whose time has come (or only `event_id`'s: an event ended early is
    finished at once when no interview of it goes on); the ids of those that changed.

    The rows are locked first, and the change is a second statement: one statement would
    look for the interviews under way in its snapshot, taken before the lock, and miss an
    offer or a call committed by the *Next* or *Extend* that held the event's row meanwhile
    (both hold it FOR SHARE), finishing an event with an interview still under way. An event
    held by one of them now is skipped (SKIP LOCKED): the next sweep takes it, and no sweep
    waits on a busy event nor, locking several, in a circle with a batch of presses."""
    async with connection.transaction():
        due = await connection.fetch(
            f"SELECT e.id FROM event e WHERE {_DUE} FOR NO KEY UPDATE SKIP LOCKED",
            live.checkin_opens_minutes,
            event_id,
        )
        if not due:
            return []
        rows = await connection.fetch(
            f"""
            UPDATE event e SET state = CASE WHEN {EVENT_OVER}
                                       THEN 'finished'::event_state ELSE 'live'::event_state END,
                   updated_at = now()
            WHERE e.id = ANY($3::bigint[]) AND {_DUE}
            RETURNING e.id""",
            live.checkin_opens_minutes,
            event_id,
            [row["id"] for row in due],
        )
        for row in rows:
            await notify(connection, row["id"], "event_state")
    return [row["id"] for row in rows]
