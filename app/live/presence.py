"""Whether an interviewer is in the rotation: connected and not paused. The estimated
waits count these interviewers (plus any holding an interview). The caller owns the
transaction."""

from __future__ import annotations

import asyncpg

from app.live.action_bound import not_after
from app.live.queue import notify


async def set_presence(
    connection: asyncpg.Connection,
    interviewer_id: int,
    *,
    connected: bool | None = None,
    paused: bool | None = None,
) -> bool:
    """Record a change (None leaves that part as it is); False for an unknown interviewer.
    The statement is its own transaction: in a live action (a *Pause*) it does nothing when
    a backend that hung reads it only after the action was given up on (live_in_time,
    app/live/action_bound.py), as a pause the page was told failed must not come true later."""
    row = await connection.fetchrow(
        """
        INSERT INTO interviewer_presence (interviewer_id, event_id, connected, paused)
        SELECT id, event_id, coalesce($2, true), coalesce($3, false)
        FROM event_interviewer WHERE id = (SELECT live_in_time($4::timestamptz, $1::bigint))
        ON CONFLICT (interviewer_id) DO UPDATE SET
            connected = coalesce($2, interviewer_presence.connected),
            paused = coalesce($3, interviewer_presence.paused),
            updated_at = now()
        RETURNING event_id""",
        interviewer_id,
        connected,
        paused,
        not_after(),
    )
    if row is None:
        return False
    # The estimated waits depend on how many interviewers are active.
    await notify(connection, row["event_id"], "queue")
    return True
