"""What an interview leaves behind: the interviewer's notes, questions covered and ratings
(saved as typed, during the interview or after it), and the candidate's answer whether the
job was interesting. The caller owns the transaction."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from app.live import interviews, rules
from app.live.errors import LiveError
from app.live.queue import notify


async def save_record(
    connection: asyncpg.Connection,
    interview_id: int,
    interviewer_id: int,
    *,
    notes: str,
    covered: list[int],
    ratings: dict[int, int],
    based_on: int | None = None,
    page: str = "",
) -> int:
    """Replace the interviewer's record of an active or ended interview of their own; the
    record's new version. `based_on`: the version the page's form started from. The same
    interviewer may have the meeting web open in several windows or devices, each saving
    its whole form: one based on an older version than the saved one would replace what
    another window saved, so it is refused (`record_changed`: the page fetches the record,
    `record_for`). None (a page from before versions): saved over whatever is there.
    `page`: the saving socket's key, which the notice to the other windows names."""
    async with connection.transaction():
        found = await connection.fetchrow(
            """
            SELECT i.id, i.event_id, i.record_version,
                   (SELECT count(*) FROM event_question q WHERE q.event_id = i.event_id)
                       AS questions,
                   (SELECT count(*) FROM event_attribute a WHERE a.event_id = i.event_id)
                       AS attributes,
                   (SELECT count(*) FROM live_connection l WHERE l.interviewer_id = $2)
                       AS sockets
            FROM interview i
            WHERE i.id = $1 AND i.interviewer_id = $2 AND i.state IN ('active', 'ended')
              AND NOT EXISTS (SELECT 1 FROM candidate c  -- erased: nothing may be written again
                              WHERE c.id = i.candidate_id AND c.erased_at IS NOT NULL)
            FOR NO KEY UPDATE OF i""",
            interview_id,
            interviewer_id,
        )
        if found is None:
            raise LiveError("not_active")
        if not rules.valid_record(notes, covered, ratings, found["questions"], found["attributes"]):
            raise LiveError("invalid_record")
        if based_on is not None and based_on != found["record_version"]:
            raise LiveError("record_changed")
        version: int = await connection.fetchval(
            """
            UPDATE interview SET notes = $2, questions_covered = $3,
                   record_version = record_version + 1
            WHERE id = $1 RETURNING record_version""",
            interview_id,
            notes,
            sorted(covered),
        )
        await connection.execute("DELETE FROM interview_rating WHERE interview_id = $1", interview_id)
        await connection.executemany(
            """
            INSERT INTO interview_rating (interview_id, position, rating) VALUES ($1, $2, $3)""",
            [(interview_id, position, rating) for position, rating in sorted(ratings.items())],
        )
        if found["sockets"] > 1:
            # Another window of the interviewer is open: it is told at once (its socket's
            # `record_saved`, app/live/feeds.py), so its form shows this save instead of
            # waiting for its next save to be refused. With one window open, no notification:
            # nobody would take it (it starts no round: app/live/hub.py NOTICES_ONLY), and a
            # NOTIFY per pause in typing would still go to every process listening.
            await notify(
                connection,
                found["event_id"],
                "record_saved",
                interviewer=interviewer_id,
                interview=interview_id,
                version=version,
                page=page,
            )
        return version


async def save_feedback(
    connection: asyncpg.Connection,
    interview_id: int,
    candidate_id: int,
    *,
    interested: bool,
    comment: str = "",
) -> None:
    """The candidate's answer after their interview ended; answering again replaces it."""
    if not rules.valid_feedback(interested, comment):
        raise LiveError("invalid_feedback")
    saved = await connection.fetchval(
        """
        INSERT INTO interview_feedback (interview_id, interested, comment)
        SELECT id, $3, $4 FROM interview
        WHERE id = $1 AND candidate_id = $2 AND state = 'ended'
          AND NOT EXISTS (SELECT 1 FROM candidate c
                          WHERE c.id = $2 AND c.erased_at IS NOT NULL)
        ON CONFLICT (interview_id) DO UPDATE SET interested = excluded.interested,
            comment = excluded.comment, answered_at = now()
        RETURNING interview_id""",
        interview_id,
        candidate_id,
        interested,
        comment,
    )
    if saved is None:
        raise LiveError("feedback_not_open")


async def saved_feedback(connection: asyncpg.Connection, candidate_id: int) -> dict[str, Any] | None:
    """The candidate's answer about their last ended interview as saved, the one an answer
    sent again replaces (save_feedback): what their page says back to them. None: none yet."""
    row = await connection.fetchrow(
        f"""
        SELECT f.interested, f.comment FROM interview_feedback f
        WHERE f.interview_id = ({interviews.LAST_ENDED_OF_CANDIDATE})""",
        candidate_id,
    )
    return None if row is None else {"interested": row["interested"], "comment": row["comment"]}


# The record as the page's form takes it (record_of, record_for): `version` counts its saves.
RECORD_SQL = """
    SELECT i.id, i.state, i.end_reason, i.notes, i.questions_covered, i.record_version,
           c.name AS candidate_name,
           i.ended_at > now() - interval '10 minutes' AS recent,
           coalesce((SELECT jsonb_object_agg(r.position::text, r.rating)
                     FROM interview_rating r WHERE r.interview_id = i.id), '{}') AS ratings
    FROM interview i JOIN candidate c ON c.id = i.candidate_id
    WHERE i.interviewer_id = $1 AND i.state IN ('active', 'ended')"""


def _record(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "interview": row["id"],
        "state": row["state"],
        "end_reason": row["end_reason"],
        "version": row["record_version"],
        "notes": row["notes"],
        "candidate_name": row["candidate_name"],
        "recent": bool(row["recent"]),
        "questions_covered": list(row["questions_covered"]),
        "ratings": json.loads(row["ratings"]),
    }


async def record_of(connection: asyncpg.Connection, interviewer_id: int) -> dict[str, Any] | None:
    """The interviewer's record of the interview live now, or else of the last one ended:
    what the page's notes form starts from (a reload must not lose typed notes)."""
    row = await connection.fetchrow(
        RECORD_SQL + " ORDER BY i.state = 'active' DESC, i.ended_at DESC NULLS FIRST LIMIT 1",
        interviewer_id,
    )
    return None if row is None else _record(row)


async def record_for(
    connection: asyncpg.Connection, interviewer_id: int, interview_id: int
) -> dict[str, Any]:
    """The interviewer's saved record of one active or ended interview of their own, for a
    window whose form is behind another window's save (`record_changed`, `record_saved`)."""
    row = await connection.fetchrow(
        RECORD_SQL
        + """ AND i.id = $2 AND NOT EXISTS (SELECT 1 FROM candidate e
                                            WHERE e.id = i.candidate_id AND e.erased_at IS NOT NULL)""",
        interviewer_id,
        interview_id,
    )
    if row is None:
        raise LiveError("not_active")
    return _record(row)
