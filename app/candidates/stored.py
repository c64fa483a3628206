"""What is stored about one candidate, for their own page (/c/{token}/data).

Read only, and only what a candidate may see: the interviewers' notes, ratings and
questions covered are never sent to a candidate's browser (README "Live event"), so of
those the page learns only whether any exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Stored:
    checked_in_at: object | None
    interviews: list[asyncpg.Record]  # started_at, ended_at, state, has_record, interested, comment
    # Offers they did not take up (offered_at, end_reason): stored as much as the interviews
    # are, and counted in the employer's summary as turns missed or declined.
    turns_not_taken: list[asyncpg.Record]
    mails: list[asyncpg.Record]  # created_at, subject, sent_at
    technical: int  # open event-day connections


async def stored_about(connection: asyncpg.Connection, candidate_id: int) -> Stored:
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        checked_in_at = await connection.fetchval(
            "SELECT checked_in_at FROM queue_entry WHERE candidate_id = $1", candidate_id
        )
        interviews = await connection.fetch(
            """
            SELECT i.started_at, i.ended_at, i.state,
                   (i.notes <> '' OR cardinality(i.questions_covered) > 0
                    OR EXISTS (SELECT 1 FROM interview_rating r WHERE r.interview_id = i.id))
                       AS has_record,
                   f.interested, f.comment
            FROM interview i LEFT JOIN interview_feedback f ON f.interview_id = i.id
            WHERE i.candidate_id = $1 AND i.state IN ('active', 'ended')
            ORDER BY i.started_at""",
            candidate_id,
        )
        turns_not_taken = await connection.fetch(
            """
            SELECT offered_at, end_reason FROM interview
            WHERE candidate_id = $1 AND state = 'missed'
            ORDER BY offered_at""",
            candidate_id,
        )
        mails = await connection.fetch(
            """
            SELECT created_at, subject, sent_at FROM mail_outbox
            WHERE candidate_id = $1 ORDER BY created_at, id""",
            candidate_id,
        )
        technical = await connection.fetchval(
            "SELECT count(*) FROM live_connection WHERE candidate_id = $1", candidate_id
        )
    return Stored(checked_in_at, list(interviews), list(turns_not_taken), list(mails), technical)
