"""A browser's way into Janus: the join info a ticket opens, and the candidate's Janus
token, renewed with every ticket they are given.

The join info (`join_info`) is what `POST /api/join` answers for a ticket (app/views/join.py),
and what the `ticket` and `dispatched` replies carry beside their ticket, so that a page going
straight to Janus saves that round trip (PROTOCOL.md, "Replies"): the same reading of the
same ticket, with the same TURN credentials, sent only to the ticket's holder.

Each "accept" (the first join, a reload, another device) gives the candidate a new ticket.
The first carries the token the room was made with (serial 0, installed with the room and
never in a ticket before: migration 0035), so Janus need not be asked anything before it
goes; every later one carries a new token, and Janus stops taking the previous one, so a
copied or forgotten ticket opens nothing once a newer one exists (README, "How the parts
fit"). The serial in the database comes first, then Janus: should the process die in
between, the reconciler removes every token that is not the current one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from app.janus.connection import JanusError, JanusUnavailable
from app.live.dispatch import CANDIDATE
from app.live.errors import LiveError
from app.live.interviews import planned_end
from app.live.urgent_pool import UrgentFirst
from app.settings import Settings
from app.tickets import read_ticket, ticket_interview, with_turn

log = logging.getLogger(__name__)


class TokenRenewal(Protocol):
    """What this needs of app.janus.pool.JanusPool."""

    async def renew_token(self, server: str, room_id: int, participant: int, serial: int) -> None: ...


@dataclass(frozen=True)
class NewToken:
    """The candidate's next Janus token, counted in the database, not yet on Janus."""

    server: str
    room_id: int
    serial: int


async def next_token(connection: asyncpg.Connection, interview_id: int) -> NewToken | None:
    """Before a ticket is re-issued to the candidate: the next token's serial. None for an
    interview that is not live (the caller's re-issue then refuses)."""
    row = await connection.fetchrow(
        """
        UPDATE interview SET candidate_token_serial = candidate_token_serial + 1
        WHERE id = $1 AND state IN ('offered', 'active') AND room_id IS NOT NULL
        RETURNING janus_server, room_id, candidate_token_serial""",
        interview_id,
    )
    return (
        None if row is None else NewToken(row["janus_server"], row["room_id"], row["candidate_token_serial"])
    )


# The serial of the token each room is made with (app/janus/pool.py create_private_room).
ROOMS_OWN_SERIAL = 0


async def install_token(rooms: TokenRenewal, interview_id: int, token: NewToken) -> None:
    """The new token on Janus, the old one gone: with no database connection held, as a
    Janus call may take long. Nothing to do for the room's own token (the first join's)."""
    if token.serial == ROOMS_OWN_SERIAL:
        return
    try:
        await rooms.renew_token(token.server, token.room_id, CANDIDATE, token.serial)
    except (JanusUnavailable, JanusError, KeyError) as error:
        log.warning(
            "interview %s: candidate's Janus token not renewed (%s)", interview_id, type(error).__name__
        )
        raise LiveError("room_unavailable") from None


async def join_info(
    settings: Settings, connections: asyncpg.Pool | UrgentFirst, ticket: str
) -> dict[str, object]:
    """What the browser holding `ticket` needs to join its room, for Janus.js: with TURN
    configured, relay credentials of its own that last until a little after the ticket's
    interview is due to end (app/turn.py; one read of that end from `connections`). Raises
    app.tickets.TicketError when the ticket is not genuine or has expired."""
    info = read_ticket(settings, ticket)
    interview_id = ticket_interview(info)
    if interview_id is not None and settings.turn.urls:
        async with connections.acquire() as connection:
            until = await planned_end(connection, interview_id)
        info = with_turn(settings, info, None if until is None else float(until))
    return info.for_browser()
