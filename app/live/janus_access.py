"""A browser's way into Janus: the join info a ticket opens, and the candidate's Janus
token, renewed with every ticket they are given.

The join info (`join_info`) is what `POST /api/join` answers for a ticket (app/views/join.py),
and what the `ticket` and `dispatched` replies carry beside their ticket, so that a page going
straight to Janus saves that round trip (PROTOCOL.md, "Join info"): the same reading of the
same ticket, with the same TURN credentials (until the interview's planned end, which the
replies have from the statement that dispatched or joined, and the endpoint reads), sent
only to the ticket's holder.

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
from app.live.call_tickets import CANDIDATE
from app.live.errors import LiveError
from app.live.interviews import planned_end
from app.settings import Settings
from app.tickets import JoinInfo, ticket_interview, with_turn

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


def join_info(settings: Settings, info: JoinInfo, planned_end: float | None) -> dict[str, object]:
    """What the browser holding the ticket `info` was read from needs to join its room, for
    janus.js: with TURN configured, relay credentials of its own that last until a little
    after `planned_end`, its interview's planned end (Unix seconds; None: no interview that
    is live, and no credentials). Nothing is read: the replies have the end at hand."""
    if ticket_interview(info) is not None:
        info = with_turn(settings, info, planned_end)
    return info.for_browser()


async def read_planned_end(settings: Settings, pool: asyncpg.Pool, info: JoinInfo) -> float | None:
    """The planned end of the live interview the ticket `info` is for, for `join_info` at
    POST /api/join: read only where TURN needs it (the replies have it from the statement
    that dispatched or joined)."""
    interview_id = ticket_interview(info)
    if interview_id is None or not settings.turn.urls:
        return None
    async with pool.acquire() as connection:
        until = await planned_end(connection, interview_id)
    return None if until is None else float(until)
