"""SQL for the summary: one event's interviewers, interviews with the candidate's answer,
ratings, candidates and the questions and attributes. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import asyncpg

from app.events import queries as event_queries
from app.events.rules import is_over
from app.names import name_order
from app.summary.model import DEFAULT_SORT, ERASED_CANDIDATE, Summary, build_summary, interviewer_name


async def interviews(connection: asyncpg.Connection, event_id: int) -> list[asyncpg.Record]:
    return await connection.fetch(
        """
        SELECT i.id, i.interviewer_id, i.candidate_id, c.name AS candidate_name,
               c.email AS candidate_email, c.phone AS candidate_phone,
               c.erased_at IS NOT NULL AS candidate_erased, i.answer_erased, i.state,
               i.offered_at, i.offer_expires_at, i.started_at, i.ended_at, i.notes,
               i.questions_covered, i.end_reason, i.candidate_media_started_at,
               i.interviewer_media_started_at, i.candidate_media_stopped_at,
               i.interviewer_media_stopped_at, i.media_lost_at, i.media_lost_seconds,
               f.interested, f.comment
        FROM interview i
        JOIN candidate c ON c.id = i.candidate_id
        LEFT JOIN interview_feedback f ON f.interview_id = i.id
        WHERE i.event_id = $1 AND i.state IN ('offered', 'active', 'ended', 'missed')""",
        event_id,
    )


async def ratings(connection: asyncpg.Connection, event_id: int) -> dict[int, dict[int, int]]:
    rows = await connection.fetch(
        """
        SELECT r.interview_id, r.position, r.rating
        FROM interview_rating r JOIN interview i ON i.id = r.interview_id
        WHERE i.event_id = $1""",
        event_id,
    )
    found: dict[int, dict[int, int]] = {}
    for row in rows:
        found.setdefault(row["interview_id"], {})[row["position"]] = row["rating"]
    return found


async def candidates(connection: asyncpg.Connection, event_id: int) -> list[asyncpg.Record]:
    """Every registration, with whether the candidate ever checked in."""
    return await connection.fetch(
        """
        SELECT c.id, c.name, c.email, c.phone, c.cancelled_at, q.id IS NOT NULL AS checked_in,
               c.erased_at IS NOT NULL AS erased
        FROM candidate c LEFT JOIN queue_entry q ON q.candidate_id = c.id
        WHERE c.event_id = $1""",
        event_id,
    )


async def timing(connection: asyncpg.Connection, event_id: int) -> asyncpg.Record | None:
    """What tells whether the event is over (app/events/rules.py: is_over)."""
    return await connection.fetchrow(
        "SELECT state, starts_at, duration_minutes FROM event WHERE id = $1", event_id
    )


async def load_summary(
    connection: asyncpg.Connection,
    event_id: int,
    *,
    language: str,
    sort: str = DEFAULT_SORT,
    descending: bool = False,
    gettext: Callable[[str], str] = str,
) -> Summary:
    """The summary, its names in `language`'s order: an erased candidate's as the page
    shows it (`gettext`, the page's language: "Raderad kandidat" sorts under R)."""
    now = dt.datetime.now(dt.timezone.utc)
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        event = await timing(connection, event_id)
        people = await event_queries.interviewers(connection, event_id)
        held = await interviews(connection, event_id)
        registered = await candidates(connection, event_id)
        erased = gettext(ERASED_CANDIDATE)
        names = [interviewer_name(row) for row in people] + [erased]
        names += [row["candidate_name"] for row in held] + [row["name"] for row in registered]
        return build_summary(
            interviewers=people,
            interviews=held,
            ratings=await ratings(connection, event_id),
            candidates=registered,
            attributes=await event_queries.items(connection, "event_attribute", event_id),
            questions=await event_queries.items(connection, "event_question", event_id),
            sort=sort,
            descending=descending,
            now=now,
            # Read in the same snapshot and at the same moment as the rest, so the counts and
            # whether those not checked in are no-shows agree.
            over=event is not None and is_over(event, now),
            order=_erased_as(await name_order(connection, names, language), erased),
        )


def _erased_as(order: Callable[[str], int], erased: str) -> Callable[[str], int]:
    """The order, with an erased candidate (ERASED_CANDIDATE in the model) placed by the
    name the page shows for them."""
    return lambda name: order(erased if name == ERASED_CANDIDATE else name)
