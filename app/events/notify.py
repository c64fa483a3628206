"""The mails an event sends when it is published, moved or cancelled, with calendar entries.

Every mail is queued in the caller's transaction (the outbox), so it goes out exactly when the
change it reports is committed. Each recipient's calendar entry keeps one UID for the life of
the event; the event's calendar_sequence and the recipient's own link_generation (a new
personal link) order the updates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import asyncpg

from app.events import queries
from app.events.rules import INVITATIONS_PER_DAY
from app.events.tokens import calendar_uid
from app.i18n import N_
from app.mail import store

if TYPE_CHECKING:
    from app.mail.outbox import CalendarEntry, Mailer


def interviewer_link(public_url: str, token: str) -> str:
    return f"{public_url}/i/{token}"


def candidate_link(public_url: str, token: str) -> str:
    return f"{public_url}/c/{token}"


# What the entry is called in the recipient's calendar, among everything else there: what
# it is and with which employer, not the job title alone.
CALENDAR_SUMMARY = {
    "candidate": N_("Speed interview: %(title)s (%(organization)s)"),
    "interviewer": N_("Interviewer at speed interviews: %(title)s (%(organization)s)"),
}


def _entry(
    mailer: Mailer,
    event: asyncpg.Record,
    kind: str,
    person: Mapping[str, Any],
    method: str,
    url: str,
    description: str,
    bump: int = 0,
    language: str | None = None,
) -> "CalendarEntry":
    """The calendar entry of `person` (a candidate's or an interviewer's row), its title in
    `language`, else theirs: one UID for the life of the event, and a SEQUENCE that grows
    with every change of the event and every new personal link of theirs, so that each
    mail's entry replaces the one before."""
    from app.mail.outbox import CalendarEntry

    words = mailer.renderer.gettext(language or person["language"])
    # As planned: an event ended early may have begun before its set start (its first
    # candidate called in from check-in), and its entry stays as it was sent.
    starts_at = event.get("planned_starts_at") or event["starts_at"]
    return CalendarEntry(
        uid=calendar_uid(event["id"], event["calendar_key"], kind, person["id"]),
        sequence=event["calendar_sequence"] + person["link_generation"] + bump,
        method=method,
        summary=words(CALENDAR_SUMMARY[kind])
        % {"title": event["title"], "organization": event["organization_name"]},
        description=description,
        starts_at=starts_at,
        # As planned: an event ended early keeps its calendar entry (and the entry must end
        # after it starts, which the minutes it ran, maybe none, would not).
        ends_at=starts_at
        + dt.timedelta(minutes=event.get("planned_duration_minutes") or event["duration_minutes"]),
        url=url,
        location=url,
    )


def _recipients(
    event: asyncpg.Record,
    interviewers: Iterable[asyncpg.Record],
    candidates: Iterable[asyncpg.Record],
    public_url: str,
) -> list[tuple[str, asyncpg.Record, str]]:
    """(kind, row, personal link) for everyone who has been told about the event."""
    return [
        ("interviewer", row, interviewer_link(public_url, row["access_token"]))
        for row in interviewers
        if row["invited_at"] is not None
    ] + [("candidate", row, candidate_link(public_url, row["access_token"])) for row in candidates]


class Mailed(NamedTuple):
    """How many of each kind a change mailed (what the organizer is told it did)."""

    candidates: int = 0
    interviewers: int = 0


def _mailed(recipients: list[tuple[str, asyncpg.Record, str]]) -> Mailed:
    kinds = [kind for kind, _, _ in recipients]
    return Mailed(candidates=kinds.count("candidate"), interviewers=kinds.count("interviewer"))


# Mails to everyone of an event, rendered and written this many at a time: one statement
# each, and the event loop's other work gets a turn between (ten thousand mails take a
# couple of seconds to render).
MAILS_AT_A_TIME = 200


def _prepared(
    mailer: Mailer,
    row: asyncpg.Record,
    template: str,
    context: dict,
    calendar: "CalendarEntry",
    kind: str,
) -> dict:
    """One recipient's mail as store.insert_many takes it. A candidate's is theirs: erasing
    the registration strips its mails (app/candidates/erasure.py)."""
    mail = mailer.prepare_to(row, template, context, calendar)
    return {**dataclasses.asdict(mail), "candidate_id": row["id"] if kind == "candidate" else None}


async def _enqueue_all(connection: asyncpg.Connection, mails: Iterable[dict]) -> None:
    batch: list[dict] = []
    for mail in mails:  # each rendered as the generator comes to it
        batch.append(mail)
        if len(batch) == MAILS_AT_A_TIME:
            await store.insert_many(connection, batch)
            batch = []
    await store.insert_many(connection, batch)


