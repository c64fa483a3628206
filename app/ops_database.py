"""The database as the operations page shows it (README, "Operations page"): whether this
replica reaches it and how fast, how full its connections are (all of the server's, and
this replica's two pools: app/db.py), the longest transaction open and the sessions
waiting for a lock, which are what stall a live event first (DEPLOYMENT.md, "The database"). Counts
and times only: no query's text, no user name, no address."""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class PoolFigures:
    in_use: int
    size: int  # connections open now
    max_size: int


@dataclass(frozen=True)
class DatabaseFigures:
    version: str  # PostgreSQL's own, e.g. "15.14"
    round_trip_ms: float  # one SELECT 1 on a connection already held
    connections: int  # clients connected to the server, to any of its databases
    max_connections: int  # the server's limit, for them all together
    main_pool: PoolFigures
    urgent_pool: PoolFigures  # the live actions that move an interview (app/db.py)
    longest_transaction_seconds: float | None  # None: none open but this page's
    waiting_for_lock: int
    size_bytes: int


def pool_figures(pool: asyncpg.Pool) -> PoolFigures:
    size = pool.get_size()
    return PoolFigures(in_use=size - pool.get_idle_size(), size=size, max_size=pool.get_max_size())


async def database_figures(
    connection: asyncpg.Connection, main: asyncpg.Pool, urgent: asyncpg.Pool
) -> DatabaseFigures:
    """`connection`: one of `main`'s, held by the page (so counted in use)."""
    started = time.perf_counter()
    await connection.fetchval("SELECT 1")
    round_trip_ms = (time.perf_counter() - started) * 1000
    # pg_stat_activity shows the app's role its own sessions in full; other roles' times
    # are NULL to it and count only as connections. The connections are the whole server's,
    # as max_connections is; the transactions and lock waits this database's.
    row = await connection.fetchrow("""
        SELECT current_setting('server_version') AS version,
               current_setting('max_connections')::int AS max_connections,
               pg_database_size(current_database()) AS size_bytes,
               count(*) FILTER (WHERE a.backend_type = 'client backend') AS connections,
               extract(epoch FROM now() - min(a.xact_start) FILTER (
                   WHERE a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
                     AND a.datname = current_database()))
                   AS longest_transaction_seconds,
               count(*) FILTER (WHERE a.wait_event_type = 'Lock' AND a.datname = current_database())
                   AS waiting_for_lock
        FROM pg_stat_activity a""")
    longest = row["longest_transaction_seconds"]
    return DatabaseFigures(
        version=row["version"].split(" ")[0],
        round_trip_ms=round_trip_ms,
        connections=row["connections"],
        max_connections=row["max_connections"],
        main_pool=pool_figures(main),
        urgent_pool=pool_figures(urgent),
        longest_transaction_seconds=None if longest is None else max(0.0, float(longest)),
        waiting_for_lock=row["waiting_for_lock"],
        size_bytes=row["size_bytes"],
    )
