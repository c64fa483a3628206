"""The outbox worker: sends what Mailer.enqueue wrote, retrying while the SMTP server is down.

Every application process runs one (cleanup_ctx `mail_worker`), unless mail.worker_in_app
is off and `python -m app.mail` processes run it instead; any number may share a database.
A worker sends up to LANES mails at once, each lane claiming and sending one mail after another
(marking the one sent and claiming the next in one statement); a lane that found a mail opens
the next lane, so a round with one mail due costs two claims, not one per lane. The lanes'
SMTP connections are kept between rounds (SMTP_IDLE). A worker wakes on NOTIFY mail_outbox
(sent when an enqueueing transaction commits),
when the next retry falls due, and every POLL_INTERVAL seconds in case a notification was
missed (its listening connection is re-opened when it drops).

Never twice. Taking a row is a short transaction of its own (store.claim_next): the row is
chosen with FOR UPDATE SKIP LOCKED, so two workers (or lanes) never take the same one, and its
next_attempt_at moves CLAIM_LEASE seconds ahead, so it is not due again while this worker
sends it. The lease is far longer than an attempt may last (smtp.MESSAGE_DEADLINE), and
no transaction or lock is held across the SMTP exchange. Once the server has accepted the
mail, the row is marked sent, in the statement that claims the lane's next mail (or alone,
when the lane ends); if the database is unreachable just then, the worker keeps trying to
mark it rather than moving on.
The one window left: the process dies (or the server's "250 OK" is lost, or shutdown has to
cut a hung attempt) after the server accepted the mail and before the row is marked. The row
is then sent again when its lease runs out, or, when the process died, as soon as the other
processes see its heartbeat stop (store._CLAIM): at least once, never lost. The second copy
carries the same Message-ID and Date, so receiving systems and mail clients can recognise it
as the same message.

Back-off: a failed attempt puts the row off by FIRST_RETRY_DELAY · 2^(attempts-1) seconds,
capped at settings.mail.retry_max_delay, and the worker pauses as long before it tries the
server again. A permanent refusal (SMTP 5xx to the recipient or the message) ends in
failed_at: trying again would not help.
"""

from __future__ import annotations

import asyncio
import logging
import time
import os
import random
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from app.keys import DB_POOL, SETTINGS
from app.live.connections import LIVE_PROCESS
from app.logs import secret_values
from app.mail import store
from app.mail.message import OutboxMail, sender_mailbox
from app.mail.smtp import DeliveryError, SmtpClient, describe
from app.mail.wire import message_bytes
from app.metrics import METRICS
from app.outages import Outage
from app.settings import Settings

log = logging.getLogger(__name__)

CLAIM_LEASE = 600.0
POLL_INTERVAL = 10.0
FIRST_RETRY_DELAY = 2.0
# Mails sent at once, each lane over an SMTP connection of its own: a mail's round trips
# (claim, MAIL, RCPT, DATA, mark sent) mostly wait, on the network and on a busy event loop;
# one at a time, the outbox drained more slowly than registrations filled it (BENCHMARKS.md,
# "Registration").
LANES = 8
# How long an SMTP connection a lane is done with is kept for the next round (it is closed at
# the first wake-up after that). In a stream of registrations each NOTIFY starts a round with
# one mail: a session per mail (connect, banner, EHLO, QUIT) cost the worker and the server
# more CPU than the mail itself. Well under the five minutes RFC 5321 asks a server to wait
# before it drops an idle client; a server that drops it sooner is noticed on its close.
SMTP_IDLE = 10.0
# What one attempt at a mail came to (MailWorker._deliver).
SENT, DONE, RETRY = "sent", "done", "retry"
# On shutdown, an attempt under way may finish this long before it is cut.
SHUTDOWN_GRACE = 10.0
# InternalClientError: asyncpg's "cannot switch to state …; another operation is in
# progress", raised by a connection that broke in the middle of a statement (the database
# went away): an outage like the others, retried the same way.
DATABASE_ERRORS = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    TimeoutError,
)


