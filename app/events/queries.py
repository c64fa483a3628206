"""SQL for events and what belongs to them. The caller owns the transaction."""

from __future__ import annotations

import asyncpg

from app.events.form import EventInput
from app.events.tokens import link_token, six_digit_code

EVENT_COLUMNS = """e.id, e.organization_id, o.name AS organization_name, e.title, e.job_description,
    e.starts_at, e.duration_minutes, e.interview_minutes, e.capacity, e.language, e.state,
    e.invite_token, e.invite_open, e.calendar_sequence, e.calendar_key, e.published_at, e.deleted_at, e.edit_version,
    e.ended_early_at, e.planned_duration_minutes, e.planned_starts_at,
    -- The start it was set for, which its pages, mails and files say: an event ended early
    -- after being held from before it (its first candidate called in from check-in) has
    -- starts_at moved to that call, and planned_starts_at keeps the set one.
    coalesce(e.planned_starts_at, e.starts_at) AS set_starts_at,
    registered_count(e.id) AS registered,
    (SELECT count(*) FROM event_interviewer i WHERE i.event_id = e.id) AS interviewer_count,
    EXISTS (SELECT 1 FROM interview iv WHERE iv.event_id = e.id) AS interviews_begun"""


async def list_for_user(
    connection: asyncpg.Connection, user_id: int, organization_id: int
) -> list[asyncpg.Record]:
    """The organization's events and those the user interviews at, soonest first."""
    return await connection.fetch(
        f"""
        SELECT {EVENT_COLUMNS}, e.organization_id = $2 AS editable
        FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.deleted_at IS NULL
          AND (e.organization_id = $2 OR EXISTS (
                SELECT 1 FROM event_interviewer i WHERE i.event_id = e.id AND i.user_id = $1))
        ORDER BY e.starts_at""",
        user_id,
        organization_id,
    )


async def get_for_user(
    connection: asyncpg.Connection,
    event_id: int,
    user_id: int,
    organization_id: int,
    *,
    for_update: bool = False,
) -> asyncpg.Record | None:
    """The event if this user may see it (None otherwise: the caller answers 404).
    `editable` tells whether they may change it (their organization's) or only look."""
    lock = "FOR UPDATE OF e" if for_update else ""
    return await connection.fetchrow(
        f"""
        SELECT {EVENT_COLUMNS}, e.organization_id = $3 AS editable
        FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.id = $1 AND e.deleted_at IS NULL
          AND (e.organization_id = $3 OR EXISTS (
                SELECT 1 FROM event_interviewer i WHERE i.event_id = e.id AND i.user_id = $2))
        {lock}""",
        event_id,
        user_id,
        organization_id,
    )


async def insert_event(
    connection: asyncpg.Connection, organization_id: int, user_id: int, event: EventInput
) -> int:
    return await connection.fetchval(
        """
        INSERT INTO event (organization_id, created_by, title, job_description, starts_at,
                           duration_minutes, interview_minutes, capacity, language, state)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft') RETURNING id""",
        organization_id,
        user_id,
        event.title,
        event.job_description,
        event.starts_at,
        event.duration_minutes,
        event.interview_minutes,
        event.capacity,
        event.language,
    )


async def update_event(
    connection: asyncpg.Connection, event_id: int, event: EventInput, time_changed: bool
) -> None:
    """Every field of the edit form (its questions, attributes and interviewers are saved
    beside it): a new `edit_version`, so that forms made before this are refused."""
    await connection.execute(
        """
        UPDATE event SET title = $2, job_description = $3, starts_at = $4, duration_minutes = $5,
            interview_minutes = $6, capacity = $7, language = $8, updated_at = now(),
            calendar_sequence = calendar_sequence + $9::int, edit_version = edit_version + 1
        WHERE id = $1""",
        event_id,
        event.title,
        event.job_description,
        event.starts_at,
        event.duration_minutes,
        event.interview_minutes,
        event.capacity,
        event.language,
        1 if time_changed else 0,
    )


