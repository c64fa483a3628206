"""What PostgreSQL's backends do during a phase of the registration benchmark
(`scripts/bench-registration --waits`).

WaitSampler polls pg_stat_activity from a connection of its own every few milliseconds and
counts, per kind of statement, what each client backend is doing: running (CPU), waiting for
a lock or an LWLock (wait_event_type:wait_event), or idle inside a transaction (waiting for
its client: the row lock is held meanwhile). Divided by the samples taken, a count is the
average number of backends in that state during the phase. The database's own counters
(pg_stat_database, pg_stat_wal) give the commits and WAL written per registration.

It costs the machine a little CPU of its own: a run with --waits is for finding where the
time goes, not for the ratio.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

# What the sampled statement is, by a fragment of its text (first match wins).
STATEMENT_KINDS = (
    ("take_registration_seat", "registration: take seat"),
    ("registration_take_seat", "registration: take seat (0029)"),
    ("registration_event_version", "registration: read event"),
    ("FOR UPDATE SKIP LOCKED", "mail: claim"),
    ("sent_at = now()", "mail: mark sent"),
    ("min(next_attempt_at)", "mail: next due"),
    ("FROM event WHERE id = $1 FOR UPDATE", "baseline: lock event"),
    ("count(*) FROM candidate", "baseline/count"),
    ("INSERT INTO candidate", "baseline: insert candidate"),
    ("INSERT INTO mail_outbox", "baseline: insert mail"),
    ("pg_advisory_unlock_all", "pool reset"),
    ("COMMIT", "commit"),
    ("BEGIN", "begin"),
    ("LISTEN", "listen"),
    ("live_process", "heartbeat"),
)

_SAMPLE = """
    SELECT state, wait_event_type, wait_event, query
      FROM pg_stat_activity
     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
       AND datname = current_database() AND state IN ('active', 'idle in transaction')"""


def statement_kind(query: str) -> str:
    for fragment, kind in STATEMENT_KINDS:
        if fragment in query:
            return kind
    return re.sub(r"\s+", " ", query).strip()[:50]


@dataclass
class WaitSampler:
    dsn: str
    interval: float = 0.005
    samples: int = 0
    counts: Counter = field(default_factory=Counter)
    _task: asyncio.Task | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._stop.clear()
        self.samples, self.counts = 0, Counter()
        connection = await asyncpg.connect(self.dsn)
        self._task = asyncio.create_task(self._run(connection))

    async def _run(self, connection: asyncpg.Connection) -> None:
        try:
            while not self._stop.is_set():
                for row in await connection.fetch(_SAMPLE):
                    if row["state"] == "idle in transaction":
                        doing = "idle in transaction (waiting for its client)"
                    elif row["wait_event_type"] is None:
                        doing = "running"
                    else:
                        doing = f"{row['wait_event_type']}:{row['wait_event']}"
                    self.counts[(statement_kind(row["query"]), doing)] += 1
                self.samples += 1
                await asyncio.sleep(self.interval)
        finally:
            await connection.close()

    async def stop(self) -> list[tuple[str, str, float]]:
        """(statement kind, what it did, average number of backends doing it), most first."""
        self._stop.set()
        if self._task is not None:
            await self._task
        samples = max(self.samples, 1)
        return [(kind, doing, count / samples) for (kind, doing), count in self.counts.most_common()]


# Per registration: commits, WAL records and bytes, WAL flushes (fsyncs when fsync is on).
_COUNTERS = """
    SELECT d.xact_commit, w.wal_records, w.wal_bytes::float8 AS wal_bytes, w.wal_sync, w.wal_write
      FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()"""


async def database_counters(connection: asyncpg.Connection) -> dict[str, float]:
    # The statistics are a snapshot per transaction unless cleared first.
    await connection.execute("SELECT pg_stat_clear_snapshot()")
    return dict(await connection.fetchrow(_COUNTERS))


def per_registration(before: dict[str, float], after: dict[str, float], count: int) -> dict[str, float]:
    return {key: (after[key] - before[key]) / count for key in before}


def format_waits(title: str, waits: list[tuple[str, str, float]], limit: int = 14) -> str:
    lines = [f"  {title}: average backends per state (client backends of the database)"]
    for kind, doing, backends in waits[:limit]:
        if backends >= 0.01:
            lines.append(f"    {backends:6.2f}  {kind:32s} {doing}")
    return "\n".join(lines)


def _stat_fields(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    return found


def cluster_cpu_seconds(postmaster: int) -> float:
    """PostgreSQL's CPU time so far: the postmaster's, its ended children's (the backends
    of closed connections, which it has reaped) and its live children's."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = _stat_fields(postmaster)
    # utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 here after the name.
    total = sum(int(value) for value in fields[11:15])
    for child in _children(postmaster):
        try:
            total += sum(int(value) for value in _stat_fields(child)[11:13])
        except (OSError, IndexError):
            continue
    return total / ticks


async def postmaster_pid(connection: asyncpg.Connection) -> int | None:
    """From postmaster.pid in the data directory (readable: the benchmark runs as root on the
    throwaway stack); None where it cannot be read (--reuse, another machine)."""
    try:
        data_directory = await connection.fetchval("SHOW data_directory")
        return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError, asyncpg.PostgresError):
        return None


def mail_catcher_pid(smtp_port: str | None) -> int | None:
    """The throwaway stack's mail catcher (app/localstack/mailcatcher.py) on that port."""
    if not smtp_port:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"app.localstack.mailcatcher" in argv and smtp_port.encode() in argv:
            return int(entry.name)
    return None
