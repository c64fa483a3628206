"""Which page of an interviewer holds the call of their interview. An interviewer may have
the meeting web open in several windows or devices (the mail link clicked twice, a phone
beside the laptop); each would join the Janus room and publish its camera and microphone:
the candidate would see the phone lying on the desk, the sound would echo. So one page
holds the call (`interview.call_page`, a random id the page keeps in its tab), and the
others say that the interview is open in another window and offer to take it over.

The page that called the candidate in takes it at once (`take`); any other page asks, and
holds it only when no page does yet and the interview has begun (PROTOCOL.md, "One
interviewer, several windows"). The caller owns the transaction."""

from __future__ import annotations

import asyncpg

from app.live.errors import LiveError
from app.live.queue import notify


async def hold_call(
    connection: asyncpg.Connection, interview_id: int, interviewer_id: int, page: str, *, take: bool
) -> bool:
    """Whether `page` holds the call of the interviewer's offered or active interview now.
    With `take`, it does from now on, and the page that held it is told (`call_taken`)."""
    async with connection.transaction():
        row = await connection.fetchrow(
            """
            SELECT event_id, state, call_page FROM interview
            WHERE id = $1 AND interviewer_id = $2 AND state IN ('offered', 'active')
            FOR NO KEY UPDATE""",
            interview_id,
            interviewer_id,
        )
        if row is None:
            raise LiveError("not_active")
        if row["call_page"] == page:
            return True
        # Unheld while offered: the page that called the candidate in is taking it.
        free = row["call_page"] is None and row["state"] == "active"
        if not (take or free):
            return False
        await connection.execute("UPDATE interview SET call_page = $2 WHERE id = $1", interview_id, page)
        if row["call_page"] is not None:
            await notify(
                connection,
                row["event_id"],
                "call_taken",
                interviewer=interviewer_id,
                interview=interview_id,
                page=page,
            )
        return True