async def end_early(connection: asyncpg.Connection, event_id: int) -> bool:
    """The event cut to what it held, so that it is over now for everything that reads its
    end: held from its set start, or from when its first candidate was called in if that was
    earlier (interviewers may call in from when check-in opens), to now, in whole minutes. Its
    set start and length are kept beside. False (nothing changed) unless it is being held
    (its start passed, or a candidate called in) and is not over. The caller holds its row.

    Its moment is this statement's, not its transaction's (now(): when the organizer's post
    began, before it got the row): a *Next* or an *Extend* that held the row then committed
    before it, and the event is recorded as ended after them, not before."""
    ended = await connection.fetchval(
        """
        WITH moment AS (SELECT statement_timestamp() AS at),
             held AS (SELECT least(e.starts_at, (SELECT min(i.offered_at) FROM interview i
                                                 WHERE i.event_id = e.id)) AS since
                      FROM event e WHERE e.id = $1)
        UPDATE event SET planned_duration_minutes = duration_minutes, planned_starts_at = starts_at,
            starts_at = held.since,
            duration_minutes = floor(extract(epoch FROM moment.at - held.since) / 60)::int,
            ended_early_at = moment.at, updated_at = moment.at, edit_version = edit_version + 1
        FROM moment, held
        WHERE id = $1 AND deleted_at IS NULL AND state IN ('published', 'live')
          AND held.since <= moment.at
          AND moment.at < starts_at + make_interval(mins => duration_minutes)
        RETURNING id""",
        event_id,
    )
    return ended is not None


async def interviews_held(connection: asyncpg.Connection, event_id: int) -> int:
    """Interviews of the event that began (those going on included): what an event ended
    early had held, whatever the minutes it ran from its set start."""
    return await connection.fetchval(
        """
        SELECT count(*) FROM interview
        WHERE event_id = $1 AND state IN ('active', 'ended') AND started_at IS NOT NULL""",
        event_id,
    )


async def day_counts(connection: asyncpg.Connection, event_id: int) -> asyncpg.Record:
    """Who an end now would touch: `waiting` in the queue, `under_way` (interviews offered
    or going on)."""
    return await connection.fetchrow(
        """
        SELECT (SELECT count(*) FROM queue_entry q JOIN candidate c ON c.id = q.candidate_id
                WHERE q.event_id = $1 AND q.state = 'waiting'
                  AND c.cancelled_at IS NULL AND c.erased_at IS NULL) AS waiting,
               (SELECT count(*) FROM interview i
                WHERE i.event_id = $1 AND i.state IN ('offered', 'active')) AS under_way""",
        event_id,
    )


async def publish(connection: asyncpg.Connection, event_id: int) -> None:
    await connection.execute(
        """
        UPDATE event SET state = 'published', published_at = now(), updated_at = now(),
            invite_token = coalesce(invite_token, $2)
        WHERE id = $1 AND state = 'draft'""",
        event_id,
        link_token(),
    )


async def cancel(connection: asyncpg.Connection, event_id: int) -> None:
    await connection.execute(
        """
        UPDATE event SET state = 'cancelled', deleted_at = now(), updated_at = now(),
            calendar_sequence = calendar_sequence + 1
        WHERE id = $1""",
        event_id,
    )


async def replace_items(connection: asyncpg.Connection, table: str, event_id: int, items: list[str]) -> None:
    """Questions or attributes, in the order given."""
    assert table in ("event_question", "event_attribute")
    await connection.execute(f"DELETE FROM {table} WHERE event_id = $1", event_id)
    await connection.executemany(
        f"INSERT INTO {table} (event_id, position, text) VALUES ($1, $2, $3)",
        [(event_id, position, text) for position, text in enumerate(items, start=1)],
    )


async def items(connection: asyncpg.Connection, table: str, event_id: int) -> list[str]:
    assert table in ("event_question", "event_attribute")
    rows = await connection.fetch(f"SELECT text FROM {table} WHERE event_id = $1 ORDER BY position", event_id)
    return [row["text"] for row in rows]


