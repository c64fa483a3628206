"""The interviewers' short messages to everyone waiting in their event's queue."""

from __future__ import annotations

import asyncpg

from app.live.queue import OPEN_EVENT_STATES, notify


async def post(connection: asyncpg.Connection, event_id: int, interviewer_id: int, text: str) -> str | None:
    """Kept with the event and announced: every waiting candidate's state carries it. None
    when posted; else why not, a LiveError code: "unknown_interviewer" (taken off the event
    while their page was open), "event_not_open" (the event is over, cancelled or deleted:
    nobody waits to read it, and a page opened later would still show it)."""
    async with connection.transaction():
        found = await connection.fetchrow(
            """
            SELECT e.state::text AS state, e.deleted_at
            FROM event_interviewer i JOIN event e ON e.id = i.event_id
            WHERE i.id = $2 AND i.event_id = $1""",
            event_id,
            interviewer_id,
        )
        if found is None:
            return "unknown_interviewer"
        if found["state"] not in OPEN_EVENT_STATES or found["deleted_at"] is not None:
            return "event_not_open"
        await connection.execute(
            "INSERT INTO live_message (event_id, interviewer_id, text) VALUES ($1, $2, $3)",
            event_id,
            interviewer_id,
            text,
        )
        await notify(connection, event_id, "message")
    return None
