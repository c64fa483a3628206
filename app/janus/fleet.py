"""The Janus fleet kept in the database (DEPLOYMENT.md, "The Janus fleet").

Each row of `janus_server` is one media server: its URLs, the state an operator gave it
(active, cordoned, draining) and its weight. Placement (app/janus/pool.py) gives new rooms
only to active servers that work; the rooms of a server are counted from the interviews
that hold one there (what the app itself created), so no Janus is asked at a dispatch.

Health is each replica's own report (`janus_server_health`, migration 0025), renewed at
every round of its fleet follower and valid for a few rounds: one replica that cannot reach
a server neither hides nor fakes an outage for the others, and a replica that stopped drops
out by itself. A server's shown state is `down` while every replica that reports it finds
it lost, whatever the operator gave it; it returns to the operator's state as soon as one
connection works again. `lost_for` says when only some replicas find it lost.

Every change is announced on the `janus_fleet` channel, and each replica re-reads the table
on it (and every `janus.fleet_refresh` seconds in case a notification was missed).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

import asyncpg
from pydantic import ValidationError

from app.settings import JanusServer

CHANNEL = "janus_fleet"
STATES = ("active", "cordoned", "draining")
# What an operator may do, and the state it leads to.
ACTIONS = {"cordon": "cordoned", "uncordon": "active", "drain": "draining"}
LIVE = "state IN ('offered', 'active')"


class FleetError(Exception):
    """Why a fleet change cannot be made, in words for the admin."""


@dataclass(frozen=True)
class FleetServer:
    name: str
    url: str
    admin_url: str
    public_url: str
    state: str
    weight: int
    from_settings: bool
    added_at: dt.datetime
    state_changed_at: dt.datetime
    rooms_listed: int | None
    listed_at: dt.datetime | None
    # From the replicas' reports that hold now (the view janus_server_seen).
    replicas: int = 0  # how many replicas report the server
    replicas_lost: int = 0  # how many of them find it lost
    down_since: dt.datetime | None = None  # the first of those, since when
    last_seen_at: dt.datetime | None = None  # when one last had a working connection
    down: bool = False  # every replica that reports it finds it lost

    @property
    def shown_state(self) -> str:
        """The operator's state, or `down` while every replica finds the server lost."""
        return "down" if self.down else self.state

    @property
    def lost_for(self) -> tuple[int, int] | None:
        """(replicas that find it lost, replicas that report it) while some do, else None."""
        return (self.replicas_lost, self.replicas) if self.replicas_lost else None

    @property
    def takes_rooms(self) -> bool:
        return self.state == "active"

    def as_settings(self) -> JanusServer:
        return JanusServer(name=self.name, url=self.url, public_url=self.public_url, admin_url=self.admin_url)


SERVER_COLUMNS = (
    "name, url, admin_url, public_url, state, weight, from_settings, added_at, state_changed_at, "
    "rooms_listed, listed_at"
)


async def read_fleet(connection: asyncpg.Connection) -> list[FleetServer]:
    rows = await connection.fetch(f"""
        SELECT {", ".join("s." + c for c in SERVER_COLUMNS.split(", "))},
               h.replicas, h.replicas_lost, h.down_since, h.last_seen_at, h.down
        FROM janus_server s JOIN janus_server_seen h ON h.server = s.name
        ORDER BY s.added_at, s.name""")
    return [FleetServer(**dict(row)) for row in rows]


async def announce(connection: asyncpg.Connection, name: str) -> None:
    await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, name)


async def seed(connection: asyncpg.Connection, servers: list[JanusServer]) -> None:
    """The settings' servers: added when absent, else their URLs brought up to date (a name
    in the settings always means the settings' server: the local stack picks new ports at
    every start); an operator's state and weight are never touched."""
    async with connection.transaction():
        for server in servers:
            await connection.execute(
                """
                INSERT INTO janus_server (name, url, admin_url, public_url, from_settings)
                VALUES ($1, $2, $3, $4, true)
                ON CONFLICT (name) DO UPDATE SET url = excluded.url,
                    admin_url = excluded.admin_url, public_url = excluded.public_url,
                    from_settings = true
                WHERE (janus_server.url, janus_server.admin_url, janus_server.public_url,
                       janus_server.from_settings) IS DISTINCT FROM
                      (excluded.url, excluded.admin_url, excluded.public_url, true)""",
                server.name,
                server.url,
                server.admin_url,
                server.public_url,
            )
        await announce(connection, "")


