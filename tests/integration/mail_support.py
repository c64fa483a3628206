"""Helpers for the mail tests: a catcher of a test's own, and an outbox database of a test's
own (reading what a catcher caught: tests/mails.py)."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg

from app.localstack import processes
from app.migrate import apply_migrations

ROOT = Path(__file__).resolve().parents[2]


async def wait_for_row(
    connection: asyncpg.Connection, mail_id: int, condition, timeout: float = 20
) -> asyncpg.Record:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        row = await connection.fetchrow("SELECT * FROM mail_outbox WHERE id = $1", mail_id)
        if condition(row):
            return row
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"outbox row {mail_id} never got there: {dict(row)}")
        await asyncio.sleep(0.1)


async def wait_for_listeners(connection: asyncpg.Connection, count: int, timeout: float = 20) -> None:
    """Until `count` workers LISTEN on this database: then a NOTIFY reaches them all."""
    deadline = asyncio.get_running_loop().time() + timeout
    query = """SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND query ILIKE 'LISTEN %mail_outbox%'"""
    while await connection.fetchval(query) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"fewer than {count} workers listen for mail")
        await asyncio.sleep(0.05)


def event_context(title: str, starts_at: datetime, name: str = "Åsa Öberg", **extra) -> dict:
    """What the event mail templates (web/templates/mail/event_*, interviewer_*) expect."""
    return {
        "event": {
            "title": title,
            "organization_name": "Växjö Rör AB",
            "state": "published",
            "duration_minutes": 60,
            "interview_minutes": 10,
        },
        "previous_duration": 60,
        "previous_interview_minutes": 10,
        "event_starts_at": starts_at,
        "previous_start": starts_at - timedelta(days=7),
        "name": name,
        "kind": "candidate",
        "link": "https://snabb.example.se/c/abc",
        "code": "482913",
        **extra,
    }


class MailCatcher:
    """The development mail catcher as a process of this test's own, to stop and start."""

    def __init__(self, maildir: Path, port: int, log: Path):
        self.maildir, self.port, self.log = maildir, port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = processes.start(
            [
                sys.executable,
                "-m",
                "app.localstack.mailcatcher",
                "--port",
                str(self.port),
                "--maildir",
                str(self.maildir),
            ],
            self.log,
            cwd=ROOT,
        )
        processes.wait_for_port("127.0.0.1", self.port, 20, self.process, "mail catcher")

    def stop(self) -> None:
        processes.stop(self.process)
        self.process = None


async def scratch_database(admin_url: str) -> str:
    """A new, migrated database on the test cluster: an outbox no other worker sends from."""
    name = f"mail_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    connection = await asyncpg.connect(url)
    try:
        await apply_migrations(connection)
    finally:
        await connection.close()
    return url


async def drop_database(admin_url: str, url: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")
    finally:
        await admin.close()
