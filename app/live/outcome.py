"""What an interview leaves behind: the interviewer's notes, questions covered and ratings
(saved as typed, during the interview or after it), and the candidate's answer whether the
job was interesting. The caller owns the transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

from app.live import rules
from app.live.errors import LiveError


async def save_record(
    connection: asyncpg.Connection,
    interview_id: int,
    interviewer_id: int,
    *,
    notes: str,
    covered: list[int],
    ratings: dict[int, int],
) -> None:
    """Replace the interviewer's record of an active or ended interview of their own."""
    async with connection.transaction():
        found = await connection.fetchrow(
            """
            SELECT i.id,
                   (SELECT count(*) FROM event_question q WHERE q.event_id = i.event_id)
                       AS questions,
                   (SELECT count(*) FROM event_attribute a WHERE a.event_id = i.event_id)
                       AS attributes
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
        await connection.execute(
            """
            UPDATE interview SET notes = $2, questions_covered = $3 WHERE id = $1""",
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


async def feedback_pending(connection: asyncpg.Connection, candidate_id: int) -> bool:
    """Whether an ended interview of the candidate still waits for their answer."""
    return await connection.fetchval(
        """
        SELECT EXISTS (SELECT 1 FROM interview i WHERE i.candidate_id = $1
                       AND i.state = 'ended' AND NOT EXISTS (
                           SELECT 1 FROM interview_feedback f WHERE f.interview_id = i.id))""",
        candidate_id,
    )


async def record_of(connection: asyncpg.Connection, interviewer_id: int) -> dict[str, Any] | None:
    """The interviewer's record of the interview live now, or else of the last one ended:
    what the page's notes form starts from (a reload must not lose typed notes)."""
    row = await connection.fetchrow(
        """
        SELECT i.id, i.state, i.notes, i.questions_covered, c.name AS candidate_name,
               i.ended_at > now() - interval '10 minutes' AS recent
        FROM interview i JOIN candidate c ON c.id = i.candidate_id
        WHERE i.interviewer_id = $1 AND i.state IN ('active', 'ended')
        ORDER BY i.state = 'active' DESC, i.ended_at DESC NULLS FIRST LIMIT 1""",
        interviewer_id,
    )
    if row is None:
        return None
    ratings = await connection.fetch(
        "SELECT position, rating FROM interview_rating WHERE interview_id = $1", row["id"]
    )
    return {
        "interview": row["id"],
        "state": row["state"],
        "notes": row["notes"],
        "candidate_name": row["candidate_name"],
        "recent": bool(row["recent"]),
        "questions_covered": list(row["questions_covered"]),
        "ratings": {str(r["position"]): r["rating"] for r in ratings},
    }
