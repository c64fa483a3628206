"""The candidate's Janus token is renewed with every ticket they are given.

Each "accept" (the first join, a reload, another device) gives the candidate a new ticket;
its Janus token is a new one, and Janus stops taking the previous one, so a copied or
forgotten ticket opens nothing once a newer one exists (README, "How the parts fit"). The
serial in the database comes first, then Janus: should the process die in between, the
reconciler removes every token that is not the current one.
"""
from __future__ import annotations

import logging
from typing import Protocol

import asyncpg

from app.janus.connection import JanusError, JanusUnavailable
from app.live.dispatch import CANDIDATE
from app.live.errors import LiveError

log = logging.getLogger(__name__)


class TokenRenewal(Protocol):
    """What this needs of app.janus.pool.JanusPool."""
    async def renew_token(self, server: str, room_id: int, participant: int,
                          serial: int) -> None: ...


async def renew_candidate_token(connection: asyncpg.Connection, rooms: TokenRenewal,
                                interview_id: int) -> None:
    """Before a ticket is re-issued to the candidate: a new Janus token, the old one gone.
    Nothing for an interview that is not live (the caller's re-issue then refuses)."""
    row = await connection.fetchrow("""
        UPDATE interview SET candidate_token_serial = candidate_token_serial + 1
        WHERE id = $1 AND state IN ('offered', 'active') AND room_id IS NOT NULL
        RETURNING janus_server, room_id, candidate_token_serial""", interview_id)
    if row is None:
        return
    try:
        await rooms.renew_token(row["janus_server"], row["room_id"], CANDIDATE,
                                row["candidate_token_serial"])
    except (JanusUnavailable, JanusError, KeyError) as error:
        log.warning("interview %s: candidate's Janus token not renewed (%s)", interview_id,
                    type(error).__name__)
        raise LiveError("room_unavailable") from None
