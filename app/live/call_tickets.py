"""An interview's tickets: what each side's browser needs to enter the interview's Janus room
(app/tickets.py mints them), from the dispatch, a candidate's *Join* or a reconnect.

The room's allow-list holds two tokens, the candidate's first. The candidate's is counted
(`candidate_token_serial`): a *Join* again hands out a fresh one, so that an old page's token
no longer enters (app/live/janus_access.py). The offered candidate's ticket before *Join*
(`prepared_offer`) only shows their page the way to their Janus server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NamedTuple

import asyncpg

from app.janus.rooms import Room
from app.live.action_bound import not_after
from app.live.errors import LiveError
from app.settings import Settings
from app.tickets import UnknownJanusServer, mint_ticket

log = logging.getLogger(__name__)


# The allow-list of an interview's room: the candidate's token first, the interviewer's second.
CANDIDATE, INTERVIEWER = 0, 1


class Tickets(NamedTuple):
    """Both sides' tickets for an interview's current room, and that room's generation."""

    candidate: str
    interviewer: str
    room: int


def interview_tickets(
    settings: Settings,
    room: Room,
    interview_id: int,
    candidate_name: str,
    interviewer_name: str,
    candidate_serial: int = 0,
    janus_url: str | None = None,
) -> tuple[str, str]:
    """(the candidate's ticket, the interviewer's ticket) for one interview's room.
    `janus_url`: where browsers reach its server, when the caller knows it."""
    return (
        mint_ticket(
            settings,
            room,
            CANDIDATE,
            "candidate",
            candidate_name,
            f"interview:{interview_id}:candidate",
            token_serial=candidate_serial,
            janus_url=janus_url,
        ),
        interviewer_ticket(settings, room, interview_id, interviewer_name, janus_url),
    )


def interviewer_ticket(
    settings: Settings,
    room: Room,
    interview_id: int,
    interviewer_name: str,
    janus_url: str | None = None,
    now: float | None = None,
) -> str:
    """The interviewer's ticket for one interview's room (interview_tickets' second)."""
    return mint_ticket(
        settings,
        room,
        INTERVIEWER,
        "interviewer",
        interviewer_name,
        f"interview:{interview_id}:interviewer",
        now=now,
        janus_url=janus_url,
    )


async def reissue_tickets(
    connection: asyncpg.Connection, settings: Settings, interview_id: int
) -> Tickets | None:
    """New tickets for a live interview's room, from what the database keeps: for a
    participant who reconnects, in whichever process. None when it is not live.

    The server's public URL is read with the room: another replica may have placed it on a
    server added a moment ago, before this process heard of it (DEPLOYMENT.md, "The Janus
    fleet"). With `janus.fleet = "settings"` the settings' URLs alone count. A server that
    is nowhere (removed meanwhile): LiveError room_unavailable; the reconciler moves the
    interview and both pages get the new room."""
    row = await connection.fetchrow(
        """
        SELECT i.janus_server, i.room_id, i.room_pin, i.room_secret, i.room_tokens,
               i.candidate_token_serial, i.room_generation,
               c.name AS candidate_name, coalesce(nullif(w.name, ''), 'interviewer') AS interviewer_name,
               s.public_url
        FROM interview i JOIN candidate c ON c.id = i.candidate_id
             JOIN event_interviewer w ON w.id = i.interviewer_id
             LEFT JOIN janus_server s ON s.name = i.janus_server AND $2
        WHERE i.id = $1 AND i.state IN ('offered', 'active') AND i.room_id IS NOT NULL""",
        interview_id,
        settings.janus.fleet == "database",
    )
    if row is None:
        return None
    room = Room(
        row["janus_server"], row["room_id"], row["room_pin"], row["room_secret"], tuple(row["room_tokens"])
    )
    try:
        candidate, interviewer = interview_tickets(
            settings,
            room,
            interview_id,
            row["candidate_name"],
            row["interviewer_name"],
            row["candidate_token_serial"],
            row["public_url"],
        )
    except UnknownJanusServer:
        log.warning("interview %s: its room's server %s is not in the fleet", interview_id, room.server)
        raise LiveError("room_unavailable") from None
    return Tickets(candidate, interviewer, row["room_generation"])


@dataclass(frozen=True)
class Joined:
    """A candidate's *Join* (join_offer): the interview, the candidate's Janus token
    (counted in the database, for Janus once the connection is back: a join again's new one)
    and their ticket."""

    interview_id: int
    token_serial: int
    room: Room
    room_generation: int  # one more for each move to a new room (app/live/reconciler.py)
    ticket: str
    ends_at: float | None = None  # Unix seconds: the interview's end (for the TURN credentials)