async def rooms_in_use(connection: asyncpg.Connection, names: list[str] | None = None) -> dict[str, int]:
    """{server: rooms of offered and running interviews} (interview_live_server_idx)."""
    rows = await connection.fetch(
        f"""
        SELECT janus_server, count(*) FROM interview
        WHERE {LIVE} AND janus_server IS NOT NULL
          AND ($1::text[] IS NULL OR janus_server = ANY($1))
        GROUP BY 1""",
        names,
    )
    return {row[0]: row[1] for row in rows}


async def media_down(connection: asyncpg.Connection) -> dict[str, int]:
    """{server: offered and running interviews whose room there was lost with no server to
    take them (media_lost_at, app/live/reconciler.py)}: the live interviews only, on
    interview_live_server_idx, as rooms_in_use."""
    rows = await connection.fetch(f"""
        SELECT janus_server, count(*) FROM interview
        WHERE {LIVE} AND janus_server IS NOT NULL AND media_lost_at IS NOT NULL
        GROUP BY 1""")
    return {row[0]: row[1] for row in rows}


def checked_server(name: str, url: str, admin_url: str, public_url: str | None) -> JanusServer:
    """The server as the settings would accept it, or FleetError saying what is wrong."""
    try:
        return JanusServer(name=name, url=url, admin_url=admin_url, public_url=public_url or url)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise FleetError(problems) from None


# A server's share of new rooms (rooms ÷ weight decides); the table's CHECK says the same.
MIN_WEIGHT, MAX_WEIGHT = 1, 1000


def _weight(weight: int) -> int:
    if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        raise FleetError(f"the weight must be a whole number from {MIN_WEIGHT} to {MAX_WEIGHT}")
    return weight


def parse_weight(text: str) -> int:
    """A weight typed by a person ("3", " 12 "), or FleetError: digits only, in range."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_WEIGHT))):
        raise FleetError(f"the weight must be a whole number from {MIN_WEIGHT} to {MAX_WEIGHT}")
    return _weight(int(text))


async def add(
    connection: asyncpg.Connection, server: JanusServer, weight: int = 1, state: str = "active"
) -> None:
    if state not in STATES:
        raise FleetError(f"the state must be one of {', '.join(STATES)}")
    async with connection.transaction():
        added = await connection.fetchval(
            """
            INSERT INTO janus_server (name, url, admin_url, public_url, weight, state)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING name""",
            server.name,
            server.url,
            server.admin_url,
            server.public_url,
            _weight(weight),
            state,
        )
        if added is None:
            raise FleetError(f"there is already a Janus server named {server.name}")
        await announce(connection, server.name)


async def set_state(connection: asyncpg.Connection, name: str, action: str) -> FleetServer:
    """cordon, uncordon or drain. Rooms in use are never touched: their interviews run on."""
    if action not in ACTIONS:
        raise FleetError(f"unknown action {action!r}")
    async with connection.transaction():
        row = await connection.fetchrow(
            """
            UPDATE janus_server SET state = $2,
                state_changed_at = CASE WHEN state = $2 THEN state_changed_at ELSE now() END
            WHERE name = $1 RETURNING name""",
            name,
            ACTIONS[action],
        )
        if row is None:
            raise FleetError(f"no Janus server is named {name}")
        await announce(connection, name)
    return next(s for s in await read_fleet(connection) if s.name == name)


async def set_weight(connection: asyncpg.Connection, name: str, weight: int) -> None:
    async with connection.transaction():
        done = await connection.fetchval(
            "UPDATE janus_server SET weight = $2 WHERE name = $1 RETURNING name", name, _weight(weight)
        )
        if done is None:
            raise FleetError(f"no Janus server is named {name}")
        await announce(connection, name)


async def remove(connection: asyncpg.Connection, name: str) -> None:
    """Only a server with no room in use: removing one would end its interviews' media."""
    async with connection.transaction():
        # A room being made there this very moment (its interview not written yet) is
        # moved by the reconciler like a lost server's (app/live/reconciler.py).
        found = await connection.fetchval("SELECT state FROM janus_server WHERE name = $1 FOR UPDATE", name)
        if found is None:
            raise FleetError(f"no Janus server is named {name}")
        rooms = (await rooms_in_use(connection, [name])).get(name, 0)
        if rooms:
            hint = (
                "it is draining: wait until `scripts/janus status` says it is empty"
                if found == "draining"
                else f"drain it first (scripts/janus drain {name}) and wait until "
                "`scripts/janus status` says it is empty"
            )
            raise FleetError(f"{name} still has {rooms} room(s) in use by interviews; {hint}")
        await connection.execute("DELETE FROM janus_server WHERE name = $1", name)
        await announce(connection, name)


