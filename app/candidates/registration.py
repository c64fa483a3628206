"""Registering through an invite link: capacity holds under any concurrency.

One transaction per registration: lock the event row, count the registrations, insert,
queue the confirmation mail, commit. The lock makes registrations for one event take turns,
so a hundred arriving at once can never together pass the count; the mail exists exactly
when the registration does.

The lock is held for the count and the inserts only: everything the confirmation needs is
known before it (the candidate's id is drawn from its sequence first, the link and PIN are
random), so the mail is rendered before the lock is taken, and rendered again under it only
if the event changed in between. Under the lock: the locking read (with the database's
clock), then one statement that counts the registrations, looks for the address and, if
there is room, inserts the candidate and queues the mail (app/candidates/queries.py,
take_seat): every statement under the lock is a round trip through a busy process's event
loop, which the other registrations wait for. A
confirmation sent again to someone registered already is rendered and queued after the
lock is let go.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg

from app.candidates import mails, queries
from app.candidates.rules import CLOSED, FULL, OPEN, Registration, registration_state, resend_allowed
from app.events.tokens import link_token, six_digit_code

if TYPE_CHECKING:
    from app.mail import Mailer

log = logging.getLogger(__name__)

REGISTERED = "registered"
# The address was registered already: its confirmation was sent again (or, when sent too
# often lately, not), and no second seat was taken.
ALREADY = "already"


class UndeliverableAddress(Exception):
    """The address passed the form's checks but cannot be put on a mail."""


@dataclass(frozen=True)
class Outcome:
    result: str  # REGISTERED, ALREADY, or why not (rules.FULL, CLOSED, ...)
    event: asyncpg.Record
    candidate: asyncpg.Record | None = None


def state_of(event: asyncpg.Record, registered: int, now: dt.datetime) -> str:
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


async def _send_again(
    connection: asyncpg.Connection, mailer: Mailer, public_url: str, event: asyncpg.Record, candidate_id: int
) -> None:
    """The confirmation again, within the re-send limits: in a transaction of its own, under
    the lock of the candidate's row only (their re-sends take turns, nobody else waits)."""
    async with connection.transaction():
        candidate = await queries.in_event(connection, event["id"], candidate_id, for_update=True)
        if candidate is None or candidate["cancelled_at"] is not None:
            return
        now = await connection.fetchval("SELECT now()")
        allowed, window_start, count = resend_allowed(
            candidate["resend_window_started_at"], candidate["resends_in_window"], now
        )
        if not allowed:
            log.info(
                "confirmation for candidate %s not re-sent: sent %d times within the hour",
                candidate["id"],
                count,
            )
            return
        await queries.note_resend(connection, candidate["id"], window_start, count)
        await mails.send_confirmation(connection, mailer, public_url, event, candidate, again=True)


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
    """None when no event has this invite link."""
    event = await queries.event_by_invite_token(connection, invite_token)
    if event is None:
        return None
    draft: dict[str, Any] = {
        "id": await queries.next_candidate_id(connection),
        "name": registration.name,
        "email": registration.email,
        "language": registration.language,
        "access_token": link_token(),
        "pin": six_digit_code(),
    }
    try:
        mail = mails.prepare_confirmation(mailer, public_url, event, draft)
    except ValueError as error:  # Mailer.prepare: this address cannot go on a mail
        raise UndeliverableAddress(str(error)) from None
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
    if existing is not None and state in (OPEN, FULL, CLOSED):
        await _send_again(connection, mailer, public_url, locked, existing["id"])
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
        await _send_again(connection, mailer, public_url, event, candidate_id)
    return event
