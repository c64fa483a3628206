"""What the erasure tests share: a candidate with something in every table that can hold
their data, and a search of every text column of every table for given values."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

import asyncpg
from aiohttp import ClientSession, CookieJar

from app.events import queries as event_queries
from app.live import outcome
from tests import factories
from tests.candidate_support import link_and_pin, register
from tests.mails import unique_email, wait_for_mail


@dataclass
class Personal:
    id: int
    event_id: int
    link: str
    pin: str
    name: str
    email: str
    phone: str
    notes: str
    comment: str

    @property
    def values(self) -> list[str]:
        return [self.name, self.email, self.phone, self.notes, self.comment]


async def candidate_with_everything(db: asyncpg.Connection, base_url: str, settings, event: dict) -> Personal:
    """Registered over HTTP (the confirmation is mailed and sent), checked in, interviewed
    with notes, ratings, questions covered and an answer with a comment, and a reminder
    still waiting in the outbox."""
    tag = secrets.token_hex(4)
    name, email = f"Rut Raderasson {tag}", unique_email(f"radera-{tag}")
    phone = f"+46 70 {secrets.randbelow(10**7):07d}"
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
        status, page = await register(
            browser, base_url, event["invite_token"], name=name, email=email, phone=phone
        )
    assert status == 200, page
    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    link, pin = link_and_pin(mail)
    row = await db.fetchrow("SELECT id, event_id FROM candidate WHERE email = $1", email)
    for _ in range(100):  # the worker marks it sent (and keeps address and name)
        if await db.fetchval(
            "SELECT bool_and(sent_at IS NOT NULL) FROM mail_outbox WHERE candidate_id = $1", row["id"]
        ):
            break
        await asyncio.sleep(0.1)
    await db.execute(
        """
        INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                                 text_body, html_body, next_attempt_at, candidate_id)
        VALUES ($1, $2, $3, 'sv', 'candidate_reminder', 'Påminnelse', $4, $4,
                now() + interval '1 day', $5)""",
        f"<{tag}@test>",
        email,
        name,
        f"Hej {name}, din PIN",
        row["id"],
    )
    for table in ("event_question", "event_attribute"):
        await event_queries.replace_items(db, table, row["event_id"], ["X"])
    [interviewer] = await factories.set_interviewers(
        db, event, [(unique_email("intervjuare"), f"Intervjuare {tag}")]
    )
    # The interview as the live flow leaves it (that flow, through Janus, has tests of its
    # own); what was written in it through the application's own functions.
    await db.execute(
        """
        INSERT INTO queue_entry (event_id, candidate_id, state) VALUES ($1, $2, 'done')""",
        row["event_id"],
        row["id"],
    )
    notes, comment = f"Anteckning om {name}", f"Kommentar {tag} från kandidaten"
    interview = await factories.ended_interview(db, row["event_id"], row["id"], interviewer["id"])
    await outcome.save_record(db, interview, interviewer["id"], notes=notes, covered=[1], ratings={1: 4})
    await outcome.save_feedback(db, interview, row["id"], interested=True, comment=comment)
    return Personal(row["id"], row["event_id"], link, pin, name, email, phone, notes, comment)


async def columns_holding(db: asyncpg.Connection, values: list[str]) -> list[str]:
    """ "table.column" for every text-like column of every table in which any of `values`
    occurs (without regard to case), found through information_schema, so a table added
    later is searched too."""
    columns = await db.fetch("""
        SELECT c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.data_type IN ('text', 'character varying', 'character', 'ARRAY', 'json',
                              'jsonb', 'USER-DEFINED')""")
    found = []
    for column in columns:
        table = '"' + column["table_name"].replace('"', '""') + '"'
        name = '"' + column["column_name"].replace('"', '""') + '"'
        hit = await db.fetchval(
            f"""
            SELECT EXISTS (SELECT 1 FROM {table} t, unnest($1::text[]) v
                           WHERE strpos(lower(t.{name}::text), lower(v)) > 0)""",
            values,
        )
        if hit:
            found.append(f"{column['table_name']}.{column['column_name']}")
    return found
