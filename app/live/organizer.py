"""The organizer's live view of an event under way: the "state" its socket sends
(/events/{id}/live/ws, app/views/organizer_live.py). Counts and who is where; no notes,
ratings or answers (those belong in the summary, app/summary/).

It is sent on connect and after every change of the event, like the other two sides'
states (app/live/hub.py), so the page updates without polling.
"""

from __future__ import annotations

from typing import Any

import asyncpg


async def organizer_state(connection: asyncpg.Connection, event_id: int) -> dict[str, Any]:
    counts = await connection.fetchrow(
        """
        SELECT now() AS now,
               (SELECT state FROM event WHERE id = $1) AS event_state,
               count(*) AS registered,
               count(*) FILTER (WHERE q.id IS NOT NULL) AS checked_in,
               count(*) FILTER (WHERE q.id IS NULL) AS not_checked_in,
               count(*) FILTER (WHERE q.state = 'waiting') AS waiting,
               count(*) FILTER (WHERE q.state = 'away') AS away,
               count(*) FILTER (WHERE q.left_reason = 'missed') AS missed
        FROM candidate c LEFT JOIN queue_entry q ON q.candidate_id = c.id
        WHERE c.event_id = $1 AND c.cancelled_at IS NULL AND c.erased_at IS NULL""",
        event_id,
    )
    # A room is in use from the offer on, as on the ops page (app/ops.py): the room is made
    # while the candidate reads the offer, and attaching it notifies no one (app/live/
    # dispatch.attach_room), so a figure waiting for it would stay behind until the next change.
    interviews = await connection.fetchrow(
        """
        SELECT count(*) FILTER (WHERE state IN ('offered', 'active')) AS rooms_in_use,
               count(*) FILTER (WHERE state = 'active') AS active,
               count(*) FILTER (WHERE state = 'offered') AS offered,
               count(*) FILTER (WHERE state = 'ended' AND started_at IS NOT NULL) AS done,
               count(*) FILTER (WHERE state IN ('offered', 'active')
                                  AND media_lost_at IS NOT NULL) AS media_lost
        FROM interview WHERE event_id = $1""",
        event_id,
    )
    interviewers = await connection.fetch(
        """
        SELECT w.id, coalesce(nullif(w.name, ''), w.email) AS name,
               coalesce(p.connected, false) AS connected, coalesce(p.paused, false) AS paused,
               i.state AS interview_state, c.name AS candidate_name, i.ends_at,
               i.media_lost_at
        FROM event_interviewer w
        LEFT JOIN interviewer_presence p ON p.interviewer_id = w.id
        LEFT JOIN interview i ON i.interviewer_id = w.id AND i.state IN ('offered', 'active')
        LEFT JOIN candidate c ON c.id = i.candidate_id
        WHERE w.event_id = $1 ORDER BY w.id""",
        event_id,
    )
    return {
        "type": "state",
        "now": counts["now"].isoformat(),
        "event_state": counts["event_state"],
        "rooms_in_use": interviews["rooms_in_use"],
        "interviews_active": interviews["active"],
        "offers_open": interviews["offered"],
        "interviews_done": interviews["done"],
        "queue_length": counts["waiting"],
        "away": counts["away"],
        "registered": counts["registered"],
        "checked_in": counts["checked_in"],
        "no_shows": counts["not_checked_in"] + counts["missed"],
        "not_checked_in": counts["not_checked_in"],
        "missed": counts["missed"],
        # Interviews whose media server is lost with none to take them: paused, clock stopped.
        "media_unavailable": interviews["media_lost"],
        "interviewers": [
            {
                "id": row["id"],
                "name": row["name"],
                "connected": row["connected"],
                "paused": row["paused"],
                "interview_state": row["interview_state"],
                "candidate_name": row["candidate_name"],
                "ends_at": row["ends_at"].isoformat() if row["ends_at"] else None,
                "media": "ok" if row["media_lost_at"] is None else "unavailable",
            }
            for row in interviewers
        ],
    }
