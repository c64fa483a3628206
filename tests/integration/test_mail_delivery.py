"""The outbox worker against an SMTP server that goes away, and against other workers; and
`python -m app.mail`, the worker as a process of its own beside app processes that only
write mails (mail.worker_in_app = false, DEPLOYMENT.md).

Each test has a database of its own (so the session application's worker cannot send its
mails) and a mail catcher process of its own (to stop and start), and runs one or more
application instances on them, each with its worker, as separate processes would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from contextlib import AsyncExitStack
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest_asyncio
from aiohttp import ClientSession, CookieJar

from app.application import create_app
from app.keys import MAILER
from app.localstack.processes import free_port
from app.logs import secret_values
from app.mail import worker
from app.settings import load_settings
from tests.accounts import log_in, make_user
from tests.integration.mail_support import (
    ROOT,
    MailCatcher,
    drop_database,
    event_context,
    scratch_database,
    wait_for_listeners,
    wait_for_row,
)
from tests.integration.test_events import create_event
from tests.mails import calendar_event, caught, read_mails, unique_email, wait_for_mail
from tests.serving import serving

STARTS = datetime(2026, 12, 4, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
TITLE = "Säljare på kontoret i Växjö"


@pytest_asyncio.fixture
async def outbox_url(stack):
    url = await scratch_database(stack.environ["DATABASE_URL"])
    try:
        yield url
    finally:
        await drop_database(stack.environ["DATABASE_URL"], url)


@pytest_asyncio.fixture
async def outbox(outbox_url):
    connection = await asyncpg.connect(outbox_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest_asyncio.fixture
async def catcher(tmp_path):
    """A catcher of this test's own, not yet started: the test decides when SMTP is up."""
    own = MailCatcher(tmp_path / "mail", free_port(), tmp_path / "mailcatcher.log")
    try:
        yield own
    finally:
        await asyncio.to_thread(own.stop)


def instance_settings(stack, outbox_url: str, catcher: MailCatcher):
    return load_settings(
        dict(
            stack.environ,
            DATABASE_URL=outbox_url,
            SNABB_APP_PORT=str(free_port()),
            SNABB_MAIL_SMTP_PORT=str(catcher.port),
            SNABB_MAIL_CATCHER_DIR=str(catcher.maildir),
        )
    )


async def enqueue(app, connection, address: str) -> int:
    async with connection.transaction():
        return await app[MAILER].enqueue(
            connection,
            to_address=address,
            to_name="Åsa Öberg",
            language="sv",
            template="event_cancelled",
            context=event_context(TITLE, STARTS),
        )


async def enqueue_claimed(
    app, connection, address: str, worker_name: str, *, lease_seconds: float, process=None
) -> int:
    """A mail as a worker leaves it that claimed it and died before sending it."""
    async with connection.transaction():
        mail_id = await app[MAILER].enqueue(
            connection,
            to_address=address,
            to_name="Åsa",
            language="sv",
            template="event_cancelled",
            context=event_context(TITLE, STARTS),
        )
        await connection.execute(
            """UPDATE mail_outbox SET attempts = 1, claimed_by = $2, claimed_by_process = $3,
                      next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1""",
            mail_id,
            worker_name,
            process,
            float(lease_seconds),
        )
    return mail_id


async def test_with_smtp_down_the_change_succeeds_and_the_mail_goes_out_once_it_is_back(
    stack, outbox_url, outbox, catcher
):
    settings = instance_settings(stack, outbox_url, catcher)
    app = create_app(settings)
    address = unique_email("smtp-down")
    async with serving(app, settings.app.port):
        mail_id = await enqueue(app, outbox, address)  # commits although SMTP is down

        row = await wait_for_row(outbox, mail_id, lambda r: r["attempts"] >= 3)
        assert row["sent_at"] is None and row["failed_at"] is None
        assert row["last_error"]  # the reason is kept...
        for secret in secret_values(settings):  # ...and it holds no secret
            assert secret not in row["last_error"]

        await asyncio.to_thread(catcher.start)
        row = await wait_for_row(outbox, mail_id, lambda r: r["sent_at"] is not None)
        assert row["last_error"] is None
        # Time for a second copy to turn up, were the worker to send one.
        await asyncio.sleep(3 * settings.mail.retry_max_delay)

    (message,) = caught(catcher.maildir, address)
    assert message["Message-ID"] == row["message_id"]
    assert (await outbox.fetchrow("SELECT sent_at FROM mail_outbox WHERE id = $1", mail_id))[
        "sent_at"
    ] == row["sent_at"]


