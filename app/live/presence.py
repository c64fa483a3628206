"""Whether an interviewer is in the rotation: connected and not paused. The estimated
waits count these interviewers (plus any holding an interview). The caller owns the
transaction."""

from __future__ import annotations

import asyncpg

from app.live.queue import notify


async def set_presence(
    connection: asyncpg.Connection,
    interviewer_id: int,
    *,
    connected: bool | None = None,
    paused: bool | None = None,
) -> bool:
    """Record a change (None leaves that part as it is); False for an unknown interviewer."""
    row = await connection.fetchrow(
        """
        INSERT INTO interviewer_presence (interviewer_id, event_id, connected, paused)
        SELECT id, event_id, coalesce($2, true), coalesce($3, false)
        FROM event_interviewer WHERE id = $1
        ON CONFLICT (interviewer_id) DO UPDATE SET
            connected = coalesce($2, interviewer_presence.connected),
            paused = coalesce($3, interviewer_presence.paused),
            updated_at = now()
        RETURNING event_id""",
        interviewer_id,
        connected,
        paused,
    )
    if row is None:
        return False
    # The estimated waits depend on how many interviewers are active.
    await notify(connection, row["event_id"], "queue")
    return True
