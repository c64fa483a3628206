"""The migration script, against a scratch database on the test cluster."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from app.migrate import Migration, MigrationError, apply_migrations, discover

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = """
    SELECT table_name, column_name, data_type, is_nullable, column_default
    FROM information_schema.columns WHERE table_schema = 'public'
    ORDER BY table_name, ordinal_position"""


@pytest_asyncio.fixture
async def scratch_url(stack):
    name = f"scratch_{secrets.token_hex(4)}"
    url = stack.environ["DATABASE_URL"]
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


async def test_applying_twice_changes_nothing(scratch_url):
    connection = await asyncpg.connect(scratch_url)
    try:
        first = await apply_migrations(connection)
        schema = [tuple(row) for row in await connection.fetch(SCHEMA)]
        second = await apply_migrations(connection)
        assert first == [m.name for m in discover()]
        assert second == []
        assert [tuple(row) for row in await connection.fetch(SCHEMA)] == schema
    finally:
        await connection.close()


async def test_an_edited_migration_is_refused(scratch_url):
    connection = await asyncpg.connect(scratch_url)
    try:
        await apply_migrations(connection, [Migration(1, "0001_a.sql", "CREATE TABLE a (x int);")])
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await apply_migrations(connection, [Migration(1, "0001_a.sql", "CREATE TABLE a (y int);")])
    finally:
        await connection.close()


async def test_a_failing_migration_leaves_nothing_half_done(scratch_url):
    connection = await asyncpg.connect(scratch_url)
    try:
        broken = Migration(1, "0001_broken.sql", "CREATE TABLE b (x int); SELECT nonsense;")
        with pytest.raises(asyncpg.PostgresError):
            await apply_migrations(connection, [broken])
        assert await connection.fetchval("SELECT to_regclass('b')") is None
        assert await connection.fetchval("SELECT count(*) FROM schema_migration") == 0
    finally:
        await connection.close()


def test_the_script_reports_up_to_date(stack):
    result = subprocess.run(
        [sys.executable, "-m", "app.migrate"],
        env=stack.environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


async def test_the_queue_read_by_its_indexes_takes_ended_registrations_out_of_the_queue(scratch_url):
    """Before every ending of a registration took its candidate out of the queue, a
    cancelled candidate's entry could stay waiting; the view reads the order without the
    registrations since 0054, which takes such entries out as that ending does now."""
    migrations = discover()
    upto = next(i for i, m in enumerate(migrations) if m.name.startswith("0054_"))
    connection = await asyncpg.connect(scratch_url)
    try:
        await apply_migrations(connection, migrations[:upto])
        organization = await connection.fetchval(
            "INSERT INTO organization (name) VALUES ('Gamla AB') RETURNING id"
        )
        event = await connection.fetchval(
            """INSERT INTO event (organization_id, title, starts_at, duration_minutes, interview_minutes,
                                  capacity, state)
               VALUES ($1, 'Förr', now(), 60, 10, 10, 'live') RETURNING id""",
            organization,
        )
        ids = [
            await connection.fetchval(
                """INSERT INTO candidate (event_id, name, email, access_token, pin)
                   VALUES ($1, $2, $2 || '@example.se', $2, '123456') RETURNING id""",
                event,
                name,
            )
            for name in ("kvar", "avanmald", "klar", "borta", "inkallad")
        ]
        for candidate_id in ids:
            await connection.execute(
                "INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)", event, candidate_id
            )
        interviewer = await connection.fetchval(
            """INSERT INTO event_interviewer (event_id, email, name, access_token, access_code)
               VALUES ($1, 'ida@example.se', 'Ida', 'ida-token', '123456') RETURNING id""",
            event,
        )
        offer = await connection.fetchval(
            """INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, offer_expires_at)
               VALUES ($1, $2, $3, 'next', now() + interval '1 minute') RETURNING id""",
            event,
            ids[4],
            interviewer,
        )
        for candidate_id, state in ((ids[2], "done"), (ids[3], "away"), (ids[4], "offered")):
            await connection.execute(
                "UPDATE queue_entry SET state = $2, disconnected_at = now() WHERE candidate_id = $1",
                candidate_id,
                state,
            )
        await connection.execute(
            "UPDATE candidate SET cancelled_at = now() WHERE id = ANY($1::bigint[])", ids[1:4]
        )
        await connection.execute(
            "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'employer' WHERE id = $1", ids[4]
        )

        await apply_migrations(connection, migrations[upto : upto + 1])

        rows = await connection.fetch(
            """SELECT state, left_reason, registration_ended, disconnected_at IS NULL AS connected
               FROM queue_entry ORDER BY candidate_id"""
        )
        assert [tuple(row) for row in rows] == [
            ("waiting", None, False, True),
            ("left", "candidate", True, True),
            ("done", None, True, False),  # interviewed: kept as it was
            ("left", "candidate", True, True),
            ("left", "candidate", True, True),
        ]
        # The open offer of a registration the employer removed is withdrawn, as a removal does.
        withdrawn = await connection.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", offer)
        assert tuple(withdrawn) == ("withdrawn", "removed")
    finally:
        await connection.close()