async def join_offer(connection: asyncpg.Connection, settings: Settings, candidate_id: int) -> Joined | int:
    """The candidate joins their offered interview (it starts), or their running one again (a
    reload): one statement (live_accept, migration 0027). The interview's id instead when its
    room is not made yet (the caller waits for it: roomless.wait_for_room, then asks again). Refused
    (`offer_gone`) when there is no offer, or it expired or was withdrawn meanwhile."""
    # Not after the Join was given up on (live_in_time: app/live/action_bound.py).
    row = await connection.fetchrow(
        "SELECT * FROM live_accept(live_in_time($2::timestamptz, $1::bigint))", candidate_id, not_after()
    )
    if row["o_outcome"] == "no_room":
        return int(row["o_interview"])
    if row["o_outcome"] != "joined":
        raise LiveError("offer_gone")
    room = Room(row["o_server"], row["o_room"], row["o_pin"], row["o_secret"], tuple(row["o_tokens"]))
    names = (row["o_interview"], row["o_candidate_name"], row["o_interviewer_name"], row["o_serial"])
    ticket = await candidate_ticket(connection, settings, room, *names)
    return Joined(row["o_interview"], row["o_serial"], room, row["o_generation"], ticket, row["o_ends_at"])


async def candidate_ticket(
    connection: asyncpg.Connection,
    settings: Settings,
    room: Room,
    interview_id: int,
    candidate_name: str,
    interviewer_name: str,
    serial: int,
) -> str:
    """The candidate's ticket for `room`; the way to a server another replica placed it on
    is read from the fleet's table when this process has not heard of that server yet."""
    names = (interview_id, candidate_name, interviewer_name, serial)
    try:
        return interview_tickets(settings, room, *names)[0]
    except UnknownJanusServer:
        # Placed by another replica on a server added a moment ago, before this process heard
        # of it (DEPLOYMENT.md, "The Janus fleet"): its public URL is in the fleet's table.
        public_url = None
        if settings.janus.fleet == "database":
            public_url = await connection.fetchval(
                "SELECT public_url FROM janus_server WHERE name = $1", room.server
            )
        if public_url is None:
            log.warning("interview %s: its room's server %s is not in the fleet", interview_id, room.server)
            raise LiveError("room_unavailable") from None
        return interview_tickets(settings, room, *names, public_url)[0]


@dataclass(frozen=True)
class Prepared:
    """An offered candidate's ticket before their *Join* (prepared_offer): the one their first
    `accept` hands out too. Only the way to their Janus server is read from it (PROTOCOL.md,
    `prepare`), never the room's pin or place on its allow-list."""

    interview_id: int
    ticket: str
    planned_end: float | None  # Unix seconds: the offer's deadline + the interview's length


# The candidate's offered interview and its room, if made; read only: the offer stays an offer.
PREPARE_SQL = """
    SELECT i.id, i.candidate_token_serial, i.janus_server, i.room_id,
           i.room_pin, i.room_secret, i.room_tokens,
           c.name AS candidate_name, coalesce(nullif(w.name, ''), 'interviewer') AS interviewer_name,
           extract(epoch FROM i.offer_expires_at + (
               SELECT make_interval(mins => e.interview_minutes)
               FROM event e WHERE e.id = i.event_id))::float8 AS planned_end
    FROM interview i
    JOIN candidate c ON c.id = i.candidate_id
    JOIN event_interviewer w ON w.id = i.interviewer_id
    WHERE i.candidate_id = $1 AND i.state = 'offered' AND i.offer_expires_at > now()"""


async def prepared_offer(
    connection: asyncpg.Connection, settings: Settings, candidate_id: int
) -> Prepared | int:
    """The offered candidate's ticket for their room, nothing changed (PROTOCOL.md,
    `prepare`): the token in it is the one the room was made with, which the first *Join*
    hands out as well (migration 0035). The interview's id instead when its room is not made
    yet (the caller waits for it, as for `accept`). `offer_gone` without an open offer."""
    row = await connection.fetchrow(PREPARE_SQL, candidate_id)
    if row is None:
        raise LiveError("offer_gone")
    if row["room_id"] is None:
        return int(row["id"])
    room = Room(
        row["janus_server"], row["room_id"], row["room_pin"], row["room_secret"], tuple(row["room_tokens"])
    )
    ticket = await candidate_ticket(
        connection,
        settings,
        room,
        row["id"],
        row["candidate_name"],
        row["interviewer_name"],
        row["candidate_token_serial"],
    )
    return Prepared(row["id"], ticket, row["planned_end"])
