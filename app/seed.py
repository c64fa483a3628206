"""Demo data for development: one employer login and one event that starts within the hour.

Idempotent: a second run finds the demo organization and moves the demo event so that it
again starts within the hour, unless it is being held. `python -m app.seed`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

import asyncpg

from app.db import with_connection
from app.events.tokens import link_token, six_digit_code
from app.passwords import hash_password

DEMO_ORGANIZATION = "Demoföretaget AB"
DEMO_EMAIL = "demo@snabbintervjuer.se"
DEMO_PASSWORD = "demo-intervju"
DEMO_EVENT_TITLE = "Lagermedarbetare till vårt lager i Göteborg"
DEMO_INTERVIEWER = "intervjuare@snabbintervjuer.se"
DEMO_QUESTIONS = (
    "Berätta kort om dig själv.",
    "Har du arbetat på lager tidigare?",
    "Vilka tider kan du arbeta?",
)
DEMO_ATTRIBUTES = ("Noggrannhet", "Samarbetsförmåga", "Erfarenhet")
DEMO_JOB = (
    "Vi söker lagermedarbetare till vårt nya lager i Göteborg. Du plockar och packar "
    "order, tar emot leveranser och håller ordning.\n\nHeltid, dagtid. Truckkort är "
    "meriterande. Start i januari."
)


def next_start(now: dt.datetime) -> dt.datetime:
    """The next quarter hour at least ten minutes ahead: always within the hour."""
    start = (now + dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    return start + dt.timedelta(minutes=(-start.minute) % 15)


async def seed(connection: asyncpg.Connection, now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now(dt.timezone.utc)
    async with connection.transaction():
        organization_id = await connection.fetchval(
            "SELECT id FROM organization WHERE name = $1", DEMO_ORGANIZATION
        )
        if organization_id is None:
            organization_id = await connection.fetchval(
                "INSERT INTO organization (name) VALUES ($1) RETURNING id", DEMO_ORGANIZATION
            )
        user_id = await connection.fetchval(
            "SELECT id FROM app_user WHERE lower(email) = lower($1)", DEMO_EMAIL
        )
        if user_id is None:
            user_id = await connection.fetchval(
                """INSERT INTO app_user (organization_id, email, name, password_hash, language)
                   VALUES ($1, $2, 'Demo Rekryterare', $3, 'sv') RETURNING id""",
                organization_id,
                DEMO_EMAIL,
                hash_password(DEMO_PASSWORD),
            )
        starts_at = next_start(now)
        event_id = await connection.fetchval(
            "SELECT id FROM event WHERE organization_id = $1 AND title = $2",
            organization_id,
            DEMO_EVENT_TITLE,
        )
        if event_id is None:
            event_id = await connection.fetchval(
                """INSERT INTO event (organization_id, created_by, title, job_description,
                       starts_at, duration_minutes, interview_minutes, capacity, language, state)
                   VALUES ($1, $2, $3, $4, $5, 60, 10, 30, 'sv', 'published') RETURNING id""",
                organization_id,
                user_id,
                DEMO_EVENT_TITLE,
                DEMO_JOB,
                starts_at,
            )
        else:
            # Moved, and its day begun afresh (an early end undone), unless it is being held:
            # a restart of scripts/run during the demo day must not move it under the pages
            # open on it (its time is locked then, as an edit's is: app/events/held.py).
            moved = await connection.fetchval(
                """UPDATE event SET starts_at = $2, state = 'published',
                       duration_minutes = coalesce(planned_duration_minutes, duration_minutes),
                       planned_duration_minutes = NULL, planned_starts_at = NULL, ended_early_at = NULL,
                       updated_at = now()
                   WHERE id = $1
                     AND NOT (state = 'live' AND $3 < starts_at + make_interval(mins => duration_minutes))
                     AND NOT EXISTS (SELECT 1 FROM interview
                                     WHERE event_id = $1 AND state IN ('offered', 'active'))
                   RETURNING starts_at""",
                event_id,
                starts_at,
                now,
            )
            if moved is None:
                starts_at = await connection.fetchval("SELECT starts_at FROM event WHERE id = $1", event_id)
        await _publish_demo_event(connection, event_id, user_id)
    return {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "event_id": event_id, "starts_at": starts_at}


async def _publish_demo_event(connection: asyncpg.Connection, event_id: int, user_id: int) -> None:
    """The demo event as if published: an invite link, two interviewers, questions."""
    await connection.execute(
        "UPDATE event SET invite_token = coalesce(invite_token, $2), "
        "published_at = coalesce(published_at, now()) WHERE id = $1",
        event_id,
        link_token(),
    )
    for email, name, account in (
        (DEMO_EMAIL, "Demo Rekryterare", user_id),
        (DEMO_INTERVIEWER, "Intervjuare Exempelsson", None),
    ):
        await connection.execute(
            """INSERT INTO event_interviewer (event_id, email, name, user_id, language,
                                              access_token, access_code, invited_at)
               VALUES ($1, $2, $3, $4, 'sv', $5, $6, now())
               ON CONFLICT (event_id, lower(email)) DO NOTHING""",
            event_id,
            email,
            name,
            account,
            link_token(),
            six_digit_code(),
        )
    for table, texts in (("event_question", DEMO_QUESTIONS), ("event_attribute", DEMO_ATTRIBUTES)):
        for position, text in enumerate(texts, start=1):
            await connection.execute(
                f"INSERT INTO {table} (event_id, position, text) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                event_id,
                position,
                text,
            )


async def seed_url(database_url: str) -> dict:
    return await with_connection(database_url, seed)


def main() -> int:
    from app.settings import load_settings_or_exit

    settings = load_settings_or_exit()
    result = asyncio.run(seed_url(settings.database.url.get_secret_value()))
    print(
        f"demo login: {result['email']} / {result['password']}; "
        f"demo event starts {result['starts_at']:%Y-%m-%d %H:%M} UTC"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
