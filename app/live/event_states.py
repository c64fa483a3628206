"""The event's state follows the clock: published → live when check-in opens, and live →
finished once its time is over and no interview is still going (the time box ends those at their
limit, so this waits minutes at most). The summary is open to interviewers from then on,
and the event counts as past everywhere. Any process may run it; each change is one UPDATE.
"""

from __future__ import annotations

import asyncpg

from app.live.queue import notify
from app.settings import LiveSettings


async def advance_event_states(
    connection: asyncpg.Connection, live: LiveSettings, event_id: int | None = None
) -> list[int]:
    """Move every event whose time has come (or only `event_id`'s: an event ended early is
    finished at once when no interview of it goes on); the ids of those that changed."""
    rows = await connection.fetch(
        """
        UPDATE event e SET state = CASE
                   WHEN now() >= e.starts_at + make_interval(mins => e.duration_minutes)
                   THEN 'finished'::event_state ELSE 'live'::event_state END,
               updated_at = now()
        WHERE e.deleted_at IS NULL AND e.state IN ('published', 'live')
          AND ($2::bigint IS NULL OR e.id = $2)
          AND (
            (e.state = 'published'
             AND now() >= e.starts_at - make_interval(mins => $1)
             AND now() < e.starts_at + make_interval(mins => e.duration_minutes))
            OR (now() >= e.starts_at + make_interval(mins => e.duration_minutes)
                AND NOT EXISTS (SELECT 1 FROM interview i WHERE i.event_id = e.id
                                AND i.state IN ('offered', 'active'))))
        RETURNING e.id""",
        live.checkin_opens_minutes,
        event_id,
    )
    for row in rows:
        await notify(connection, row["id"], "event_state")
    return [row["id"] for row in rows]
