"""What the operations page and `scripts/provision list-live` show (README, "Operations
page"): the Janus servers with their rooms and sessions, the events live now, the interviews
whose video is down, and the mail outbox. Counts and names of events only: nothing about a
candidate."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import asyncpg

from app.janus import fleet
from app.janus.admin import admin_session
from app.janus.errors import JanusError, JanusUnavailable
from app.mail.store import outbox_counts
from app.settings import Settings

ADMIN_TIMEOUT = 2.0  # seconds per server: the page must not hang on one frozen Janus
UNKNOWN = "unknown"  # a server this process has not connected to (added a moment ago)


@dataclass(frozen=True)
class LiveEvent:
    id: int
    title: str
    organization: str
    waiting: int
    away: int
    interviews: int  # rooms in use: offered and running interviews
    media_down: int  # of those, the ones whose video is down: no Janus server could take them
    interviewers_connected: int
    interviewers: int
    started: bool  # its start time has come (it goes live earlier, when check-in opens)

    @property
    def unattended(self) -> bool:
        """Nobody is interviewing although the event has begun or candidates are waiting:
        before the start, during check-in, nobody connected yet is the normal case."""
        return not self.interviewers_connected and (self.started or self.waiting > 0)


@dataclass(frozen=True)
class JanusServerFigures:
    name: str
    state: str  # the fleet's: active, cordoned, draining, or down while every replica finds it lost
    operator_state: str  # what an operator gave it (active, cordoned, draining)
    weight: int
    # As this process's connection sees it: "ok", one of app/janus/errors.py's kinds of
    # problem ("connecting", "timed_out", …), or UNKNOWN when this process has no connection.
    connection: str
    rooms: int  # offered and running interviews placed there
    media_down: int  # of those, the ones whose room was lost there with no server to take them
    rooms_listed: int | None  # this deployment's rooms as Janus listed them last
    sessions: int | None  # from its Admin API; None when that did not answer
    last_seen_at: dt.datetime | None
    down_since: dt.datetime | None
    lost_for: tuple[int, int] | None  # (replicas that find it lost, replicas reporting it)

    @property
    def drained(self) -> bool:
        """Draining and empty: safe to stop and remove."""
        return self.operator_state == "draining" and not self.rooms

    @property
    def actions(self) -> list[str]:
        """What an operator may do to it from here (app/janus/fleet.py ACTIONS)."""
        return [
            action
            for action, state in fleet.ACTIONS.items()
            if state != self.operator_state and not (action == "cordon" and self.operator_state == "draining")
        ]


@dataclass(frozen=True)
class OutboxFigures:
    backlog: int
    oldest_seconds: float
    failed_today: int
    last_error: str | None


async def live_events(connection: asyncpg.Connection) -> list[LiveEvent]:
    rows = await connection.fetch("""
        SELECT e.id, e.title, o.name AS organization,
               (SELECT count(*) FROM queue_entry q WHERE q.event_id = e.id
                  AND q.state = 'waiting') AS waiting,
               (SELECT count(*) FROM queue_entry q WHERE q.event_id = e.id
                  AND q.state = 'away') AS away,
               (SELECT count(*) FROM interview i WHERE i.event_id = e.id
                  AND i.state IN ('offered', 'active')) AS interviews,
               (SELECT count(*) FROM interview i WHERE i.event_id = e.id
                  AND i.state IN ('offered', 'active') AND i.media_lost_at IS NOT NULL) AS media_down,
               (SELECT count(*) FROM interviewer_presence p WHERE p.event_id = e.id
                  AND p.connected) AS interviewers_connected,
               (SELECT count(*) FROM event_interviewer ei WHERE ei.event_id = e.id) AS interviewers,
               e.starts_at <= now() AS started
        FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.state = 'live' ORDER BY e.starts_at, e.id""")
    return [LiveEvent(**dict(row)) for row in rows]


async def outbox(connection: asyncpg.Connection) -> OutboxFigures:
    counts = await outbox_counts(connection)
    # The reason is an exception name and the server's reply, never a secret nor an address
    # (app/mail/smtp.py describe). Only a failure of the last day, as "given up" above: a
    # mail given up on long ago is no news, and sending clears last_error. A mail waiting
    # for its next try failed at most the longest retry delay before next_attempt_at.
    # Each half on the index of its own kind of mail (given up; waiting), as outbox_counts.
    last_error = await connection.fetchval("""
        SELECT last_error FROM (
            SELECT last_error, failed_at AS at FROM mail_outbox
            WHERE failed_at > now() - interval '1 day' AND last_error IS NOT NULL
            UNION ALL
            SELECT last_error, next_attempt_at FROM mail_outbox
            WHERE sent_at IS NULL AND failed_at IS NULL AND last_error IS NOT NULL
              AND next_attempt_at > now() - interval '1 day') AS failures
        ORDER BY at DESC LIMIT 1""")
    return OutboxFigures(counts.backlog, counts.oldest_seconds, counts.failed_last_day, last_error)


async def _sessions(settings: Settings, name: str, url: str) -> int | None:
    try:
        async with admin_session(
            name, url, settings.janus.admin_secret.get_secret_value(), ADMIN_TIMEOUT
        ) as admin:
            return await admin.count_sessions()
    except (JanusUnavailable, JanusError):
        return None


async def janus_servers(
    connection: asyncpg.Connection, settings: Settings, problems: dict[str, str | None]
) -> list[JanusServerFigures]:
    """The fleet's servers (app/janus/fleet.py), each with this process's connection to it:
    `problems` {name: why it cannot be used, None while ok} (JanusPool.problems)."""
    servers = await fleet.read_fleet(connection)
    rooms = await fleet.rooms_in_use(connection)
    media_down = await fleet.media_down(connection)
    sessions = await asyncio.gather(*(_sessions(settings, s.name, s.admin_url) for s in servers))
    return [
        JanusServerFigures(
            s.name,
            s.shown_state,
            s.state,
            s.weight,
            (problems[s.name] or "ok") if s.name in problems else UNKNOWN,
            rooms.get(s.name, 0),
            media_down.get(s.name, 0),
            s.rooms_listed,
            n,
            s.last_seen_at,
            s.down_since,
            s.lost_for,
        )
        for s, n in zip(servers, sessions)
    ]
