"""The retention worker (app/retention.py): candidates are erased a set time after their
event, by the running service itself, and expired sign-up, password-reset and invitation
links are deleted; with several processes one round runs at a time."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets

import asyncpg
import pytest

from app.application import create_app
from app.auth.tokens import new_token, token_hash
from app.localstack.processes import free_port
from app.retention import ROUND_LOCK, retention_round
from app.settings import load_settings
from tests.accounts import make_user
from tests.candidate_support import make_event
from tests.integration.erasure_support import columns_holding
from tests.integration.test_candidate_reminders import add_candidate
from tests.serving import serving


async def old_candidate_with_notes(db, days: int) -> tuple[dict, str]:
    """A candidate of an event that ended `days` days ago, with interview notes and a sent
    mail."""
    event = await make_event(db, starts_in=-dt.timedelta(days=days))
    candidate = await add_candidate(db, event["id"])
    interviewer = await db.fetchval(
        """
        INSERT INTO event_interviewer (event_id, email, name, access_token, access_code)
        VALUES ($1, $2, 'Ivar', $3, '123456') RETURNING id""",
        event["id"],
        f"i-{secrets.token_hex(3)}@example.se",
        secrets.token_urlsafe(16),
    )
    notes = f"Minnesanteckning {secrets.token_hex(4)}"
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                               offered_at, offer_expires_at, started_at, ends_at, ended_at,
                               end_reason, notes)
        SELECT $1, $2, $3, 'ended', 'next', e.starts_at, e.starts_at, e.starts_at,
               e.starts_at + interval '10 minutes', e.starts_at + interval '9 minutes',
               'interviewer', $4
        FROM event e WHERE e.id = $1""",
        event["id"],
        candidate["id"],
        interviewer,
        notes,
    )
    await db.execute(
        """
        INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                                 text_body, html_body, sent_at, candidate_id)
        VALUES ($1, $2, 'Pia Påminnelse', 'sv', 'candidate_registration', 'Din anmälan', '', '',
                now() - make_interval(days => $3), $4)""",
        f"<old-{candidate['id']}@test>",
        candidate["email"],
        days,
        candidate["id"],
    )
    return candidate, notes


async def expired_and_open_links(db) -> dict[str, tuple[int, int]]:
    """(expired id, open id) per table."""
    user = await make_user(db)
    made = {}
    for table, columns, values in (
        ("password_reset", "user_id", (user["id"],)),
        ("colleague_invitation", "organization_id, email", (user["organization_id"], "kollega@example.se")),
        (
            "signup_request",
            "organization_name, name, email, password_hash, language",
            ("Nya AB", "Ny", "ny@example.se", "x", "sv"),
        ),
    ):
        placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
        ids = []
        for expires in ("now() - interval '1 minute'", "now() + interval '1 hour'"):
            ids.append(
                await db.fetchval(
                    f"""
                INSERT INTO {table} ({columns}, token_hash, expires_at)
                VALUES ({placeholders}, ${len(values) + 1}, {expires}) RETURNING id""",
                    *values,
                    token_hash(new_token()),
                )
            )
        made[table] = tuple(ids)
    return made


async def test_a_round_erases_candidates_past_the_retention_time_with_their_notes(db, settings):
    days = settings.candidates.retention_days
    gone, notes = await old_candidate_with_notes(db, days + 1)
    kept, kept_notes = await old_candidate_with_notes(db, days - 1)
    assert await retention_round(db, settings) is not None
    erased = await db.fetchrow("SELECT * FROM candidate WHERE id = $1", gone["id"])
    assert erased["erased_at"] and erased["erased_by"] == "retention"
    assert await columns_holding(db, [gone["email"], notes]) == []
    assert (
        await db.fetchval("SELECT count(*) FROM interview WHERE candidate_id = $1", gone["id"]) == 1
    )  # that it took place stays
    still = await db.fetchrow("SELECT email, erased_at FROM candidate WHERE id = $1", kept["id"])
    assert still["email"] == kept["email"] and still["erased_at"] is None
    assert len(await columns_holding(db, [kept_notes])) == 1


async def test_one_process_runs_a_round_at_a_time(db, pool, settings):
    gone, _ = await old_candidate_with_notes(db, settings.candidates.retention_days + 3)
    async with pool.acquire() as other:
        assert await other.fetchval("SELECT pg_try_advisory_lock($1)", ROUND_LOCK)
        try:
            assert await retention_round(db, settings) is None  # another process has it
            assert await db.fetchval("SELECT erased_at FROM candidate WHERE id = $1", gone["id"]) is None
        finally:
            await other.execute("SELECT pg_advisory_unlock($1)", ROUND_LOCK)
    assert await retention_round(db, settings) is not None
    assert await db.fetchval("SELECT erased_at FROM candidate WHERE id = $1", gone["id"])


