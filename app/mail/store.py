"""SQL for the mail_outbox table. The caller owns the connection and the transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from app.mail.message import OutboxMail
from app.db import row_count

CHANNEL = "mail_outbox"
LAST_ERROR_MAX = 1000

_INSERT = """
    WITH inserted AS (
        INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                                 text_body, html_body, ics, ics_method, candidate_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        RETURNING id)
    -- NOTIFY is delivered when the caller's transaction commits, and never if it rolls back.
    SELECT id, pg_notify('mail_outbox', id::text) FROM inserted"""

# What marks a mail sent. Once sent, the bodies go: they hold personal links, PINs and reset
# links that nobody reading the database later should be able to use. Subject and recipient
# stay as a record.
_SENT = """sent_at = now(), last_error = NULL, text_body = '', html_body = '', ics = NULL,
           ics_method = NULL, claimed_by_process = NULL"""

# One due row, taken by this worker: SKIP LOCKED lets several workers look at once without
# waiting for or taking each other's row, and the lease in next_attempt_at keeps the row
# from being due again while it is being sent, after this short transaction has committed.
# A row claimed by a process that no longer beats (its live_process row is gone:
# app/live/connections.py) is due at once, lease or not: the claim died with the process.
# $4: the mail the same worker lane has just sent (or NULL), marked sent in this same
# statement: one round trip and one commit per mail instead of two.
_CLAIM = f"""
    WITH sent AS (UPDATE mail_outbox SET {_SENT} WHERE id = $4)
    UPDATE mail_outbox
       SET attempts = attempts + 1,
           next_attempt_at = now() + make_interval(secs => $1),
           claimed_by = $2, claimed_by_process = $3
     WHERE id = (SELECT m.id FROM mail_outbox m
                  WHERE m.sent_at IS NULL AND m.failed_at IS NULL
                    AND m.id IS DISTINCT FROM $4
                    AND (m.next_attempt_at <= now()
                         OR (m.claimed_by_process IS NOT NULL
                             AND NOT EXISTS (SELECT 1 FROM live_process p
                                             WHERE p.id = m.claimed_by_process)))
                  ORDER BY m.next_attempt_at, m.id
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED)
    RETURNING id, message_id, to_address, to_name, language, subject, text_body, html_body,
              ics, ics_method, created_at, attempts"""


async def insert(
    connection: asyncpg.Connection,
    *,
    message_id: str,
    to_address: str,
    to_name: str,
    language: str,
    template: str,
    subject: str,
    text_body: str,
    html_body: str,
    ics: str | None,
    ics_method: str | None,
    candidate_id: int | None = None,
) -> int:
    """`candidate_id`: the registration the mail is written to, whose erasure strips it
    (app/candidates/erasure.py), and nobody else's mail to the same address."""
    row = await connection.fetchrow(
        _INSERT,
        message_id,
        to_address,
        to_name,
        language,
        template,
        subject,
        text_body,
        html_body,
        ics,
        ics_method,
        candidate_id,
    )
    return row["id"]


_INSERT_MANY = """
    WITH inserted AS (
        INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                                 text_body, html_body, ics, ics_method, candidate_id)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                             $11::bigint[])
        RETURNING id)
    -- The worker only wakes on it (the payload is not read): one for them all.
    SELECT pg_notify('mail_outbox', max(id)::text) FROM inserted"""

# The columns of insert's keyword arguments, in _INSERT_MANY's order.
_COLUMNS = (
    "message_id",
    "to_address",
    "to_name",
    "language",
    "template",
    "subject",
    "text_body",
    "html_body",
    "ics",
    "ics_method",
    "candidate_id",
)


async def insert_many(connection: asyncpg.Connection, mails: list[dict[str, Any]]) -> None:
    """Many outbox rows in one statement: each a dict of insert's keyword arguments
    (candidate_id may be left out). A mail to everyone of a large event is ten thousand rows,
    which one statement each took seconds to write."""
    if mails:
        await connection.execute(_INSERT_MANY, *([mail.get(column) for mail in mails] for column in _COLUMNS))


