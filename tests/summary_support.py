"""Test data for the summary: an event with interviews of every outcome. The event and its
candidates are made as the application makes them (tests/factories.py); the interviews are
written straight into the database (the live flow that makes them has tests of its own)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

import asyncpg

from tests import factories
from tests.accounts import make_user

ATTRIBUTES = ["Kommunikation", "Ansvarstagande"]
QUESTIONS = ["Varför söker du jobbet?", "Berätta om en svår kund", "När kan du börja?"]


@dataclass
class SummaryEvent:
    id: int
    organization_id: int
    title: str
    interviewers: dict[str, tuple[int, str]] = field(default_factory=dict)  # name → (id, token)
    candidates: dict[str, int] = field(default_factory=dict)  # name → id


async def make_event(
    db: asyncpg.Connection,
    *,
    organization_id: int | None = None,
    state: str = "finished",
    started_minutes_ago: int = 180,
    duration_minutes: int = 120,
    title: str | None = None,
) -> SummaryEvent:
    if organization_id is None:
        organization_id = await factories.make_organization(
            db, f"Åkeriet i Östersund {secrets.token_hex(3)} AB"
        )
    title = title or f"Kundtjänst i Åre {secrets.token_hex(2)}"
    event = await factories.make_event(
        db,
        organization_id=organization_id,
        title=title,
        state=state,
        capacity=1000,
        starts_at=factories.now() - dt.timedelta(minutes=started_minutes_ago),
        duration_minutes=duration_minutes,
        questions=QUESTIONS,
        attributes=ATTRIBUTES,
    )
    return SummaryEvent(event["id"], organization_id, title)


async def add_interviewer(
    db: asyncpg.Connection, event: SummaryEvent, name: str, user_id: int | None = None
) -> int:
    token = secrets.token_urlsafe(24)
    interviewer_id = await db.fetchval(
        """
        INSERT INTO event_interviewer (event_id, email, name, user_id, access_token, access_code)
        VALUES ($1, $2, $3, $4, $5, '123456') RETURNING id""",
        event.id,
        f"i-{secrets.token_hex(4)}@example.se",
        name,
        user_id,
        token,
    )
    event.interviewers[name] = (interviewer_id, token)
    return interviewer_id


async def add_candidate(
    db: asyncpg.Connection, event: SummaryEvent, name: str, *, checked_in: bool = True
) -> int:
    candidate_id = (await factories.add_candidate(db, event.id, name=name))["id"]
    if checked_in:
        await db.execute(
            """
            INSERT INTO queue_entry (event_id, candidate_id, state) VALUES ($1, $2, 'away')""",
            event.id,
            candidate_id,
        )
    event.candidates[name] = candidate_id
    return candidate_id


async def add_interview(
    db: asyncpg.Connection,
    event: SummaryEvent,
    candidate: str,
    interviewer: str,
    *,
    state: str = "ended",
    minutes_ago: float = 60,
    seconds: int = 540,
    interested: bool | None = None,
    comment: str = "",
    notes: str = "",
    covered: tuple[int, ...] = (),
    ratings: dict[int, int] | None = None,
) -> int:
    """An interview `minutes_ago` (its start, or its offer when missed), `seconds` long."""
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes_ago)
    started = start if state in ("ended", "active") else None
    ended = None if state == "active" else start + dt.timedelta(seconds=seconds if started else 30)
    room = state == "active"
    interview_id = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                               janus_server, room_id, offered_at, offer_expires_at, started_at,
                               ends_at, ended_at, end_reason, notes, questions_covered)
        VALUES ($1, $2, $3, $4, 'next', $5, $6, $7::timestamptz,
                $7::timestamptz + interval '30 seconds', $8::timestamptz,
                $8::timestamptz + interval '10 minutes', $9, $10, $11, $12) RETURNING id""",
        event.id,
        event.candidates[candidate],
        event.interviewers[interviewer][0],
        state,
        "janus1" if room else None,
        1 if room else None,
        start - dt.timedelta(seconds=20),
        started,
        ended,
        {"ended": "interviewer", "missed": "offer_expired"}.get(state),
        notes,
        list(covered),
    )
    await db.executemany(
        "INSERT INTO interview_rating (interview_id, position, rating) VALUES ($1, $2, $3)",
        [(interview_id, position, rating) for position, rating in (ratings or {}).items()],
    )
    if interested is not None:
        await db.execute(
            """
            INSERT INTO interview_feedback (interview_id, interested, comment) VALUES ($1, $2, $3)""",
            interview_id,
            interested,
            comment,
        )
    if state == "ended":
        await db.execute(
            "UPDATE queue_entry SET state = 'done' WHERE candidate_id = $1", event.candidates[candidate]
        )
    return interview_id