async def test_several_workers_never_send_one_mail_twice(stack, outbox_url, outbox, catcher, monkeypatch):
    # The poll an hour away: mails sent within the bound below were woken for by NOTIFY.
    monkeypatch.setattr(worker, "POLL_INTERVAL", 3600.0)
    await asyncio.to_thread(catcher.start)
    instances = 3
    mails = 60
    async with AsyncExitStack() as running:
        apps = []
        for _ in range(instances):
            settings = instance_settings(stack, outbox_url, catcher)
            apps.append(create_app(settings))
            await running.enter_async_context(serving(apps[-1], settings.app.port))
        await wait_for_listeners(outbox, instances)

        # One transaction, committed at once: every worker is woken for the same rows.
        addresses = [unique_email(f"many-{n}") for n in range(mails)]
        started = asyncio.get_running_loop().time()
        async with outbox.transaction():
            for address in addresses:
                await apps[0][MAILER].enqueue(
                    outbox,
                    to_address=address,
                    to_name="Åsa",
                    language="en",
                    template="event_cancelled",
                    context=event_context(TITLE, STARTS),
                )
        while await outbox.fetchval("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL"):
            assert asyncio.get_running_loop().time() - started < 30, "mails were not all sent"
            await asyncio.sleep(0.05)
        await asyncio.sleep(1)  # a late duplicate would land now

    rows = await outbox.fetch("SELECT message_id, attempts, claimed_by FROM mail_outbox")
    assert len(rows) == mails and all(row["attempts"] == 1 for row in rows)
    # The workers shared the work: the test really had them compete for the rows.
    assert len({row["claimed_by"] for row in rows}) >= 2

    received = [message["Message-ID"] for message in read_mails(catcher.maildir)]
    assert sorted(received) == sorted(row["message_id"] for row in rows)


async def test_a_mail_left_by_a_worker_that_died_goes_out_after_its_lease(stack, outbox_url, outbox, catcher):
    await asyncio.to_thread(catcher.start)
    settings = instance_settings(stack, outbox_url, catcher)
    app = create_app(settings)
    address = unique_email("lease")
    # A worker took the row a moment ago and died before it could send or record anything.
    mail_id = await enqueue_claimed(app, outbox, address, "dead-worker", lease_seconds=2)
    lease_ends = await outbox.fetchval("SELECT next_attempt_at FROM mail_outbox WHERE id = $1", mail_id)
    async with serving(app, settings.app.port):
        await wait_for_mail(catcher.maildir, address, 1)
        row = await wait_for_row(outbox, mail_id, lambda r: r["sent_at"] is not None)
    # Not while the lease held: told by the database's clock, which set both times, so a slow
    # start of the app (a loaded machine) cannot make the check pass or fail by itself.
    assert row["sent_at"] >= lease_ends
    assert row["attempts"] == 2 and row["claimed_by"] != "dead-worker"


async def test_publishing_with_smtp_down_succeeds_and_the_invitation_follows(
    stack, outbox_url, outbox, catcher
):
    """The user-facing side of the outbox: a change made while the mail server is down."""
    settings = instance_settings(stack, outbox_url, catcher)
    employer = await make_user(outbox)
    interviewer = unique_email("smtp-down-publish")
    async with serving(create_app(settings), settings.app.port) as base_url:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
            await log_in(http, base_url, employer["email"])
            event_id = await create_event(http, base_url, action="publish", interviewer_email=[interviewer])
        assert await outbox.fetchval("SELECT state FROM event WHERE id = $1", event_id) == "published"
        mail_id = await outbox.fetchval("SELECT id FROM mail_outbox WHERE to_address = $1", interviewer)
        await wait_for_row(outbox, mail_id, lambda r: r["attempts"] >= 2 and r["sent_at"] is None)

        await asyncio.to_thread(catcher.start)
        await wait_for_row(outbox, mail_id, lambda r: r["sent_at"] is not None)
        await asyncio.sleep(3 * settings.mail.retry_max_delay)
    (message,) = caught(catcher.maildir, interviewer)
    assert str(calendar_event(message)["UID"]).startswith(f"event-{event_id}-interviewer-")


# `python -m app.mail`