async def numbered_items(connection: asyncpg.Connection, table: str, event_id: int) -> list[asyncpg.Record]:
    """Questions or attributes with their positions (what ratings and "covered" refer to)."""
    assert table in ("event_question", "event_attribute")
    return await connection.fetch(
        f"SELECT position, text FROM {table} WHERE event_id = $1 ORDER BY position", event_id
    )


async def hold_for_share(connection: asyncpg.Connection, event_id: int) -> None:
    """Lock the event row FOR SHARE in the caller's transaction: a move, cancellation or
    deletion of the event then waits for this transaction, and this one for them."""
    await connection.execute("SELECT 1 FROM event WHERE id = $1 FOR SHARE", event_id)


async def interviewer_in_event(
    connection: asyncpg.Connection, event_id: int, interviewer_id: int
) -> asyncpg.Record | None:
    return await connection.fetchrow(
        """
        SELECT id, email, name, user_id, language, access_token, access_code, invited_at,
               link_generation
        FROM event_interviewer WHERE id = $1 AND event_id = $2""",
        interviewer_id,
        event_id,
    )


async def interviewers(connection: asyncpg.Connection, event_id: int) -> list[asyncpg.Record]:
    return await connection.fetch(
        """
        SELECT id, email, name, user_id, language, access_token, access_code, invited_at,
               link_generation
        FROM event_interviewer WHERE event_id = $1 ORDER BY id""",
        event_id,
    )


async def interviewers_booked_elsewhere(
    connection: asyncpg.Connection, event_id: int
) -> list[asyncpg.Record]:
    """The event's interviewers who are interviewers in another of the organization's
    events at an overlapping time (not deleted, not over): a person cannot hold two calls
    at once, so the employer is warned (the event is saved all the same). Only the
    organization's own events: another employer's plans are none of theirs."""
    return await connection.fetch(
        """
        SELECT i.email, i.name, other.id AS event_id, other.title, other.language, other.starts_at,
               other.duration_minutes
        FROM event e
        JOIN event_interviewer i ON i.event_id = e.id
        JOIN event_interviewer mate ON lower(mate.email) = lower(i.email) AND mate.event_id <> e.id
        JOIN event other ON other.id = mate.event_id
        WHERE e.id = $1
          AND other.organization_id = e.organization_id
          AND other.deleted_at IS NULL AND other.state IN ('draft', 'published', 'live')
          AND other.ended_early_at IS NULL
          -- (bounds the scan of the organization's events by their start: none lasts a day)
          AND other.starts_at > e.starts_at - interval '1440 minutes'
          AND other.starts_at < e.starts_at + make_interval(mins => e.duration_minutes)
          AND tstzrange(other.starts_at, other.starts_at + make_interval(mins => other.duration_minutes))
              && tstzrange(e.starts_at, e.starts_at + make_interval(mins => e.duration_minutes))
        ORDER BY lower(i.email), other.starts_at, other.id""",
        event_id,
    )


async def sync_interviewers(
    connection: asyncpg.Connection,
    event_id: int,
    organization_id: int,
    wanted: list[tuple[str, str]],
    default_language: str,
) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    """Make the event's interviewers the `wanted` (e-mail, name) list.
    Returns (added, removed) rows; kept ones keep their link and code."""
    current = {row["email"].lower(): row for row in await interviewers(connection, event_id)}
    wanted_by_email = {email.lower(): (email, name) for email, name in wanted}
    removed = [row for key, row in current.items() if key not in wanted_by_email]
    if removed:
        await connection.execute(
            "DELETE FROM event_interviewer WHERE id = ANY($1::bigint[])", [row["id"] for row in removed]
        )
    added = []
    for key, (email, name) in wanted_by_email.items():
        if key in current:
            await connection.execute(
                "UPDATE event_interviewer SET name = $2 WHERE id = $1", current[key]["id"], name
            )
            continue
        # A colleague's account sees the event among their own at once. An address is not
        # proof of anything across organizations (sign-up does not verify it): an outside
        # account is linked only when its user opens the mailed link (app/views/interviewer_link).
        account = await connection.fetchrow(
            """SELECT id, language, name FROM app_user
               WHERE lower(email) = $1 AND organization_id = $2 AND NOT disabled""",
            key,
            organization_id,
        )
        added.append(
            await connection.fetchrow(
                """
            INSERT INTO event_interviewer (event_id, email, name, user_id, language,
                                           access_token, access_code)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            RETURNING id, email, name, user_id, language, access_token, access_code, invited_at,
                      link_generation""",
                event_id,
                email,
                # A colleague added by address alone is named as their account is: the
                # event's page, the mails and the candidates' pages greet them by name.
                name or (account["name"] if account else ""),
                account["id"] if account else None,
                account["language"] if account else default_language,
                link_token(),
                six_digit_code(),
            )
        )
    return added, removed


