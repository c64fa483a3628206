"""The operations page's figures (app/ops.py, README "Operations page") read from a database
of their own, where no other test's events and mails are counted: which live event is
flagged as nobody interviewing, and which mail error is the latest."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import asyncpg
import pytest_asyncio

import app
from app import ops
from app.mail import store
from app.metrics import _database_figures
from tests import factories
from tests.candidate_support import make_event
from tests.integration.mail_support import drop_database, scratch_database


@pytest_asyncio.fixture
async def own_db(stack):
    url = await scratch_database(stack.environ["DATABASE_URL"])
    connection = await asyncpg.connect(url)
    try:
        yield connection
    finally:
        await connection.close()
        await drop_database(stack.environ["DATABASE_URL"], url)


async def unattended_metric(connection: asyncpg.Connection) -> float:
    families = {family.name: family for family in await _database_figures(connection)}
    return families["snabb_live_events_without_interviewers"].samples[0].value


async def flagged(connection: asyncpg.Connection) -> dict[int, bool]:
    return {event.id: event.unattended for event in await ops.live_events(connection)}


async def test_a_live_event_is_flagged_once_it_has_begun_or_candidates_wait(own_db):
    # Live since check-in opened, 20 minutes before its start: nobody is expected yet.
    early = await make_event(own_db, state="live", starts_in=dt.timedelta(minutes=20))
    assert await flagged(own_db) == {early["id"]: False}
    assert await unattended_metric(own_db) == 0

    # A candidate checked in and waits: somebody should be there to take them.
    candidate = await factories.add_candidate(own_db, early["id"])
    await own_db.execute(
        "INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)", early["id"], candidate["id"]
    )
    assert await flagged(own_db) == {early["id"]: True}
    assert await unattended_metric(own_db) == 1

    # Begun, nobody waiting: still flagged; an interviewer connected ends it.
    begun = await make_event(own_db, state="live", starts_in=-dt.timedelta(minutes=5))
    assert (await flagged(own_db))[begun["id"]] is True
    assert await unattended_metric(own_db) == 2
    (interviewer,) = await factories.set_interviewers(own_db, begun, [("iv@example.se", "Iva Intervjuare")])
    await own_db.execute(
        "INSERT INTO interviewer_presence (interviewer_id, event_id) VALUES ($1, $2)",
        interviewer["id"],
        begun["id"],
    )
    assert (await flagged(own_db))[begun["id"]] is False
    assert await unattended_metric(own_db) == 1


async def add_mail(connection: asyncpg.Connection) -> int:
    return await store.insert(
        connection,
        message_id=f"<{secrets.token_hex(8)}@snabbintervjuer.se>",
        to_address="kim@example.se",
        to_name="Kim",
        language="sv",
        template="candidate_registration",
        subject="Hej",
        text_body="text",
        html_body="<p>text</p>",
        ics=None,
        ics_method=None,
    )


async def test_the_latest_error_is_one_of_the_last_day(own_db):
    old = await add_mail(own_db)
    await store.mark_failed(own_db, old, error="SMTPRecipientRefused: 550 a year ago")
    await own_db.execute("UPDATE mail_outbox SET failed_at = now() - interval '2 days' WHERE id = $1", old)
    assert (await ops.outbox(own_db)).last_error is None  # given up on long ago: no news

    recent = await add_mail(own_db)
    await store.mark_failed(own_db, recent, error="SMTPRecipientRefused: 550 today")
    assert (await ops.outbox(own_db)).last_error == "SMTPRecipientRefused: 550 today"

    # A mail still being tried failed since: its error is the latest.
    retrying = await add_mail(own_db)
    await store.mark_for_retry(own_db, retrying, delay_seconds=60, error="SMTPConnectError: refused")
    figures = await ops.outbox(own_db)
    assert figures.last_error == "SMTPConnectError: refused"
    assert (figures.backlog, figures.failed_today) == (1, 1)

    # Sent at last: its error is gone, and the failure of today is the latest again.
    await store.mark_sent(own_db, retrying)
    assert (await ops.outbox(own_db)).last_error == "SMTPRecipientRefused: 550 today"


async def test_errors_stored_before_addresses_were_blanked_are_blanked(own_db):
    """Migration 0041: the errors written before `describe` blanked addresses lose them."""
    mail = await add_mail(own_db)
    refused = "SMTPRecipientsRefused: {'kim.o+x@example.se': (550, b'5.1.1 <kim.o+x@example.se> unknown')}"
    await store.mark_failed(own_db, mail, error=refused)
    migration = Path(app.__file__).parent / "migrations" / "0041_mail_errors_without_addresses.sql"
    await own_db.execute(migration.read_text())
    kept = await own_db.fetchval("SELECT last_error FROM mail_outbox WHERE id = $1", mail)
    assert "@" not in kept and "example.se" not in kept
    assert kept == "SMTPRecipientsRefused: [address]: (550, b'5.1.1 <[address]> unknown')}"
