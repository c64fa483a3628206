"""Migration 0010 on a database that already holds mails: each candidate's mails are tied to
their registration, so erasing one later strips exactly its own."""

from __future__ import annotations

import asyncpg

from app.migrate import apply_migrations, discover
from tests.integration.test_migrations import scratch_url  # noqa: F401 (a fixture)


async def test_mails_written_before_the_migration_are_tied_to_their_registration(scratch_url):  # noqa: F811 (the imported fixture)
    before = [m for m in discover() if m.version < 10]
    connection = await asyncpg.connect(scratch_url)
    try:
        await apply_migrations(connection, before)
        organization = await connection.fetchval("INSERT INTO organization (name) VALUES ('A') RETURNING id")
        events = [
            await connection.fetchval(
                """
            INSERT INTO event (organization_id, title, starts_at, duration_minutes,
                               interview_minutes, capacity)
            VALUES ($1, 'T', now(), 60, 10, 5) RETURNING id""",
                organization,
            )
            for _ in range(2)
        ]
        event = events[1]
        ids = {}  # one address registered once, another at both events
        for name, email, at in (
            ("one", "one@example.se", events[0]),
            ("twice", "twice@example.se", events[0]),
            ("twice2", "twice@example.se", events[1]),
        ):
            ids[name] = await connection.fetchval(
                """
                INSERT INTO candidate (event_id, name, email, access_token, pin)
                VALUES ($1, $2, $3, $2, '123456') RETURNING id""",
                at,
                name,
                email,
            )

        async def mail(to: str, template: str, ics: str | None, sent: bool) -> int:
            return await connection.fetchval(
                """
                INSERT INTO mail_outbox (message_id, to_address, language, template, subject,
                                         text_body, html_body, ics, ics_method, sent_at)
                VALUES ($1, $2, 'sv', $3, 'S', '', '', $4, $5,
                        CASE WHEN $6 THEN now() END) RETURNING id""",
                f"<{to}-{template}-{sent}-{ics is not None}@x>",
                to,
                template,
                ics,
                "REQUEST" if ics else None,
                sent,
            )

        by_uid = await mail(
            "twice@example.se",
            "candidate_reminder",
            f"BEGIN:VEVENT\r\nUID:event-{event}-candidate-{ids['twice2']}@snabbintervjuer\r\nEND:VEVENT",
            False,
        )
        by_address = await mail("one@example.se", "candidate_registration", None, True)
        ambiguous = await mail("twice@example.se", "candidate_registration", None, True)
        await apply_migrations(connection)
        owners = {
            row["id"]: row["candidate_id"]
            for row in await connection.fetch("SELECT id, candidate_id FROM mail_outbox")
        }
        assert owners == {by_uid: ids["twice2"], by_address: ids["one"], ambiguous: None}
    finally:
        await connection.close()
