"""The interviewers' short messages to everyone waiting in their event's queue."""

from __future__ import annotations

import asyncpg

from app.live.queue import notify


async def post(connection: asyncpg.Connection, event_id: int, interviewer_id: int, text: str) -> None:
    """Kept with the event and announced: every waiting candidate's state carries it."""
    async with connection.transaction():
        await connection.execute(
            """
            INSERT INTO live_message (event_id, interviewer_id, text)
            VALUES ($1, $2, $3)""",
            event_id,
            interviewer_id,
            text,
        )
        await notify(connection, event_id, "message")
