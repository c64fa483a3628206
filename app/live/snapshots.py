"""The "state" message of each side: everything its page shows, read from the database.

A browser that (re)connects gets a full snapshot and every change after that gets a new one,
so no process keeps anything a browser would need replayed. The candidate's snapshot is
built from an explicit list of columns: questions, attributes, ratings and notes are never
read here, so they cannot reach a candidate's browser.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from app.live import dispatch, queue, rules
from app.settings import Settings

MESSAGES_SHOWN = 20


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def _messages(connection: asyncpg.Connection, event_id: int) -> list[dict[str, Any]]:
    rows = await connection.fetch("""
        SELECT id, text, sent_at FROM live_message WHERE event_id = $1
        ORDER BY sent_at DESC, id DESC LIMIT $2""", event_id, MESSAGES_SHOWN)
    return [{"id": r["id"], "text": r["text"], "sent_at": _iso(r["sent_at"])}
            for r in reversed(rows)]


def _time_box(row: asyncpg.Record, settings: Settings) -> str | None:
    if row["ends_at"] is None:
        return None
    warning = row["ends_at"] - dt.timedelta(seconds=settings.live.warning_seconds)
    return _iso(max(warning, row["started_at"] or warning))


async def candidate_state(connection: asyncpg.Connection, candidate_id: int, event_id: int,
                          settings: Settings) -> dict[str, Any]:
    entry = await queue.entry(connection, candidate_id)
    position = wait = None
    if entry is not None and entry["state"] == "waiting":
        for waiting in await queue.waiting_positions(connection, event_id, settings.live):
            if waiting.candidate_id == candidate_id:
                position, wait = waiting.position, rules.round_minutes(waiting.wait_seconds)
    live = await connection.fetchrow("""
        SELECT id, state, room_id, room_generation, offer_expires_at, started_at, ends_at
        FROM interview WHERE candidate_id = $1 AND state IN ('offered', 'active')""",
        candidate_id)
    offer = interview = None
    if live is not None and live["state"] == "offered" and live["room_id"] is not None:
        offer = {"interview": live["id"], "expires_at": _iso(live["offer_expires_at"])}
    elif live is not None and live["state"] == "active":
        interview = {"id": live["id"], "ends_at": _iso(live["ends_at"]),
                     "warning_at": _time_box(live, settings), "room": live["room_generation"]}
    feedback = await connection.fetchval("""
        SELECT i.id FROM interview i
        WHERE i.candidate_id = $1 AND i.state = 'ended'
          AND NOT EXISTS (SELECT 1 FROM interview_feedback f WHERE f.interview_id = i.id)
        ORDER BY i.ended_at DESC LIMIT 1""", candidate_id)
    return {"type": "state", "now": _iso(await connection.fetchval("SELECT now()")),
            "queue": {"state": entry["state"] if entry else "not_checked_in",
                      "position": position, "wait_minutes": wait},
            "offer": offer, "interview": interview, "feedback_open": feedback,
            "messages": await _messages(connection, event_id)}


async def interviewer_state(connection: asyncpg.Connection, interviewer_id: int, event_id: int,
                            settings: Settings) -> dict[str, Any]:
    now = await connection.fetchval("SELECT now()")
    paused = await connection.fetchval(
        "SELECT paused FROM interviewer_presence WHERE interviewer_id = $1", interviewer_id)
    candidates = await connection.fetch("""
        SELECT c.id, c.name, q.state, q.checked_in_at, q.queued_at FROM candidate c
        LEFT JOIN queue_entry q ON q.candidate_id = c.id
        WHERE c.event_id = $1 AND c.cancelled_at IS NULL AND c.erased_at IS NULL
        ORDER BY c.name, c.id""", event_id)
    names = {row["id"]: row["name"] for row in candidates}
    queued_at = {row["id"]: row["queued_at"] for row in candidates}
    waiting = [{"candidate": w.candidate_id, "name": names.get(w.candidate_id, ""),
                "position": w.position,
                "waited_seconds": int((now - queued_at[w.candidate_id]).total_seconds()),
                "wait_minutes": rules.round_minutes(w.wait_seconds)}
               for w in await queue.waiting_positions(connection, event_id, settings.live)
               if w.candidate_id in queued_at]
    talking = await connection.fetch("""
        SELECT i.id, i.state, i.candidate_id, i.interviewer_id, i.offer_expires_at,
               i.started_at, i.ends_at, i.room_generation, c.name AS candidate_name,
               coalesce(nullif(w.name, ''), w.email) AS interviewer_name
        FROM interview i JOIN candidate c ON c.id = i.candidate_id
             JOIN event_interviewer w ON w.id = i.interviewer_id
        WHERE i.event_id = $1 AND i.state IN ('offered', 'active') ORDER BY i.id""", event_id)
    own = None
    for row in talking:
        if row["interviewer_id"] == interviewer_id:
            tickets = await dispatch.reissue_tickets(connection, settings, row["id"])
            own = {"id": row["id"], "state": row["state"], "candidate": row["candidate_id"],
                   "candidate_name": row["candidate_name"],
                   "offer_expires_at": _iso(row["offer_expires_at"]),
                   "ends_at": _iso(row["ends_at"]), "warning_at": _time_box(row, settings),
                   "room": row["room_generation"], "ticket": tickets[1] if tickets else None}
    return {"type": "state", "now": _iso(now), "paused": bool(paused),
            "candidates": [{"id": r["id"], "name": r["name"],
                            "checked_in": r["state"] is not None, "state": r["state"]}
                           for r in candidates],
            "queue": waiting,
            "talking": [{"interview": r["id"], "state": r["state"],
                         "interviewer": r["interviewer_id"],
                         "interviewer_name": r["interviewer_name"],
                         "candidate": r["candidate_id"], "candidate_name": r["candidate_name"]}
                        for r in talking],
            "interview": own, "messages": await _messages(connection, event_id)}


class RoomWatch:
    """Tells a page when its interview moved to a new room (the reconciler: its Janus lost
    the old one): "room_changed" once per move, with a ticket for the new room."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}

    def moved(self, interview: dict[str, Any] | None) -> bool:
        if interview is None:
            return False
        before = self.seen.get(interview["id"])
        self.seen[interview["id"]] = interview["room"]
        return before is not None and before != interview["room"]