async def active_candidates(connection: asyncpg.Connection, event_id: int) -> list[asyncpg.Record]:
    return await connection.fetch(
        """
        SELECT id, name, email, phone, language, access_token, pin, registered_at, link_generation
        FROM candidate WHERE event_id = $1 AND cancelled_at IS NULL AND erased_at IS NULL
        ORDER BY registered_at""",
        event_id,
    )


# The active candidates but those whose interview has been held: whom the cancellation of
# an event being held concerns (for those interviewed, it took place).
NOT_YET_INTERVIEWED = """
    FROM candidate c WHERE event_id = $1 AND cancelled_at IS NULL AND erased_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM interview i WHERE i.candidate_id = c.id AND i.state = 'ended')"""


async def not_yet_interviewed(connection: asyncpg.Connection, event_id: int) -> list[asyncpg.Record]:
    return await connection.fetch(
        f"""SELECT id, name, email, phone, language, access_token, pin, registered_at,
                   link_generation
            {NOT_YET_INTERVIEWED} ORDER BY registered_at""",
        event_id,
    )


async def count_not_yet_interviewed(connection: asyncpg.Connection, event_id: int) -> int:
    return await connection.fetchval(f"SELECT count(*) {NOT_YET_INTERVIEWED}", event_id)


async def invitations_last_day(connection: asyncpg.Connection, organization_id: int) -> int:
    """The interviewers of the organization's events mailed an invitation within a day."""
    return await connection.fetchval(
        """SELECT count(*) FROM event_interviewer i JOIN event e ON e.id = i.event_id
           WHERE e.organization_id = $1 AND i.invited_at > now() - interval '1 day'""",
        organization_id,
    )


async def mark_invited(connection: asyncpg.Connection, interviewer_ids: list[int]) -> None:
    await connection.execute(
        "UPDATE event_interviewer SET invited_at = now() WHERE id = ANY($1::bigint[])", interviewer_ids
    )


async def get_by_id(connection: asyncpg.Connection, event_id: int) -> asyncpg.Record | None:
    """The event whatever its state (after a change, to describe it in mails)."""
    return await connection.fetchrow(
        f"""
        SELECT {EVENT_COLUMNS} FROM event e JOIN organization o ON o.id = e.organization_id
        WHERE e.id = $1""",
        event_id,
    )


async def link_account(connection: asyncpg.Connection, interviewer_id: int, user_id: int) -> None:
    await connection.execute(
        "UPDATE event_interviewer SET user_id = $2 WHERE id = $1 AND user_id IS NULL", interviewer_id, user_id
    )


async def by_interviewer_token(connection: asyncpg.Connection, token: str) -> asyncpg.Record | None:
    """The event behind an interviewer's personal link, cancelled or not."""
    return await connection.fetchrow(
        f"""
        SELECT {EVENT_COLUMNS}, i.id AS interviewer_id, i.name AS interviewer_name,
               i.email AS interviewer_email, i.user_id AS interviewer_user_id,
               u.language AS interviewer_account_language
        FROM event_interviewer i JOIN event e ON e.id = i.event_id
        JOIN organization o ON o.id = e.organization_id
        LEFT JOIN app_user u ON u.id = i.user_id
        WHERE i.access_token = $1""",
        token,
    )