def retry_delay(attempts: int, max_delay: float) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling, capped, and
    spread a little so that workers and mails do not all come back at the same instant."""
    exponent = min(max(attempts, 1) - 1, 30)
    return min(max_delay, FIRST_RETRY_DELAY * 2**exponent) * random.uniform(0.75, 1.0)


class MailWorker:
    def __init__(self, pool: asyncpg.Pool, settings: Settings, process: uuid.UUID | None = None):
        self.pool = pool
        self.settings = settings
        # The process's heartbeat (app/live/connections.py) holds this worker's claims: when
        # it stops, another worker sends them at once rather than after CLAIM_LEASE.
        self.process = process
        # Recorded in claimed_by: which process took a row, for whoever investigates.
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._secrets = secret_values(settings)
        self.sender = sender_mailbox(settings.mail.sender).addr_spec
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._listener_lost = False
        self._smtp_failures = 0
        # Connections no lane is using, with when each was last used (the loop's clock).
        self._idle_smtp: list[tuple[float, SmtpClient]] = []

    async def run(self) -> None:
        database_failures = 0
        outage = Outage(log, "mail outbox", "trying again after a growing pause, nothing is lost")
        while not self._stop.is_set():
            self._wake.clear()
            await self._listen()
            due_in = None
            began = time.monotonic()
            try:
                pause = await self._send_due()
                await self._close_idle_smtp(older_than=SMTP_IDLE)
                async with self.pool.acquire() as connection:
                    due_in = await store.seconds_until_next_due(connection)
                database_failures = 0
                outage.over()
            except DATABASE_ERRORS as error:
                database_failures += 1
                pause = min(POLL_INTERVAL, retry_delay(database_failures, POLL_INTERVAL))
                outage.seen(error, began)
            except Exception:
                log.exception("mail outbox: unexpected error; carrying on")
                pause = POLL_INTERVAL
            if pause is not None:
                # The SMTP server or the database just failed: no point waking sooner.
                await self._sleep(pause, wake_on_notify=False)
            else:
                wait = POLL_INTERVAL if due_in is None else min(POLL_INTERVAL, due_in)
                await self._sleep(max(wait, 0.05), wake_on_notify=True)

    async def stop(self, task: asyncio.Task[Any]) -> None:
        """Let an attempt under way finish (cutting it could send that mail twice), then end;
        cancel and await the task if it takes longer than SHUTDOWN_GRACE."""
        self._stop.set()
        try:
            await asyncio.wait_for(task, SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning("mail outbox: an attempt was cut short by shutdown")
        finally:
            await self._close_listener()
            await self._close_idle_smtp(older_than=0.0)

    async def _send_due(self) -> float | None:
        """Send every due mail, up to LANES at a time; the pause before trying again if the
        SMTP server failed. A database error ends the round once every lane has stopped (a
        lane is never cut in the middle of a mail: that could send it twice)."""
        lanes: list[asyncio.Task[float | None]] = []

        def open_lane() -> None:
            if len(lanes) < LANES and not self._stop.is_set():
                lanes.append(asyncio.ensure_future(self._lane(open_lane)))

        open_lane()
        try:
            while not all(lane.done() for lane in lanes):  # a lane may open another meanwhile
                await asyncio.wait([lane for lane in lanes if not lane.done()])
        except BaseException:  # shutdown cutting the round: the lanes go with it
            for lane in lanes:
                lane.cancel()
            raise
        errors = [lane.exception() for lane in lanes]
        for error in errors:
            if error is not None:
                raise error
        pauses = [pause for lane in lanes if (pause := lane.result()) is not None]
        return max(pauses) if pauses else None

    async def _lane(self, open_another: Callable[[], None]) -> float | None:
        """One mail after another over one SMTP connection, until none is due; the first
        mail it finds opens another lane (when one mail is due, the next lane finds none)."""
        loop = asyncio.get_running_loop()
        used, smtp = self._idle_smtp.pop() if self._idle_smtp else (0.0, self._new_smtp())
        sent: int | None = None  # accepted by the server, marked with the next claim
        opened = False
        try:
            while not self._stop.is_set():
                # Handed over: the claim marks it, or marks it on its own when the claim fails.
                marking, sent = sent, None
                mail = await self._claim_after(marking)
                if mail is None:
                    return None
                if not opened:
                    open_another()
                    opened = True
                used = loop.time()
                outcome = await self._deliver(smtp, mail)
                if outcome == RETRY:
                    return retry_delay(self._smtp_failures, self.settings.mail.retry_max_delay)
                if outcome == SENT:
                    sent = mail.id
            return None
        finally:
            if sent is not None:
                await self._record(store.mark_sent, sent)
            if smtp.connected:
                self._idle_smtp.append((used, smtp))

    def _new_smtp(self) -> SmtpClient:
        return SmtpClient(self.settings.mail, self._secrets)

    async def _close_idle_smtp(self, *, older_than: float) -> None:
        """Close the kept SMTP connections last used more than `older_than` seconds ago."""
        cutoff = asyncio.get_running_loop().time() - older_than
        stale = [smtp for used, smtp in self._idle_smtp if used <= cutoff]
        self._idle_smtp = [(used, smtp) for used, smtp in self._idle_smtp if used > cutoff]
        for smtp in stale:
            await smtp.close()

    async def _claim_after(self, sent: int | None) -> OutboxMail | None:
        """The lane's next mail, `sent` marked sent in the same statement. If that fails the
        mark is written on its own, retried until the database takes it (a sent mail not
        marked would go again), and the error ends the round."""
        try:
            async with self.pool.acquire() as connection:
                return await store.claim_next(
                    connection,
                    lease_seconds=CLAIM_LEASE,
                    worker=self.name,
                    process=self.process,
                    sent=sent,
                )
        except BaseException:  # a database error, or the worker stopping meanwhile
            if sent is not None:
                await self._record(store.mark_sent, sent)
            raise

    async def _deliver(self, smtp: SmtpClient, mail: OutboxMail) -> str:
        """One attempt at one mail: SENT (not yet marked: the caller marks it), DONE (given
        up for good, recorded), or RETRY (the server could not take it now, recorded)."""
        try:
            message = message_bytes(
                mail, sender=self.settings.mail.sender, reply_to=self.settings.app.support_email
            )
        except (ValueError, TypeError) as error:
            # Enqueue checks what goes in; a row no message can be made of stays broken.
            # The parser's message may quote part of the address: blanked, as a reply's is.
            described = describe(error, [])
            log.error("mail %s cannot be built and is given up: %s", mail.id, described)
            await self._record(store.mark_failed, mail.id, error=f"cannot build: {described}")
            METRICS.mails_failed.inc()
            return DONE
        try:
            await smtp.send(message, sender=self.sender, recipient=mail.to_address)
        except DeliveryError as failure:
            if failure.permanent:
                log.warning("mail %s refused by the server for good: %s", mail.id, failure.description)
                await self._record(store.mark_failed, mail.id, error=failure.description)
                METRICS.mails_failed.inc()
                return DONE
            self._smtp_failures += 1
            delay = retry_delay(mail.attempts, self.settings.mail.retry_max_delay)
            log.warning(
                "mail %s not sent (attempt %d), next try in %.1f s: %s",
                mail.id,
                mail.attempts,
                delay,
                failure.description,
            )
            await self._record(store.mark_for_retry, mail.id, delay_seconds=delay, error=failure.description)
            METRICS.mails_retried.inc()
            return RETRY
        self._smtp_failures = 0
        METRICS.mails_sent.inc()
        return SENT

    async def _record(self, update: Callable[..., Awaitable[None]], mail_id: int, **values: Any) -> None:
        """Write an attempt's outcome, trying until the database takes it: a sent mail that
        is not marked would be sent again when its lease runs out."""
        failures = 0
        while True:
            try:
                async with self.pool.acquire() as connection:
                    await update(connection, mail_id, **values)
                return
            except DATABASE_ERRORS as error:
                failures += 1
                delay = retry_delay(failures, 5.0)
                log.warning(
                    "mail %s: cannot record the outcome (%s), trying again in %.1f s",
                    mail_id,
                    type(error).__name__,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _sleep(self, seconds: float, *, wake_on_notify: bool) -> None:
        events = [self._stop] + ([self._wake] if wake_on_notify else [])
        waiters = [asyncio.ensure_future(event.wait()) for event in events]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _notified(self, *_args: Any) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        """Keep a connection LISTENing on mail_outbox; while there is none, polling covers."""
        if self._listener is not None and not self._listener.is_closed():
            return
        await self._close_listener()
        connection = None
        try:
            connection = await asyncpg.connect(self.settings.database.url.get_secret_value(), timeout=5)
            await connection.add_listener(store.CHANNEL, self._notified)
            connection.add_termination_listener(self._notified)
        except DATABASE_ERRORS as error:
            if connection is not None:
                connection.terminate()
            if not self._listener_lost:
                # The URL holds the database password: name the error only.
                log.warning(
                    "mail outbox: cannot listen for new mail (%s); polling every %.0f s",
                    type(error).__name__,
                    POLL_INTERVAL,
                )
            self._listener_lost = True
            return
        self._listener = connection
        if self._listener_lost:
            log.info("mail outbox: listening for new mail again")
        self._listener_lost = False

    async def _close_listener(self) -> None:
        connection, self._listener = self._listener, None
        if connection is None or connection.is_closed():
            return
        try:
            await connection.close(timeout=2)
        except DATABASE_ERRORS:
            connection.terminate()


async def mail_worker(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: one worker per process, stopped before the database pool closes."""
    worker = MailWorker(app[DB_POOL], app[SETTINGS], app.get(LIVE_PROCESS))
    task = asyncio.create_task(worker.run(), name="mail-worker")
    try:
        yield
    finally:
        await worker.stop(task)