async def sample_event(db: asyncpg.Connection, **options) -> SummaryEvent:
    """Two interviewers and interviews of every outcome, with Swedish names throughout, and a
    comment and a note that Excel would take for formulas."""
    event = await make_event(db, **options)
    await add_interviewer(db, event, "Örjan Ekström")
    await add_interviewer(db, event, "Lena Åkesson")
    for name in ("Åsa Öberg", "Björn Ängström", "Märta Ölund", "Kåre Näslund", "Ümit Çelik", "Ida Lind"):
        await add_candidate(db, event, name)
    await add_candidate(db, event, "Göran Älvdal", checked_in=False)
    await add_interview(
        db,
        event,
        "Åsa Öberg",
        "Örjan Ekström",
        minutes_ago=150,
        seconds=545,
        interested=True,
        comment="Spännande jobb, tack!",
        notes="Stark på kundbemötande.\nVill börja i mars.",
        covered=(1, 3),
        ratings={1: 5, 2: 4},
    )
    await add_interview(
        db,
        event,
        "Björn Ängström",
        "Örjan Ekström",
        minutes_ago=130,
        seconds=600,
        interested=False,
        comment='=HYPERLINK("http://evil.example")',
        notes="-tveksam till skift",
        ratings={1: 3},
    )
    await add_interview(db, event, "Märta Ölund", "Lena Åkesson", minutes_ago=140, seconds=420)
    await add_interview(db, event, "Kåre Näslund", "Lena Åkesson", state="missed", minutes_ago=120)
    await add_interview(
        db,
        event,
        "Ümit Çelik",
        "Lena Åkesson",
        minutes_ago=100,
        seconds=480,
        interested=True,
        notes="@kolla referenser",
        covered=(2,),
    )
    return event


async def org_user(db: asyncpg.Connection, event: SummaryEvent, **options) -> dict:
    """A user of the event's organization."""
    return await make_user(db, organization_id=event.organization_id, **options)


async def big_event(
    db: asyncpg.Connection, count: int = 300, organization_id: int | None = None
) -> SummaryEvent:
    """`count` interviews by three interviewers, each with notes, ratings and an answer."""
    event = await make_event(db, organization_id=organization_id)
    for name in ("Åke Åberg", "Märit Östlund", "Jöns Älvén"):
        await add_interviewer(db, event, name)
    interviewer_ids = [interviewer_id for interviewer_id, _ in event.interviewers.values()]
    candidate_ids = await db.fetch(
        """
        INSERT INTO candidate (event_id, name, email, access_token, pin)
        SELECT $1, 'Kandidat Östergård-' || n, 'c' || n || '-' || $2 || '@example.se',
               md5(random()::text) || '-' || n, '654321'
        FROM generate_series(1, $3) AS n RETURNING id""",
        event.id,
        secrets.token_hex(4),
        count,
    )
    ids = [row["id"] for row in candidate_ids]
    await db.execute(
        """
        INSERT INTO queue_entry (event_id, candidate_id, state)
        SELECT $1, unnest($2::bigint[]), 'done'""",
        event.id,
        ids,
    )
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by, offered_at,
                               offer_expires_at, started_at, ended_at, end_reason, notes,
                               questions_covered)
        SELECT $1, c.id, ($2::bigint[])[1 + n % 3], 'ended', 'next',
               now() - make_interval(mins => (170 - n / 2)::int),
               now() - make_interval(mins => (169 - n / 2)::int),
               now() - make_interval(mins => (170 - n / 2)::int),
               now() - make_interval(mins => (170 - n / 2)::int) + make_interval(secs => 300 + n),
               'interviewer',
               'Anteckning ' || n || E': svarade tydligt om skiftarbete, körkort och lön.\\n'
                   || repeat('Mycket bra bemötande, vill gärna ha återkoppling. ', 3),
               ARRAY[1, 2]
        FROM unnest($3::bigint[]) WITH ORDINALITY AS c(id, n)""",
        event.id,
        interviewer_ids,
        ids,
    )
    await db.execute(
        """
        INSERT INTO interview_rating (interview_id, position, rating)
        SELECT i.id, p, 1 + (i.id + p) % 5 FROM interview i, generate_series(1, 2) AS p
        WHERE i.event_id = $1""",
        event.id,
    )
    await db.execute(
        """
        INSERT INTO interview_feedback (interview_id, interested, comment)
        SELECT id, id % 3 <> 0, 'Tack för ett trevligt samtal!' FROM interview WHERE event_id = $1""",
        event.id,
    )
    return event


# The e-mail and phone under each candidate's name in the organization's summary (page and
# PDF): taken out where a test reads the names and what stands beside them.
CONTACT_LINE = re.compile(r'<span class="contact-line">.*?</span>(?=</(?:td|li)>)', re.S)
PDF_CONTACT = re.compile(r"\S+@\S+\.\S+(?: · [+\d][\d -]*\d)?")


def without_contacts(page: str) -> str:
    return CONTACT_LINE.sub("", page)


def pdf_without_contacts(text: str) -> str:
    """pdftotext's layout of the PDF, each contact line blanked (lines left empty dropped)."""
    kept = []
    for line in text.split("\n"):
        blanked = PDF_CONTACT.sub(lambda found: " " * len(found.group()), line)
        if blanked == line or blanked.strip():
            kept.append(blanked)
    return "\n".join(kept)
