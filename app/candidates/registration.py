"""Registering through an invite link: capacity holds under any concurrency.

Registrations for one event take turns on the event's row lock: lock, count, insert, queue
the confirmation mail, commit. The lock makes a hundred arriving at once unable to pass the
count together; the mail exists exactly when the registration does.

Everything the confirmation needs is known before the lock (the event and an id for the
candidate, drawn from its sequence, in one read; the link and PIN are random), so the mail
is rendered first. The locked part is then one statement in a transaction of its own
(take_registration_seat, migration 0036): it writes the mail's row, then locks, looks for
the address through its unique index, counts and, if the event is still as read (its
version) and has room, inserts the candidate (else the mail's row goes again), and the lock
is let go as it returns. While the event is published or live the same statement sends the
event's `queue` notification, so the interviewers' and the organizer's screens count the
registration (and re-read their roster). The lock is never held across a round trip to
this process, whose busy event loop the other registrations would otherwise wait for, nor
while the mail's bodies are written (BENCHMARKS.md, "Registration").

The rarer ways go statement by statement under the lock (_register_locked): the event
changed since it was read (the mail is rendered again under the lock), the address is
registered already, or a cancellation made room meanwhile.

An address found registered is answered at once, as a new one would be, and the view sends
its link again after the answer (send_link_again, through app/after_answer.py): done before,
the answer took longer for a registered address, which told a stranger timing it who had
registered. That work only sends: a registration cancelled after the answer's statement (by
its candidate, or removed by the employer) stays cancelled.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg

from app.candidates import mails, queries
from app.candidates.rules import (
    CLOSED,
    FULL,
    OPEN,
    RESEND_WINDOW,
    RESEND_WINDOW_AFTER_THE_EVENT,
    Registration,
    event_open_until,
    registration_state,
    resend_allowed,
)
from app.events.rules import is_over
from app.events.tokens import link_token, six_digit_code
from app.live import queue as live_queue
from app.mail.outbox import PreparedMail

if TYPE_CHECKING:
    from app.mail import Mailer

log = logging.getLogger(__name__)

REGISTERED = "registered"
# The address was registered already: no second seat was taken, and the caller sends its
# confirmation again after the answer (or, when sent too often lately, not).
ALREADY = "already"


class UndeliverableAddress(Exception):
    """The address passed the form's checks but cannot be put on a mail."""


@dataclass(frozen=True)
class Outcome:
    result: str  # REGISTERED, ALREADY, or why not (rules.FULL, CLOSED, ...)
    event: Mapping[str, Any]
    candidate: Mapping[str, Any] | None = None


def state_of(event: Mapping[str, Any], registered: int, now: dt.datetime) -> str:
    return registration_state(
        event["state"],
        event["deleted_at"] is not None,
        event["invite_open"],
        event["starts_at"],
        event["duration_minutes"],
        registered,
        event["capacity"],
        now,
    )


async def send_confirmation_again(
    connection: asyncpg.Connection, mailer: Mailer, public_url: str, event: asyncpg.Record, candidate_id: int
) -> bool:
    """The confirmation again, to the registered address, within the re-send limits: in a
    transaction of its own, under the lock of the candidate's row only (their re-sends take
    turns, nobody else waits). Whether it was sent. Also asked for on the PIN page by whoever
    holds the link: it goes only where the registration's own mails go; once the event has
    been held, as the link and PIN alone."""
    async with connection.transaction():
        candidate = await queries.in_event(connection, event["id"], candidate_id, for_update=True)
        if candidate is None or candidate["cancelled_at"] is not None:
            return False
        now = await connection.fetchval("SELECT now()")
        held = is_over(event, now)
        allowed, window_start, count = resend_allowed(
            candidate["resend_window_started_at"],
            candidate["resends_in_window"],
            now,
            RESEND_WINDOW_AFTER_THE_EVENT if held else RESEND_WINDOW,
        )
        if not allowed:
            log.info(
                "confirmation for candidate %s not re-sent: sent %d times within the %s",
                candidate["id"],
                count,
                "day" if held else "hour",
            )
            return False
        await queries.note_resend(connection, candidate["id"], window_start, count)
        if held:
            # Only the candidate asks then (the employer's Resend goes with the event):
            # the confirmation would tell them of a day that has been.
            after = mails.prepare_link_after_the_event(mailer, public_url, event, candidate)
            await mails.enqueue_prepared(connection, mailer, after, candidate["id"])
        else:
            await mails.send_confirmation(connection, mailer, public_url, event, candidate, again=True)
    return True


def mail_differs(rendered_for: Mapping[str, Any], locked: Mapping[str, Any]) -> bool:
    """Whether the event changed between the record the mail was rendered from and the one
    read under the lock."""
    keys = (set(rendered_for.keys()) | set(locked.keys())) - mails.NOT_SHOWN
    return any(rendered_for.get(key) != locked.get(key) for key in keys)


