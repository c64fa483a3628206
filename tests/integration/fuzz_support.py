"""What the fuzz tests share: a raw HTTP client, a digest of the database, and the log watch.

The client writes the request bytes itself: aiohttp's own client (and yarl) would clean up
exactly what the fuzz wants to send (dot segments, NUL, raw non-ASCII, odd header bytes).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass

import asyncpg
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

RESPONSE_TIMEOUT = 30.0
# Bounded for CI and the same on every run (derandomized, no example database); locally
# FUZZ_EXAMPLES=5000 FUZZ_SEED=random runs longer and differently (README "Tests").
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "600"))
RANDOM = os.environ.get("FUZZ_SEED") == "random"
FUZZ_SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=hypothesis_settings.default.database if RANDOM else None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


@dataclass
class Response:
    status: int
    head: str  # the status line and headers, as latin-1 text
    body: bytes


def request_bytes(
    method: str, target: bytes, headers: list[tuple[str, bytes]], body: bytes, port: int
) -> bytes:
    """One HTTP/1.1 request, closing the connection after the answer (so the answer ends
    where the stream does: the handler is done when the read is)."""
    lines = [
        method.encode("latin-1", "replace") + b" " + target + b" HTTP/1.1",
        f"Host: 127.0.0.1:{port}".encode(),
        b"Connection: close",
    ]
    lines += [name.encode("latin-1") + b": " + value for name, value in headers]
    if body or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def send_raw(port: int, data: bytes) -> Response:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        received = await asyncio.wait_for(reader.read(), RESPONSE_TIMEOUT)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass  # the server may close first after answering a request it refused
    head, _, body = received.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    assert len(status_line) >= 2 and status_line[1].isdigit(), f"no HTTP answer: {received[:200]!r}"
    return Response(int(status_line[1]), head.decode("latin-1"), body)


# What may change while a request is refused, and why; everything else in the database
# must be exactly as before a 4xx. (The test settings turn the sweeper and the reconciler
# off; the reminder worker only touches events due within candidates.reminder_hours, which
# the fuzz's own events never are.) Whole tables:
VOLATILE_TABLES = {
    # A wrong PIN, code or password is counted on purpose, and a right one from a new
    # browser makes it known: the limits on guessing read these rows (README "Limits on
    # guessing", app/guessing.py).
    "guess_secret",
    "guess_client",
    "known_device",
    # The heartbeat of every application process, written by the clock
    # (app/live/connections.py).
    "live_process",
    # One row per open event-day socket: the WebSocket fuzz's own sockets open and close
    # (app/live/PROTOCOL.md "Connection").
    "live_connection",
    # Each replica's report of its Janus servers' health, renewed by the fleet's follower
    # on its own clock (app/janus/fleet.py, migration 0025).
    "janus_server_health",
}
# And single columns:
VOLATILE_COLUMNS = {
    # Refreshed by any request of a logged-in browser, at most every 5 minutes
    # (app/auth/sessions.py SEEN_RESOLUTION).
    "user_session": {"last_seen_at"},
    # The mail worker sends mails queued before the request meanwhile (README "Mail"); a
    # refused request must still queue none, which the other columns show.
    "mail_outbox": {"attempts", "next_attempt_at", "claimed_by", "last_error", "sent_at", "failed_at"},
    # Whether an interviewer's socket is open: set as sockets open and close
    # (app/live/presence.py), like live_connection.
    "interviewer_presence": {"connected"},
    # Janus's own room count, written by the reconciler on its own clock (app/janus/fleet.py).
    "janus_server": {"rooms_listed", "listed_at"},
}


async def digest_query(db: asyncpg.Connection) -> str:
    """One query giving (table, md5 of its rows) for every table of the schema, without the
    volatile parts: made once from the catalog, so a new table is covered by itself."""
    rows = await db.fetch("""
        SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns
        FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
        GROUP BY c.table_name ORDER BY c.table_name""")
    parts = []
    for row in rows:
        table = row["table_name"]
        if table in VOLATILE_TABLES:
            continue
        columns = [c for c in row["columns"] if c not in VOLATILE_COLUMNS.get(table, set())]
        record = "ROW(" + ", ".join(f't."{c}"' for c in columns) + ")::text"
        parts.append(f"""SELECT '{table}' AS name,
            md5(coalesce(string_agg(md5({record}), '' ORDER BY md5({record})), ''))
            AS digest FROM "{table}" t""")
    return "\nUNION ALL\n".join(parts)


class Database:
    """The digests of every table, to tell whether a refused request changed anything."""

    def __init__(self, db: asyncpg.Connection, query: str):
        self.db, self.query = db, query

    @classmethod
    async def of(cls, db: asyncpg.Connection) -> Database:
        return cls(db, await digest_query(db))

    async def digests(self) -> dict[str, str]:
        return {row["name"]: row["digest"] for row in await self.db.fetch(self.query)}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def is_trouble(record: logging.LogRecord) -> bool:
    """A log record that means our bug: an error, a traceback, an unhandled exception."""
    text = record.getMessage()
    return (
        record.levelno >= logging.ERROR
        or record.exc_info is not None
        or "Traceback" in text
        or "unhandled error" in text
    )


class LogWatch(logging.Handler):
    """Every log record of every logger while in use (`with`), like pytest's caplog but for
    as long as a module's fixture lives; trouble() gives those since the last look that
    mean trouble."""

    def __init__(self, known=lambda record: False):
        super().__init__(logging.INFO)
        self.known, self.records, self.seen = known, [], 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self):
        root = logging.getLogger()
        self.level_before = root.level
        root.addHandler(self)
        root.setLevel(min(root.level, logging.INFO))
        return self

    def __exit__(self, *exc) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self.level_before)

    def trouble(self) -> list[str]:
        records, self.seen = self.records[self.seen :], len(self.records)
        return [
            f"{r.levelname} {r.name}: {r.getMessage()}"
            + (f"\n{logging.Formatter().formatException(r.exc_info)}" if r.exc_info else "")
            for r in records
            if is_trouble(r) and not self.known(r)
        ]
