"""The mails a candidate gets, each with its calendar entry, queued in the caller's transaction.

The calendar entry keeps one UID for the registration's life, the same one the event's own
mails (new time, cancellation) use, so every later mail replaces the entry in the candidate's
calendar. The PIN is in the mail text only, never in the calendar entry: calendars are
often shared with colleagues.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import asyncpg

from app.candidates.rules import takes_registrations_now
from app.events.notify import calendar_entry, candidate_link
from app.live.rules import checkin_open
from app.mail import CalendarEntry, store
from app.mail.outbox import PreparedMail

if TYPE_CHECKING:
    from app.mail import Mailer

REGISTRATION = "candidate_registration"
REMINDER = "candidate_reminder"
CANCELLED = "candidate_cancelled"
# The link and PIN asked for again once the event has been held.
LINK_AFTER = "candidate_link_after"
# Read with the event's lock (app/candidates/registration.py), shown in no mail or page.
NOT_SHOWN = frozenset({"now"})


def shown(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event as mails and pages get it: one dict per version of the event, whichever
    statement read it (a cache key of app/rendered_once.py)."""
    return {key: value for key, value in event.items() if key not in NOT_SHOWN}


def _context(event: Mapping[str, Any], **extra) -> dict:
    """What every candidate of one event shares in a mail: rendered once per event version
    (app/rendered_once.py), with _personal spliced in."""
    return {
        "event": shown(event),
        "event_starts_at": event["set_starts_at"],
        **extra,
    }


def _personal(candidate: Mapping[str, Any], link: str) -> dict[str, str]:
    """What the candidate mail templates only print."""
    return {"name": candidate["name"], "link": link, "pin": candidate["pin"]}


async def _send(
    connection: asyncpg.Connection,
    mailer: Mailer,
    template: str,
    event: asyncpg.Record,
    candidate: asyncpg.Record,
    calendar: CalendarEntry,
    context: dict,
    link: str,
) -> int:
    return await enqueue_prepared(
        connection, mailer, _prepare(mailer, template, candidate, calendar, context, link), candidate["id"]
    )


def _prepare(
    mailer: Mailer,
    template: str,
    candidate: Mapping[str, Any],
    calendar: CalendarEntry | None,
    context: dict,
    link: str,
) -> PreparedMail:
    return mailer.prepare_to(candidate, template, context, calendar, _personal(candidate, link))


async def enqueue_prepared(
    connection: asyncpg.Connection, mailer: Mailer, mail: PreparedMail, candidate_id: int
) -> int:
    """A mail prepared before the caller's lock, queued in its transaction (one statement:
    the registration holds the event's lock meanwhile)."""
    return await store.insert(connection, **dataclasses.asdict(mail), candidate_id=candidate_id)


def prepare_confirmation(
    mailer: Mailer,
    public_url: str,
    event: Mapping[str, Any],
    candidate: Mapping[str, Any],
    *,
    again: bool = False,
    replaced: bool = False,
) -> PreparedMail:
    """The personal link, the PIN and the calendar entry, rendered without the database.
    `again`: a re-sent copy; `replaced`: a new link and PIN, the earlier ones no longer work.
    `candidate` needs id, name, email, language, access_token and pin."""
    link = candidate_link(public_url, candidate["access_token"])
    opens_minutes = mailer.settings.live.checkin_opens_minutes
    # When to come, as the candidate's page says it: check-in opens a set time before the
    # start (and may be open already for one who registers late).
    checkin = {
        "checkin_opens_minutes": opens_minutes,
        "checkin_open_now": checkin_open(
            dt.datetime.now(dt.timezone.utc), event["starts_at"], event["duration_minutes"], opens_minutes
        ),
    }
    return _prepare(
        mailer,
        REGISTRATION,
        candidate,
        calendar_entry(mailer, event, candidate, link),
        _context(event, again=again, replaced=replaced, **checkin),
        link,
    )


async def send_confirmation(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    event: asyncpg.Record,
    candidate: asyncpg.Record,
    *,
    again: bool = False,
    replaced: bool = False,
) -> int:
    """prepare_confirmation, queued in the caller's transaction."""
    return await enqueue_prepared(
        connection,
        mailer,
        prepare_confirmation(mailer, public_url, event, candidate, again=again, replaced=replaced),
        candidate["id"],
    )


def prepare_link_after_the_event(
    mailer: Mailer, public_url: str, event: Mapping[str, Any], candidate: Mapping[str, Any]
) -> PreparedMail:
    """The personal link and PIN alone, for what the page still offers once the event has
    been held (the interest question, one's data): no calendar entry, which would put the
    held event back in the candidate's calendar, and no plan for the day."""
    link = candidate_link(public_url, candidate["access_token"])
    return _prepare(mailer, LINK_AFTER, candidate, None, _context(event), link)


async def send_reminder(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    event: asyncpg.Record,
    candidate: asyncpg.Record,
) -> int:
    link = candidate_link(public_url, candidate["access_token"])
    return await _send(
        connection,
        mailer,
        REMINDER,
        event,
        candidate,
        calendar_entry(mailer, event, candidate, link),
        _context(event),
        link,
    )


async def send_cancellation(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    event: asyncpg.Record,
    candidate: asyncpg.Record,
    *,
    by_employer: bool,
) -> int:
    """The registration has ended: a confirmation to the candidate, and a calendar
    cancellation one sequence number past the entry they hold."""
    link = candidate_link(public_url, candidate["access_token"])
    return await _send(
        connection,
        mailer,
        CANCELLED,
        event,
        candidate,
        calendar_entry(mailer, event, candidate, link, method="CANCEL", bump=1),
        _context(
            event,
            by_employer=by_employer,
            # "Register again" only while the invite link takes registrations, as on the
            # personal page; it opens in the mail's language (the shared link cannot know
            # whose it is).
            invite_link=f"{public_url}/r/{event['invite_token']}?lang={candidate['language']}"
            if event["invite_token"] and takes_registrations_now(event, dt.datetime.now(dt.timezone.utc))
            else None,
        ),
        link,
    )