async def claim_next(
    connection: asyncpg.Connection,
    *,
    lease_seconds: float,
    worker: str,
    process: uuid.UUID | None = None,
    sent: int | None = None,
) -> OutboxMail | None:
    """`process`: the claiming process's id in live_process, whose heartbeat holds the claim.
    `sent`: a mail just sent, marked so in the same statement (as mark_sent)."""
    row = await connection.fetchrow(_CLAIM, lease_seconds, worker, process, sent)
    return OutboxMail(**dict(row)) if row is not None else None


async def mark_sent(connection: asyncpg.Connection, mail_id: int) -> None:
    await connection.execute(f"UPDATE mail_outbox SET {_SENT} WHERE id = $1", mail_id)


async def mark_for_retry(
    connection: asyncpg.Connection, mail_id: int, *, delay_seconds: float, error: str
) -> None:
    await connection.execute(
        """UPDATE mail_outbox SET next_attempt_at = now() + make_interval(secs => $2),
                                  last_error = $3, claimed_by_process = NULL
            WHERE id = $1 AND sent_at IS NULL""",
        mail_id,
        delay_seconds,
        error[:LAST_ERROR_MAX],
    )


async def mark_failed(connection: asyncpg.Connection, mail_id: int, *, error: str) -> None:
    await connection.execute(
        """UPDATE mail_outbox SET failed_at = now(), last_error = $2, text_body = '', html_body = '',
                                  claimed_by_process = NULL,
                                  ics = NULL, ics_method = NULL
            WHERE id = $1 AND sent_at IS NULL""",
        mail_id,
        error[:LAST_ERROR_MAX],
    )


# Whose mails an erasure takes: a registration's (by its row) or a person's (by address).
_ERASED_WHOSE = {"candidate": "candidate_id = $1", "address": "lower(to_address) = lower($1)"}


async def erase_mails(connection: asyncpg.Connection, whose: str, value: int | str) -> int:
    """Erase the mails of a candidate (`whose` "candidate", value its id) or sent to an
    address ("address"): one not sent yet is dropped; the rest keep only that a mail of
    that subject went (no address, name, body or error). How many were kept so."""
    match = _ERASED_WHOSE[whose]
    await connection.execute(
        f"DELETE FROM mail_outbox WHERE {match} AND sent_at IS NULL AND failed_at IS NULL", value
    )
    status = await connection.execute(
        f"""
        UPDATE mail_outbox SET to_address = '', to_name = '', text_body = '', html_body = '',
               ics = NULL, ics_method = NULL, last_error = NULL, erased_at = now()
        WHERE {match}""",
        value,
    )
    return row_count(status)


async def seconds_until_next_due(connection: asyncpg.Connection) -> float | None:
    """How long until the next unsent mail is due (≤ 0: now), or None when none waits."""
    return await connection.fetchval(
        """SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - now())::float8
             FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL"""
    )


@dataclass(frozen=True)
class OutboxCounts:
    backlog: int  # waiting to be sent (and tried again)
    oldest_seconds: float  # how long the oldest of them has waited
    failed_last_day: int  # given up on in the last day (the relay refused for good)


async def outbox_counts(connection: asyncpg.Connection) -> OutboxCounts:
    """The outbox's figures for the operations page and /metrics. Two statements, each on
    its own partial index (the unsent mails; the failed ones, migration 0058), not one pass
    over every mail ever sent."""
    waiting = await connection.fetchrow("""
        SELECT count(*) AS backlog,
               coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest
        FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL""")
    # Given up: not in the backlog above. A relay that refuses the messages themselves (an
    # unverified domain) makes every mail fail.
    failed = await connection.fetchval(
        "SELECT count(*) FROM mail_outbox WHERE failed_at > now() - interval '1 day'"
    )
    return OutboxCounts(waiting["backlog"], float(waiting["oldest"]), failed)
