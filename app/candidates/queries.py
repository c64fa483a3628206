"""SQL for candidate registrations. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import asyncpg

from app.addresses import ascii_domain
from app.candidates.rules import Registration
from app.live import queue as live_queue
from app.mail.outbox import PreparedMail
from app.names import by_name, contains, name_matches, searched

# What candidate-facing pages and mails may show of an event: never its questions,
# attributes or interviewers. (registration_event_version, migration 0029, hashes these
# but planned_duration_minutes, which changes only with duration_minutes, when an event is
# ended early: a version that differs for one differs for both.)
EVENT_COLUMNS = """e.id, e.organization_id, o.name AS organization_name, e.title,
    e.job_description, e.starts_at, e.duration_minutes, e.interview_minutes, e.capacity,
    e.language, e.state::text AS state, e.invite_token, e.invite_open, e.calendar_sequence,
    e.calendar_key, e.deleted_at, e.planned_duration_minutes,
    -- The start the candidates were given: an event ended early has its starts_at moved to
    -- its first call-in (app/events/queries.py, end_early), and this keeps the set one.
    coalesce(e.planned_starts_at, e.starts_at) AS set_starts_at"""
CANDIDATE_COLUMNS = """id, event_id, name, email, phone, language, access_token, pin,
    registered_at, cancelled_at, cancelled_by, reminder_sent_at,
    resend_window_started_at, resends_in_window, erased_at, link_generation, consented_at"""


async def event_by_invite_token(
    connection: asyncpg.Connection, token: str, *, for_update: bool = False
) -> asyncpg.Record | None:
    """The event behind an invite link, whatever its state. With `for_update` the event row
    stays locked to the end of the transaction: registrations for it then take turns."""
    lock = "FOR UPDATE OF e" if for_update else ""
    return await connection.fetchrow(
        f"""
        SELECT {EVENT_COLUMNS} FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.invite_token = $1 {lock}""",
        token,
    )


# Read beside the event for a registration (event_for_registration), not part of it.
REGISTRATION_COLUMNS = ("version", "next_candidate_id")


async def event_for_registration(connection: asyncpg.Connection, token: str) -> asyncpg.Record | None:
    """event_by_invite_token, with its version (registration_event_version, migration 0029)
    and an id for the candidate about to register, drawn from its sequence: one round trip."""
    return await connection.fetchrow(
        f"""
        SELECT {EVENT_COLUMNS}, registration_event_version(e, o.name) AS version,
               nextval(pg_get_serial_sequence('candidate', 'id')) AS next_candidate_id
        FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.invite_token = $1""",
        token,
    )


async def take_seat_at_once(
    connection: asyncpg.Connection,
    token: str,
    version: str,
    open_until: dt.datetime | None,
    registration: Registration,
    access_token: str,
    pin: str,
    candidate_id: int,
    mail: PreparedMail,
    notify_event: int | None,
) -> asyncpg.Record:
    """The registration's locked part in one statement of its own transaction (migration
    0039, take_registration_seat): o_fresh, o_now, o_registered, o_existing, o_inserted.
    With `notify_event`, a seat taken also sends that event's `queue` notification (as
    live.queue.notify) in the same statement, so the lobby's counts and roster see the
    registration. Here it costs least: the event's row lock lasts until the commit, and a
    statement of its own would need a transaction around this one, the lock then held across
    its round trip; the transaction notifies the mail worker already, so its commit queues
    notifications either way."""
    notify_channel = None if notify_event is None else live_queue.channel(notify_event)
    payload = None if notify_event is None else live_queue.notify_payload(notify_event, "queue")
    return await connection.fetchrow(
        f"""
        SELECT seat.*,
               (SELECT {live_queue.notify_call("$21", "$22")}
                 WHERE seat.o_inserted AND $21::text IS NOT NULL) AS live_notified
        FROM take_registration_seat($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                                    $13, $14, $15, $16, $17, $18, $19, $20) seat""",
        token,
        version,
        open_until,
        candidate_id,
        registration.name,
        registration.email,
        registration.phone,
        registration.language,
        access_token,
        pin,
        *_outbox_values(mail),
        notify_channel,
        payload,
    )


async def lock_event_by_invite_token(connection: asyncpg.Connection, token: str) -> asyncpg.Record | None:
    """event_by_invite_token(for_update=True), with the database's clock as `now`: one
    statement under the lock instead of two."""
    return await connection.fetchrow(
        f"""
        SELECT {EVENT_COLUMNS}, now() AS now
        FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.invite_token = $1 FOR UPDATE OF e""",
        token,
    )


async def event_by_id(connection: asyncpg.Connection, event_id: int) -> asyncpg.Record | None:
    return await connection.fetchrow(
        f"""
        SELECT {EVENT_COLUMNS} FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.id = $1""",
        event_id,
    )


async def count_registered(connection: asyncpg.Connection, event_id: int) -> int:
    """The registrations of the event not cancelled or erased: the count triggers keep
    (migration 0039), one row, however many registered. A statement of its own, after the
    event row is locked: read inside the locking statement it would come from a snapshot
    taken before the lock was granted."""
    return await connection.fetchval("SELECT registered_count($1)", event_id)


def _outbox_values(mail: PreparedMail) -> tuple:
    """The mail's mail_outbox columns, in store.insert's order."""
    return (
        mail.message_id,
        mail.to_address,
        mail.to_name,
        mail.language,
        mail.template,
        mail.subject,
        mail.text_body,
        mail.html_body,
        mail.ics,
        mail.ics_method,
    )


async def take_seat(
    connection: asyncpg.Connection,
    event_id: int,
    limit: int,
    registration: Registration,
    access_token: str,
    pin: str,
    candidate_id: int,
    mail: PreparedMail,
) -> asyncpg.Record:
    """The registration's one statement under the event's lock: `registered` (as
    count_registered), `existing` (the id of a registration of the address, or None) and,
    when there is none and fewer than `limit` are registered, the candidate inserted (its
    CANDIDATE_COLUMNS, else NULLs) with its confirmation queued (as store.insert, with
    the candidate). `limit` 0: nothing is inserted."""
    return await connection.fetchrow(
        f"""
        WITH seats AS (
            SELECT registered_count($1) AS registered,
                   (SELECT min(id) FROM candidate
                     WHERE event_id = $1 AND lower(email) = lower($4)
                       AND cancelled_at IS NULL) AS existing),
        inserted AS (
            INSERT INTO candidate (id, event_id, name, email, phone, language, access_token,
                                   pin, consented_at)
            OVERRIDING SYSTEM VALUE
            SELECT $8, $1, $3, $4, $5, $6, $7, $9, now() FROM seats
            WHERE seats.existing IS NULL AND seats.registered < $2
            RETURNING {CANDIDATE_COLUMNS}),
        queued AS (
            INSERT INTO mail_outbox (message_id, to_address, to_name, language, template,
                                     subject, text_body, html_body, ics, ics_method,
                                     candidate_id)
            SELECT $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, inserted.id FROM inserted
            RETURNING id)
        SELECT seats.registered, seats.existing, inserted.*,
               (SELECT pg_notify('mail_outbox', id::text) FROM queued) AS mail_notified
        FROM seats LEFT JOIN inserted ON true""",
        event_id,
        limit,
        registration.name,
        registration.email,
        registration.phone,
        registration.language,
        access_token,
        candidate_id,
        pin,
        *_outbox_values(mail),
    )


async def registered_by_email(
    connection: asyncpg.Connection, event_id: int, email: str
) -> asyncpg.Record | None:
    return await connection.fetchrow(
        f"""
        SELECT {CANDIDATE_COLUMNS} FROM candidate
        WHERE event_id = $1 AND lower(email) = lower($2) AND cancelled_at IS NULL
        FOR UPDATE""",
        event_id,
        email,
    )


async def registered_again(connection: asyncpg.Connection, candidate: asyncpg.Record) -> bool:
    """Whether the address of an ended registration is registered for its event again."""
    return bool(
        await connection.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM candidate
                           WHERE event_id = $1 AND lower(email) = lower($2) AND id <> $3
                             AND cancelled_at IS NULL AND erased_at IS NULL)""",
            candidate["event_id"],
            candidate["email"],
            candidate["id"],
        )
    )