async def register(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    invite_token: str,
    registration: Registration,
) -> Outcome | None:
    """None when no event has this invite link. ALREADY is answered before the address's
    link is sent again: the caller sends it after the answer (send_link_again)."""
    prepared = await _prepared(connection, mailer, public_url, invite_token, registration)
    if prepared is None:
        return None
    row, event, draft, mail = prepared
    # The common way: the locked part in one statement, if the event is as read.
    until = event_open_until(event)
    seat = await queries.take_seat_at_once(
        connection,
        invite_token,
        row["version"],
        until,
        registration,
        draft["access_token"],
        draft["pin"],
        draft["id"],
        mail,
        # The state as read is the state under the lock when a seat is taken (the version
        # checked there includes it).
        event["id"] if event["state"] in live_queue.OPEN_EVENT_STATES else None,
    )
    if seat["o_fresh"]:
        if seat["o_existing"] is None and seat["o_inserted"]:
            log.info("candidate %s registered for event %s", draft["id"], event["id"])
            return Outcome(REGISTERED, event, draft)
        state = state_of(event, seat["o_registered"], seat["o_now"])
        # Not open (full, closed, over, cancelled, deleted): answered at once, whether or not
        # the address is registered. To a full or closed event, the caller sends a registered
        # address its link again after the answer (app/after_answer.py), so that neither the
        # answer's words nor its time tell a stranger who had registered; an event over or
        # deleted took the long way for a registered address, and its invite link, public in
        # a job ad, told who had applied until the data was erased.
        if state != OPEN:
            return Outcome(state, event)
        if seat["o_existing"] is not None:
            # Registered already: answered as soon as a new registration would be, for the
            # same reason; the caller sends the link again after the answer.
            return Outcome(ALREADY, event)
    # The rarer ways: the event changed since it was read, or the address is registered.
    return await _register_locked(
        connection, mailer, public_url, invite_token, registration, event, draft, mail
    )


async def _prepared(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    invite_token: str,
    registration: Registration,
) -> tuple[asyncpg.Record, dict[str, Any], dict[str, Any], PreparedMail] | None:
    """The event as read, the candidate to be (an id from its sequence, a link, a PIN) and
    their confirmation, rendered before any lock. None when no event has this invite link."""
    row = await queries.event_for_registration(connection, invite_token)
    if row is None:
        return None
    event = {key: row[key] for key in row.keys() if key not in queries.REGISTRATION_COLUMNS}
    draft: dict[str, Any] = {
        "id": row["next_candidate_id"],
        "name": registration.name,
        "email": registration.email,
        "language": registration.language,
        "access_token": link_token(),
        "pin": six_digit_code(),
        "link_generation": 0,
    }
    try:
        mail = mails.prepare_confirmation(mailer, public_url, event, draft)
    except ValueError as error:  # Mailer.prepare: this address cannot go on a mail
        raise UndeliverableAddress(str(error)) from None
    return row, event, draft, mail


async def _register_locked(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    invite_token: str,
    registration: Registration,
    event: Mapping[str, Any],
    draft: dict[str, Any],
    mail: PreparedMail,
) -> Outcome | None:
    """The registration statement by statement in a transaction under the event's lock. An
    address registered already is answered ALREADY without its link sent: the caller sends
    it after the answer (send_link_again), as on the common way."""
    async with connection.transaction():
        # Under the lock: the locking read, then one statement that counts and, if there is
        # room, inserts the candidate and queues the mail rendered before the lock.
        locked = await queries.lock_event_by_invite_token(connection, invite_token)
        if locked is None:
            return None
        rendered_fresh = not mail_differs(event, locked)
        may_open = rendered_fresh and state_of(locked, 0, locked["now"]) == OPEN
        seats = await queries.take_seat(
            connection,
            locked["id"],
            locked["capacity"] if may_open else 0,
            registration,
            draft["access_token"],
            draft["pin"],
            draft["id"],
            mail,
        )
        registered, existing = seats["registered"], None
        candidate = seats if seats["id"] is not None else None
        if seats["existing"] is not None:  # locked, as a cancellation under way may change it
            existing = await queries.registered_by_email(connection, locked["id"], registration.email)
            if existing is None:  # cancelled meanwhile: one seat fewer taken
                registered = await queries.count_registered(connection, locked["id"])
        state = state_of(locked, registered, locked["now"])
        if candidate is None and existing is None and state == OPEN:
            # The rarer ways here: the event changed since the mail was rendered, or the
            # address's registration was cancelled meanwhile.
            candidate = await queries.insert_candidate(
                connection,
                locked["id"],
                registration,
                draft["access_token"],
                draft["pin"],
                candidate_id=draft["id"],
            )
            if not rendered_fresh:
                mail = mails.prepare_confirmation(mailer, public_url, locked, candidate)
            await mails.enqueue_prepared(connection, mailer, mail, candidate["id"])
        if candidate is not None and locked["state"] in live_queue.OPEN_EVENT_STATES:
            # The lobby's counts and roster (take_seat_at_once notifies in its statement).
            # One more round trip under the lock, on this rarer way only.
            await live_queue.notify(connection, locked["id"], "queue")
    if existing is not None and state == OPEN:
        return Outcome(ALREADY, locked, existing)
    if existing is not None or state != OPEN:
        return Outcome(state, locked)
    assert candidate is not None  # open, and the address not registered: inserted above
    log.info("candidate %s registered for event %s", candidate["id"], locked["id"])
    return Outcome(REGISTERED, locked, candidate)


async def send_link_again(
    connection: asyncpg.Connection, mailer: Mailer, public_url: str, invite_token: str, email: str
) -> asyncpg.Record | None:
    """ "Lost your link?": the registration of `email` gets its confirmation again (within
    the re-send limits). Returns the event (None when the invite link is unknown); whether
    the address was registered is not told, so the form reveals nobody's registration."""
    event = await queries.event_by_invite_token(connection, invite_token)
    if event is None:
        return None
    now = await connection.fetchval("SELECT now()")
    candidate_id = await connection.fetchval(
        """
        SELECT id FROM candidate
        WHERE event_id = $1 AND lower(email) = lower($2) AND cancelled_at IS NULL""",
        event["id"],
        email,
    )
    if candidate_id is not None and state_of(event, 0, now) in (OPEN, FULL, CLOSED):
        await send_confirmation_again(connection, mailer, public_url, event, candidate_id)
    return event