def worker_environ(stack, outbox_url: str, catcher) -> dict[str, str]:
    return dict(
        stack.environ,
        DATABASE_URL=outbox_url,
        SNABB_APP_PORT=str(free_port()),
        SNABB_MAIL_SMTP_PORT=str(catcher.port),
        SNABB_MAIL_CATCHER_DIR=str(catcher.maildir),
    )


async def start_worker(environ: dict[str, str], log_path) -> asyncio.subprocess.Process:
    log = open(log_path, "ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.mail", cwd=ROOT, env=environ, stdout=log, stderr=log
        )
    finally:
        log.close()


async def test_the_app_only_writes_and_the_worker_process_sends(stack, outbox_url, outbox, catcher, tmp_path):
    await asyncio.to_thread(catcher.start)
    environ = worker_environ(stack, outbox_url, catcher)
    settings = load_settings(dict(environ, SNABB_MAIL_WORKER_IN_APP="false"))
    app = create_app(settings)
    address = unique_email("worker-process")
    async with serving(app, settings.app.port):
        mail_id = await enqueue(app, outbox, address)
        await asyncio.sleep(2)
        assert caught(catcher.maildir, address) == []  # nobody in the app sends it

        process = await start_worker(environ, tmp_path / "worker.log")
        try:
            await wait_for_mail(catcher.maildir, address, 1)
            row = await wait_for_row(outbox, mail_id, lambda r: r["sent_at"] is not None)
            assert f":{process.pid}:" in row["claimed_by"]
            # A new mail wakes it at once (it listens), and the message is whole.
            await wait_for_listeners(outbox, 1)
            second = unique_email("worker-process-2")
            await enqueue(app, outbox, second)
            (message,) = await wait_for_mail(catcher.maildir, second, 1)
            assert message.get_body(("plain",)).get_content().strip()
            assert message["Subject"] and message["To"].addresses[0].addr_spec == second
        finally:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 30) == 0  # a clean stop
    assert "Traceback" not in (tmp_path / "worker.log").read_text()


async def test_a_killed_worker_process_releases_its_claims_within_seconds(
    stack, outbox_url, outbox, catcher, tmp_path
):
    await asyncio.to_thread(catcher.start)
    environ = worker_environ(stack, outbox_url, catcher)
    before = {row["id"] for row in await outbox.fetch("SELECT id FROM live_process")}
    process = await start_worker(environ, tmp_path / "worker.log")
    try:
        await wait_for_listeners(outbox, 1)
        beating = {row["id"] for row in await outbox.fetch("SELECT id FROM live_process")} - before
        assert len(beating) == 1  # the worker process beats like an app process
    finally:
        os.kill(process.pid, signal.SIGKILL)
        await process.wait()
    (dead,) = beating
    settings = instance_settings(stack, outbox_url, catcher)
    app = create_app(settings)
    address = unique_email("killed-worker")
    # What the killed process held: a mail it claimed for the full lease.
    mail_id = await enqueue_claimed(app, outbox, address, "killed", lease_seconds=600, process=dead)
    async with serving(app, settings.app.port):
        await wait_for_mail(catcher.maildir, address, 1, timeout=60)
    row = await wait_for_row(outbox, mail_id, lambda r: r["sent_at"] is not None)
    assert row["claimed_by"] != "killed"


async def test_a_mail_that_cannot_be_built_is_given_up_without_its_address(
    stack, outbox_url, outbox, catcher, caplog
):
    """A row no message can be made of (enqueue checks what goes in: written past it here)
    is given up; the parser's complaint quotes part of the address, which is blanked in the
    stored error and the log, as a server's reply is (app/mail/smtp.py `describe`)."""
    await asyncio.to_thread(catcher.start)
    settings = instance_settings(stack, outbox_url, catcher)
    app = create_app(settings)
    mail_id = await enqueue(app, outbox, unique_email("trasig"))
    await outbox.execute(
        "UPDATE mail_outbox SET to_address = 'kim@@trasig.example.se' WHERE id = $1", mail_id
    )
    with caplog.at_level("ERROR", logger="app.mail.worker"):
        async with serving(app, settings.app.port):
            row = await wait_for_row(outbox, mail_id, lambda row: row["failed_at"] is not None)
    error = row["last_error"]
    assert error.startswith("cannot build: ") and "trasig" not in error, error
    assert "trasig" not in caplog.text and "cannot be built" in caplog.text