async def next_candidate_id(connection: asyncpg.Connection) -> int:
    """An id for a registration about to be made, drawn before its transaction (no lock)."""
    return await connection.fetchval("SELECT nextval(pg_get_serial_sequence('candidate', 'id'))")


async def insert_candidate(
    connection: asyncpg.Connection,
    event_id: int,
    registration: Registration,
    access_token: str,
    pin: str,
    candidate_id: int | None = None,
) -> asyncpg.Record:
    """`candidate_id`: one drawn by next_candidate_id; None draws it here."""
    return await connection.fetchrow(
        f"""
        INSERT INTO candidate (id, event_id, name, email, phone, language, access_token, pin,
                               consented_at)
        OVERRIDING SYSTEM VALUE
        VALUES (coalesce($8, nextval(pg_get_serial_sequence('candidate', 'id'))),
                $1, $2, $3, $4, $5, $6, $7, now())
        RETURNING {CANDIDATE_COLUMNS}""",
        event_id,
        registration.name,
        registration.email,
        registration.phone,
        registration.language,
        access_token,
        pin,
        candidate_id,
    )


async def note_resend(
    connection: asyncpg.Connection, candidate_id: int, window_started_at: dt.datetime, resends_in_window: int
) -> None:
    await connection.execute(
        """
        UPDATE candidate SET resend_window_started_at = $2, resends_in_window = $3
        WHERE id = $1""",
        candidate_id,
        window_started_at,
        resends_in_window,
    )