async def test_a_connection_whose_lock_call_failed_is_not_given_back_holding_it(stack, pool, settings):
    """The lock taken by the server, the call's answer lost (a timeout, a cancel): the
    connection is closed, so no pooled connection holds the round's lock for ever."""

    class AnswerLost(asyncpg.Connection):
        async def fetchval(self, query, *args, **kwargs):
            await super().fetchval(query, *args, **kwargs)
            raise TimeoutError  # after the server did it

    lost = await asyncpg.connect(stack.environ["DATABASE_URL"], connection_class=AnswerLost)
    with pytest.raises(TimeoutError):
        await retention_round(lost, settings)
    assert lost.is_closed()
    async with pool.acquire() as other:
        for _ in range(50):  # the server lets the lock go as it sees the connection end
            if await other.fetchval("SELECT pg_try_advisory_lock($1)", ROUND_LOCK):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the round's lock is still held")
        await other.execute("SELECT pg_advisory_unlock($1)", ROUND_LOCK)


async def test_a_running_app_applies_retention_by_itself(stack, db, settings):
    running = load_settings(
        dict(stack.environ, SNABB_APP_PORT=str(free_port()), SNABB_CANDIDATES_RETENTION_INTERVAL="0.2")
    )
    gone, notes = await old_candidate_with_notes(db, settings.candidates.retention_days + 2)
    links = await expired_and_open_links(db)
    async with serving(create_app(running), running.app.port):
        deadline = asyncio.get_running_loop().time() + 15
        while await db.fetchval("SELECT erased_at FROM candidate WHERE id = $1", gone["id"]) is None:
            assert asyncio.get_running_loop().time() < deadline, "not erased by the app"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # the links go in the same round
    assert await columns_holding(db, [gone["email"], notes]) == []
    for table, (expired, still_open) in links.items():
        left = {
            row["id"]
            for row in await db.fetch(
                f"SELECT id FROM {table} WHERE id = ANY($1::bigint[])", [expired, still_open]
            )
        }
        assert left == {still_open}, table


async def test_a_round_forgets_mail_form_posts_over_an_hour_old(db, settings):
    """A client's address is personal data: kept an hour for the limit, then deleted even if
    that client never posts again."""
    old, recent = "192.0.2.77", "192.0.2.78"
    await db.execute(
        """INSERT INTO mail_form_post (client, posted_at)
           VALUES ($1, now() - interval '61 minutes'), ($2, now() - interval '5 minutes')""",
        old,
        recent,
    )
    assert await retention_round(db, settings) is not None
    left = await db.fetch("SELECT client FROM mail_form_post WHERE client = ANY($1::text[])", [old, recent])
    assert [row["client"] for row in left] == [recent]


async def test_a_round_forgets_wrong_tries_and_devices_past_their_time(db, settings):
    """Wrong tries hold client addresses: forgotten a day after the last one (a run that
    closed a secret 30 days), though nobody enters that secret right again; a device
    unused longer than its cookie lives is no longer known, and is deleted."""
    subject = f"r{secrets.token_hex(4)}"
    await db.execute(
        """INSERT INTO guess_client (scope, subject, client, failures, last_failed_at)
           VALUES ('pin', $1, '192.0.2.90', 3, now() - interval '25 hours'),
                  ('pin', $1, '192.0.2.91', 1, now() - interval '1 hour')""",
        subject,
    )
    await db.execute(
        """INSERT INTO guess_secret (scope, subject, in_a_row, updated_at)
           VALUES ('pin', $1, 0, now() - interval '25 hours'),
                  ('code', $1, 9, now() - interval '25 hours'),
                  ('password', $1, 9, now() - interval '31 days')""",
        subject,
    )
    days = settings.limits.known_device_days
    await db.execute(
        """INSERT INTO known_device (scope, subject, device_hash, last_used_at)
           VALUES ('pin', $1, $2, now() - make_interval(days => $4 + 1)),
                  ('pin', $1, $3, now() - make_interval(days => $4 - 1))""",
        subject,
        b"\x01" * 32,
        b"\x02" * 32,
        days,
    )
    assert await retention_round(db, settings) is not None
    clients = await db.fetch("SELECT client FROM guess_client WHERE subject = $1", subject)
    assert [row["client"] for row in clients] == ["192.0.2.91"]
    secrets_left = await db.fetch("SELECT scope FROM guess_secret WHERE subject = $1", subject)
    assert [row["scope"] for row in secrets_left] == ["code"]  # closed, not yet 30 days
    devices = await db.fetch("SELECT device_hash FROM known_device WHERE subject = $1", subject)
    assert [bytes(row["device_hash"]) for row in devices] == [b"\x02" * 32]
