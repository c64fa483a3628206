"""A registration ended before the event, by the candidate (*Cancel my registration*) or by
the employer (*Remove*): the row marked, the event day left (out of the queue, an offer
withdrawn, a call ended) and the cancellation mailed, all in the caller's transaction."""

from __future__ import annotations

import asyncpg

from app.candidates import mails, queries
from app.live import leaving
from app.live.interviews import RoomToClose
from app.mail.outbox import Mailer


async def end_registration(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    event: asyncpg.Record,
    candidate: asyncpg.Record,
    *,
    by_employer: bool,
) -> list[RoomToClose] | None:
    """The rooms whose calls it ended, for the caller to close after its commit (a Janus call
    must not hold database locks); None when the registration had ended already. The caller
    holds the event's row, so a move or a deletion of the event cannot cross this and mail a
    candidate who has just left."""
    if not await queries.cancel(connection, candidate["id"], "employer" if by_employer else "candidate"):
        return None
    rooms = await leaving.end_on_event_day(
        connection,
        event["id"],
        candidate["id"],
        "removed" if by_employer else "cancelled",
        by_candidate=not by_employer,
    )
    await mails.send_cancellation(connection, mailer, public_url, event, candidate, by_employer=by_employer)
    return rooms