async def by_access_token(
    connection: asyncpg.Connection, token: str, *, for_update: bool = False
) -> asyncpg.Record | None:
    lock = "FOR UPDATE" if for_update else ""
    return await connection.fetchrow(
        f"SELECT {CANDIDATE_COLUMNS} FROM candidate WHERE access_token = $1 {lock}", token
    )


async def in_event(
    connection: asyncpg.Connection, event_id: int, candidate_id: int, *, for_update: bool = False
) -> asyncpg.Record | None:
    lock = "FOR UPDATE" if for_update else ""
    return await connection.fetchrow(
        f"SELECT {CANDIDATE_COLUMNS} FROM candidate WHERE id = $1 AND event_id = $2 {lock}",
        candidate_id,
        event_id,
    )


async def was_interviewed(connection: asyncpg.Connection, event_id: int, candidate_id: int) -> bool:
    """Whether an interview with the candidate has been held (ended): the registration is
    then part of the event's record, which the summary shows."""
    held: bool = await connection.fetchval(
        """SELECT EXISTS (SELECT 1 FROM interview
                          WHERE event_id = $1 AND candidate_id = $2 AND state = 'ended')""",
        event_id,
        candidate_id,
    )
    return held


async def cancel(connection: asyncpg.Connection, candidate_id: int, by: str) -> bool:
    """End a registration (frees its seat); False when it had already ended."""
    result = await connection.execute(
        """
        UPDATE candidate SET cancelled_at = now(), cancelled_by = $2
        WHERE id = $1 AND cancelled_at IS NULL""",
        candidate_id,
        by,
    )
    return result == "UPDATE 1"


async def after_event(connection: asyncpg.Connection, event_id: int, candidate_id: int) -> asyncpg.Record:
    """How the event went for the candidate, for their page once it is over: `checked_in`
    (a queue entry; kept until the registration is erased), `interviewed` (an interview that
    started), `feedback_pending` (an ended interview still waiting for their answer). By the
    event too, so the interviews are found by its index."""
    row: asyncpg.Record = await connection.fetchrow(
        """
        SELECT EXISTS (SELECT 1 FROM queue_entry q WHERE q.candidate_id = $1) AS checked_in,
               coalesce(bool_or(i.state IN ('active', 'ended')), false) AS interviewed,
               coalesce(bool_or(i.state = 'ended' AND NOT EXISTS (
                   SELECT 1 FROM interview_feedback f WHERE f.interview_id = i.id)), false)
                   AS feedback_pending
        FROM interview i WHERE i.event_id = $2 AND i.candidate_id = $1""",
        candidate_id,
        event_id,
    )
    return row


async def set_language(connection: asyncpg.Connection, candidate_id: int, language: str) -> None:
    await connection.execute("UPDATE candidate SET language = $2 WHERE id = $1", candidate_id, language)


