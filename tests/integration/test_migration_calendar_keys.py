"""Migrations 0059 and 0061: an event made before them keeps the calendar UIDs its entries went
out with, unless it is a draft (none went out); every event made after gets a random key of
its own in its UIDs."""

from __future__ import annotations

import asyncpg

from app.events.tokens import calendar_uid
from app.migrate import apply_migrations, discover
from tests.integration.test_migrations import scratch_url  # noqa: F401 (a fixture)

INSERT_EVENT = """
    INSERT INTO event (organization_id, title, starts_at, duration_minutes, interview_minutes, capacity, state)
    VALUES ($1, 'T', now(), 60, 10, 5, $2) RETURNING id"""


async def test_events_before_the_migration_keep_their_uids_and_new_ones_get_keys(scratch_url):  # noqa: F811 (the imported fixture)
    migrations = discover()
    connection = await asyncpg.connect(scratch_url)
    try:
        await apply_migrations(connection, [m for m in migrations if m.version < 59])
        organization = await connection.fetchval("INSERT INTO organization (name) VALUES ('A') RETURNING id")
        old = await connection.fetchval(INSERT_EVENT, organization, "published")
        old_draft = await connection.fetchval(INSERT_EVENT, organization, "draft")
        await apply_migrations(connection, [m for m in migrations if m.version >= 59])
        new = [await connection.fetchval(INSERT_EVENT, organization, "draft") for _ in range(2)]
        keys = {
            row["id"]: row["calendar_key"]
            for row in await connection.fetch("SELECT id, calendar_key FROM event ORDER BY id")
        }
    finally:
        await connection.close()
    assert calendar_uid(old, keys[old], "candidate", 7) == f"event-{old}-candidate-7@snabbintervjuer"
    assert all(len(keys[event]) == 32 for event in (*new, old_draft))
    assert len({keys[new[0]], keys[new[1]], keys[old_draft]}) == 3
    # The same event id and recipient in another database: another UID.
    assert calendar_uid(new[0], keys[new[0]], "candidate", 7) != calendar_uid(
        new[0], keys[new[1]], "candidate", 7
    )
