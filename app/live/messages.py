"""The interviewers' short messages to everyone waiting in their event's queue."""

from __future__ import annotations

import asyncpg

from app.live.queue import notify


async def post(connection: asyncpg.Connection, event_id: int, interviewer_id: int, text: str) -> bool:
    """Kept with the event and announced: every waiting candidate's state carries it. False
    for an interviewer no longer of the event (taken off it while their page was open)."""
    async with connection.transaction():
        status = await connection.execute(
            """
            INSERT INTO live_message (event_id, interviewer_id, text)
            SELECT event_id, id, $3 FROM event_interviewer WHERE id = $2 AND event_id = $1""",
            event_id,
            interviewer_id,
            text,
        )
        if status == "INSERT 0 0":
            return False
        await notify(connection, event_id, "message")
    return True