# How many registrations the employer's event page shows at a time (EmployerList).
EMPLOYER_PAGE_SIZE = 50
# Who matches a search on the employer's page (employer_search): each word anywhere in the
# name (its accents and punctuation typed or not, app/names.py), the address (its domain as
# stored, in ASCII), or the phone as typed or by its digits alone.
EMPLOYER_MATCH = f"""event_id = $1 AND erased_at IS NULL
    AND ($2 = '%%' OR {name_matches("name", "$2")} OR email ILIKE $3 ESCAPE '\\'
         OR phone ILIKE $2 ESCAPE '\\'
         OR ($4 <> '' AND regexp_replace(phone, '[^0-9]', '', 'g') LIKE '%' || $4 || '%'))"""
# A search that looks like a phone number: digits with what people write between them.
PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ()./-]*")


def employer_search(search: str) -> tuple[str, str, str]:
    """EMPLOYER_MATCH's $2 to $4 for a search: the pattern for names and phones as typed;
    for addresses, whose domains are stored in their ASCII form (app/addresses.py), the
    search with its domain so written ("åkeri.se" finds "anna@xn--keri-poa.se"); and for a
    search like a phone number, its digits ("0701234567" finds "070-123 45 67")."""
    text = searched(search)
    as_stored = (
        text if text.isascii() else ascii_domain(text if "@" in text else f"@{text}").removeprefix("@")
    )
    digits = re.sub(r"[^0-9]", "", text) if PHONE_LIKE.fullmatch(text) else ""
    return contains(text), contains(as_stored), digits if len(digits) >= 3 else ""


@dataclass(frozen=True)
class EmployerList:
    """One page of the registrations the employer's event page lists."""

    rows: list[asyncpg.Record]
    total: int  # registrations that match (all of them without a search)
    page: int  # 1-based; the last page when the one asked for is past the end
    pages: int  # at least 1


async def for_employer(
    connection: asyncpg.Connection, event_id: int, language: str, query: str = "", page: int = 1
) -> EmployerList:
    """The event's registrations, the ended ones too (so the employer sees who cancelled),
    registered ones first, each group by name in `language`'s order: those matching
    `query` (any part of a name, address or phone), EMPLOYER_PAGE_SIZE at a time, so that an
    event of thousands is a page a person can use and a browser can hold."""
    search = employer_search(query)
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        total = await connection.fetchval(
            f"SELECT count(*) FROM candidate WHERE {EMPLOYER_MATCH}", event_id, *search
        )
        pages = max(1, -(-total // EMPLOYER_PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = await connection.fetch(
            f"""
            SELECT {CANDIDATE_COLUMNS},
                   CASE WHEN cancelled_at IS NULL THEN 'registered'
                        WHEN cancelled_by = 'employer' THEN 'removed'
                        ELSE 'cancelled' END AS status,
                   EXISTS (SELECT 1 FROM interview i
                           WHERE i.event_id = $1 AND i.candidate_id = candidate.id
                             AND i.state = 'ended') AS interviewed,
                   -- Where they are on the event day (NULL: not checked in), as the
                   -- interviewers' list of candidates says it.
                   (SELECT q.state FROM queue_entry q WHERE q.candidate_id = candidate.id) AS queue_state,
                   -- Short, for a table: "2026-11-26 14:05", Swedish time like every time shown.
                   to_char(registered_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD HH24:MI')
                       AS registered_local
            FROM candidate WHERE {EMPLOYER_MATCH}
            ORDER BY cancelled_at IS NOT NULL, {by_name("name", language)}, id
            LIMIT $5 OFFSET $6""",
            event_id,
            *search,
            EMPLOYER_PAGE_SIZE,
            (page - 1) * EMPLOYER_PAGE_SIZE,
        )
    return EmployerList(rows, total, page, pages)


async def set_invite_open(connection: asyncpg.Connection, event_id: int, is_open: bool) -> None:
    await connection.execute(
        "UPDATE event SET invite_open = $2, updated_at = now() WHERE id = $1", event_id, is_open
    )


async def erased_at(connection: asyncpg.Connection, candidate_id: int) -> dt.datetime | None:
    return await connection.fetchval("SELECT erased_at FROM candidate WHERE id = $1", candidate_id)
