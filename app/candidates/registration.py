"""Registering through an invite link: capacity holds under any concurrency.

One transaction per registration: lock the event row, count the registrations, insert,
queue the confirmation mail, commit. The lock makes registrations for one event take turns,
so a hundred arriving at once can never together pass the count; the mail exists exactly
when the registration does.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

from app.candidates import mails, queries
from app.candidates.rules import (CLOSED, FULL, OPEN, Registration, registration_state,
                                  resend_allowed)
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
    result: str                   # REGISTERED, ALREADY, or why not (rules.FULL, CLOSED, ...)
    event: asyncpg.Record
    candidate: asyncpg.Record | None = None


def state_of(event: asyncpg.Record, registered: int, now: dt.datetime) -> str:
    return registration_state(event["state"], event["deleted_at"] is not None,
                              event["invite_open"], event["starts_at"],
                              event["duration_minutes"], registered, event["capacity"], now)


async def _send_again(connection: asyncpg.Connection, mailer: Mailer, public_url: str,
                      event: asyncpg.Record, candidate: asyncpg.Record, now: dt.datetime) -> None:
    allowed, window_start, count = resend_allowed(candidate["resend_window_started_at"],
                                                  candidate["resends_in_window"], now)
    if not allowed:
        log.info("confirmation for candidate %s not re-sent: sent %d times within the hour",
                 candidate["id"], count)
        return
    await queries.note_resend(connection, candidate["id"], window_start, count)
    await mails.send_confirmation(connection, mailer, public_url, event, candidate, again=True)


async def register(connection: asyncpg.Connection, mailer: Mailer, public_url: str,
                   invite_token: str, registration: Registration) -> Outcome | None:
    """None when no event has this invite link."""
    try:
        async with connection.transaction():
            event = await queries.event_by_invite_token(connection, invite_token, for_update=True)
            if event is None:
                return None
            now = await connection.fetchval("SELECT now()")
            existing = await queries.registered_by_email(connection, event["id"],
                                                         registration.email)
            state = state_of(event, await queries.count_registered(connection, event["id"]), now)
            if existing is not None and state in (OPEN, FULL, CLOSED):
                await _send_again(connection, mailer, public_url, event, existing, now)
                return Outcome(ALREADY, event, existing)
            if state != OPEN:
                return Outcome(state, event)
            candidate = await queries.insert_candidate(connection, event["id"], registration,
                                                       link_token(), six_digit_code())
            await mails.send_confirmation(connection, mailer, public_url, event, candidate)
    except ValueError as error:  # Mailer.enqueue: this address cannot go on a mail
        raise UndeliverableAddress(str(error)) from None
    log.info("candidate %s registered for event %s", candidate["id"], event["id"])
    return Outcome(REGISTERED, event, candidate)


async def send_link_again(connection: asyncpg.Connection, mailer: Mailer, public_url: str,
                          invite_token: str, email: str) -> asyncpg.Record | None:
    """"Lost your link?": the registration of `email` gets its confirmation again (within
    the re-send limits). Returns the event (None when the invite link is unknown); whether
    the address was registered is not told, so the form reveals nobody's registration."""
    async with connection.transaction():
        event = await queries.event_by_invite_token(connection, invite_token, for_update=True)
        if event is None:
            return None
        now = await connection.fetchval("SELECT now()")
        existing = await queries.registered_by_email(connection, event["id"], email)
        if existing is not None and state_of(event, 0, now) in (OPEN, FULL, CLOSED):
            await _send_again(connection, mailer, public_url, event, existing, now)
    return event
