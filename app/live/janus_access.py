"""The candidate's Janus token is renewed with every ticket they are given.

Each "accept" (the first join, a reload, another device) gives the candidate a new ticket;
its Janus token is a new one, and Janus stops taking the previous one, so a copied or
forgotten ticket opens nothing once a newer one exists (README, "How the parts fit"). The
serial in the database comes first, then Janus: should the process die in between, the
reconciler removes every token that is not the current one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from app.janus.connection import JanusError, JanusUnavailable
from app.live.dispatch import CANDIDATE
from app.live.errors import LiveError

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


async def install_token(rooms: TokenRenewal, interview_id: int, token: NewToken) -> None:
    """The new token on Janus, the old one gone: with no database connection held, as a
    Janus call may take long."""
    try:
        await rooms.renew_token(token.server, token.room_id, CANDIDATE, token.serial)
    except (JanusUnavailable, JanusError, KeyError) as error:
        log.warning(
            "interview %s: candidate's Janus token not renewed (%s)", interview_id, type(error).__name__
        )
        raise LiveError("room_unavailable") from None