def _base_context(event: asyncpg.Record) -> dict:
    return {"event": dict(event), "event_starts_at": event["starts_at"]}


CALENDAR_DESCRIPTION = N_(
    "Your personal link: %(link)s\nOpen it on the day and enter the PIN from your confirmation mail."
)


def calendar_entry(
    mailer: Mailer,
    event: asyncpg.Record,
    candidate: asyncpg.Record,
    link: str,
    *,
    method: str = "REQUEST",
    bump: int = 0,
    language: str | None = None,
) -> "CalendarEntry":
    """A candidate's calendar entry: their link, and where the PIN is (the confirmation's
    words, in `language`, else the candidate's), as every mail to them carries it."""
    language = language or candidate["language"]
    description = mailer.renderer.gettext(language)(CALENDAR_DESCRIPTION) % {"link": link}
    return _entry(mailer, event, "candidate", candidate, method, link, description, bump, language)


# Where a save or publication was refused by TooManyInvitations (a form's error, a notice).
INVITATIONS_REFUSED = N_(
    "Nothing was saved: your organization has had %(count)s interviewer invitations mailed within "
    "a day, the most it may. Try again tomorrow, or invite fewer interviewers now."
)


class TooManyInvitations(Exception):
    """The organization has had INVITATIONS_PER_DAY interviewer invitations mailed within a
    day: the caller's transaction, which raised it, saves nothing."""


async def invite_interviewers(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    event: asyncpg.Record,
    interviewers: list[asyncpg.Record],
    replaced: bool = False,
) -> Mailed:
    """Each interviewer's personal meeting link and code, with a calendar entry; refused
    whole (TooManyInvitations) past the organization's day's invitations. `replaced`: a new
    link and code made by the employer; the mail says the ones sent before no longer work."""
    if interviewers and (
        await queries.invitations_last_day(connection, event["organization_id"]) + len(interviewers)
        > INVITATIONS_PER_DAY
    ):
        raise TooManyInvitations()
    for row in interviewers:
        link = interviewer_link(public_url, row["access_token"])
        await mailer.enqueue(
            connection,
            to_address=row["email"],
            to_name=row["name"],
            language=row["language"],
            template="interviewer_invitation",
            context={
                **_base_context(event),
                "link": link,
                "code": row["access_code"],
                "name": row["name"],
                "replaced": replaced,
            },
            calendar=_entry(mailer, event, "interviewer", row, "REQUEST", link, link),
        )
    if interviewers:
        await queries.mark_invited(connection, [row["id"] for row in interviewers])
    return Mailed(interviewers=len(interviewers))


async def announce_new_time(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    event: asyncpg.Record,
    previous_start: dt.datetime,
    previous_duration: int,
    interviewers: list[asyncpg.Record],
    candidates: list[asyncpg.Record],
    previous_interview_minutes: int | None = None,
) -> Mailed:
    """The new start or length (the mail says which changed, and a new length of each
    interview made in the same edit), with the calendar entry that
    replaces the earlier one: a candidate's with the same words as their confirmation's (the
    link and where the PIN is), not the bare link."""
    recipients = _recipients(event, interviewers, candidates, public_url)
    await _enqueue_all(
        connection,
        (
            _prepared(
                mailer,
                row,
                "event_time_changed",
                {
                    **_base_context(event),
                    "link": link,
                    "name": row["name"],
                    "kind": kind,
                    "previous_start": previous_start,
                    "previous_duration": previous_duration,
                    "previous_interview_minutes": previous_interview_minutes or event["interview_minutes"],
                },
                (
                    calendar_entry(mailer, event, row, link)
                    if kind == "candidate"
                    else _entry(mailer, event, kind, row, "REQUEST", link, link)
                ),
                kind,
            )
            for kind, row, link in recipients
        ),
    )
    return _mailed(recipients)


async def announce_cancellation(
    connection: asyncpg.Connection,
    mailer: Mailer,
    public_url: str,
    event: asyncpg.Record,
    interviewers: list[asyncpg.Record],
    candidates: list[asyncpg.Record],
    bump: int = 0,
) -> Mailed:
    """To everyone told about the event, or (with only `interviewers`) to those removed from it.
    `bump`: for someone removed from a going event, whose entry must still be superseded."""
    recipients = _recipients(event, interviewers, candidates, public_url)
    await _enqueue_all(
        connection,
        (
            _prepared(
                mailer,
                row,
                "event_cancelled",
                {**_base_context(event), "name": row["name"], "kind": kind},
                _entry(mailer, event, kind, row, "CANCEL", link, link, bump),
                kind,
            )
            for kind, row, link in recipients
        ),
    )
    return _mailed(recipients)