async def record_health(
    connection: asyncpg.Connection,
    replica: Replica,
    up: list[str],
    lost: dict[str, dt.datetime],
    valid_for: float,
) -> None:
    """What this replica sees, valid for `valid_for` seconds: `up` works now, `lost`
    {name: lost since} does not. Reports that expired (a replica that stopped) go."""
    await connection.execute(
        """
        INSERT INTO janus_server_health AS h
               (server, replica, replica_name, last_seen_at, down_since, expires_at)
        SELECT s.name, $1, $2, CASE WHEN r.lost_since IS NULL THEN now() END, r.lost_since,
               now() + make_interval(secs => $5)
        FROM unnest($3::text[], $4::timestamptz[]) AS r (name, lost_since)
        JOIN janus_server s ON s.name = r.name  -- not one removed meanwhile
        ON CONFLICT (server, replica) DO UPDATE SET
            last_seen_at = coalesce(excluded.last_seen_at, h.last_seen_at),
            down_since = CASE WHEN excluded.down_since IS NULL THEN NULL
                              ELSE coalesce(h.down_since, excluded.down_since) END,
            expires_at = excluded.expires_at""",
        replica.id,
        replica.name,
        [*up, *lost],
        [*(None for _ in up), *lost.values()],
        valid_for,
    )
    await connection.execute("DELETE FROM janus_server_health WHERE expires_at < now()")


async def lost_by(connection: asyncpg.Connection) -> dict[str, list[str]]:
    """{server: the replicas whose reports now find it lost}, for the operator to look at."""
    rows = await connection.fetch("""
        SELECT server, array_agg(replica_name ORDER BY replica_name) FROM janus_server_health
        WHERE down_since IS NOT NULL AND expires_at > now() GROUP BY server""")
    return {row[0]: list(row[1]) for row in rows}


async def forget_health(connection: asyncpg.Connection, replica: Replica) -> None:
    """A replica that stops takes its reports with it: they would hold for a while else."""
    await connection.execute("DELETE FROM janus_server_health WHERE replica = $1", replica.id)


async def record_listing(connection: asyncpg.Connection, counts: dict[str, int]) -> None:
    """The reconciler's count of each server's own rooms, as Janus lists them."""
    for name, count in counts.items():
        await connection.execute(
            """
            UPDATE janus_server SET rooms_listed = $2, listed_at = now() WHERE name = $1""",
            name,
            count,
        )


@dataclass(frozen=True)
class Replica:
    """One running process as its health reports name it: a restart is a new replica."""

    id: uuid.UUID
    name: str

    @classmethod
    def this_process(cls) -> Replica:
        made = uuid.uuid4()
        return cls(made, f"{socket.gethostname()} pid {os.getpid()} ({str(made)[:8]})")


class PublicUrls:
    """Where browsers reach each Janus server this process knows, for the tickets and the
    Content-Security-Policy (app/tickets.py, app/headers.py). Each pool publishes its own
    fleet; a test process may run several applications at once."""

    def __init__(self) -> None:
        self._by_owner: dict[int, dict[str, str]] = {}

    def publish(self, owner: object, urls: dict[str, str]) -> None:
        self._by_owner[id(owner)] = dict(urls)

    def withdraw(self, owner: object) -> None:
        self._by_owner.pop(id(owner), None)

    def get(self, name: str) -> str | None:
        for urls in self._by_owner.values():
            if name in urls:
                return urls[name]
        return None

    def all(self) -> list[str]:
        return [url for urls in self._by_owner.values() for url in urls.values()]


PUBLIC_URLS = PublicUrls()
