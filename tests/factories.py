"""Test data made through the application's own code where it has a way to make it:
an event is created, given its questions and published by app/events/queries.py as the
event form does, a candidate is registered by app/candidates/queries.py. What only the live
core or time brings (an event under way or over, a draft that once had an invite link) is
then set on the row directly, since that code has tests of its own.

    event = await make_event(db, state="live", starts_at=now - dt.timedelta(minutes=5))
    candidate = await add_candidate(db, event["id"], name="Kim Kandidat")
"""

from __future__ import annotations

import datetime as dt
import secrets

import asyncpg

from app.candidates import queries as candidate_queries
from app.candidates.rules import Registration
from app.events import queries as event_queries
from app.events.form import EventInput
from app.events.tokens import link_token

PIN = "654321"
JOB_DESCRIPTION = "Du plockar och packar.\n\nHeltid, dagtid."


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


async def make_organization(db: asyncpg.Connection, name: str | None = None) -> int:
    """An organization with no accounts (tests/accounts.py make_user makes one with a user)."""
    return await db.fetchval(
        "INSERT INTO organization (name) VALUES ($1) RETURNING id",
        name or f"Arbetsgivaren {secrets.token_hex(3)} AB",
    )


async def make_event(
    db: asyncpg.Connection,
    *,
    organization_id: int | None = None,
    created_by: int | None = None,
    title: str | None = None,
    starts_at: dt.datetime | None = None,
    duration_minutes: int = 60,
    interview_minutes: int = 10,
    capacity: int = 30,
    language: str = "sv",
    questions: list[str] | tuple[str, ...] = (),
    attributes: list[str] | tuple[str, ...] = (),
    state: str = "published",
    invite_open: bool = True,
) -> asyncpg.Record:
    """A published event (or in `state`): its row with id, organization_id, invite_token,
    starts_at, state, calendar_key."""
    if organization_id is None:
        organization_id = await make_organization(db)
    event = EventInput(
        title=title or f"Lagerarbetare {secrets.token_hex(2)}",
        job_description=JOB_DESCRIPTION,
        starts_at=starts_at or now() + dt.timedelta(days=7),
        duration_minutes=duration_minutes,
        interview_minutes=interview_minutes,
        capacity=capacity,
        language=language,
        questions=list(questions),
        attributes=list(attributes),
        interviewers=[],
    )
    async with db.transaction():
        event_id = await event_queries.insert_event(db, organization_id, created_by, event)
        await event_queries.replace_items(db, "event_question", event_id, event.questions)
        await event_queries.replace_items(db, "event_attribute", event_id, event.attributes)
        await event_queries.publish(db, event_id)
        if state != "published":
            # Not a way the application goes (or the live core's, tested on its own).
            await db.execute("UPDATE event SET state = $2::event_state WHERE id = $1", event_id, state)
        if not invite_open:
            await candidate_queries.set_invite_open(db, event_id, False)
    return await db.fetchrow(
        """
        SELECT id, organization_id, invite_token, starts_at, state, calendar_key FROM event
        WHERE id = $1""",
        event_id,
    )


async def add_candidate(
    db: asyncpg.Connection,
    event_id: int,
    *,
    name: str = "Kim Kandidat",
    email: str | None = None,
    phone: str = "",
    language: str = "sv",
    access_token: str | None = None,
    pin: str = PIN,
) -> asyncpg.Record:
    """A registration as the invite page's form makes it (without its mails)."""
    registration = Registration(
        name=name, email=email or f"c-{secrets.token_hex(4)}@example.se", phone=phone, language=language
    )
    return await candidate_queries.insert_candidate(
        db, event_id, registration, access_token or link_token(), pin
    )


async def set_interviewers(
    db: asyncpg.Connection, event: asyncpg.Record, people: list[tuple[str, str]]
) -> list[asyncpg.Record]:
    """The event's interviewers, (e-mail, name) each, as the event form sets them: the rows
    of those added, each with its own link (access_token) and code (access_code)."""
    added, _ = await event_queries.sync_interviewers(db, event["id"], event["organization_id"], people, "sv")
    return added


async def ended_interview(
    db: asyncpg.Connection, event_id: int, candidate_id: int, interviewer_id: int
) -> int:
    """An interview as the live flow leaves it once over (that flow, through Janus, has tests
    of its own): its id."""
    interview: int = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                               offered_at, offer_expires_at, started_at, ends_at, ended_at,
                               end_reason)
        VALUES ($1, $2, $3, 'ended', 'next', now() - interval '20 minutes',
                now() - interval '19 minutes', now() - interval '19 minutes',
                now() - interval '9 minutes', now() - interval '10 minutes', 'interviewer')
        RETURNING id""",
        event_id,
        candidate_id,
        interviewer_id,
    )
    return interview
