"""The "state" message of each side: everything its page shows, cut from the event's view.

A browser that (re)connects gets a full snapshot and every change after that gets a new one,
so no process keeps anything a browser would need replayed. The view (event_view.py) is read
once per change for every page of the event. The candidate's snapshot takes an explicit list
of fields from it: questions, attributes, ratings and notes are not in the view at all, and
the room's secrets and other people's names are never copied into a candidate's state.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

from app.janus.rooms import Room
from app.live import rules
from app.live.dispatch import interview_tickets
from app.live.event_view import EventView, iso
from app.settings import Settings


# Not a field of the protocol: which read of the event a state was cut from, taken out by
# app/live/channel.py before the state is sent.
VIEW_SEQ = "_view_seq"


def _media(row: asyncpg.Record) -> dict[str, Any]:
    """Whether the interview's media server works: "unavailable" while none can take its
    room (app/live/reconciler.py), with the moment its clock stopped ("stopped_at"): the
    pages show the time left as of then until the room is made again."""
    if row["media_lost_at"] is None:
        return {"media": "ok", "stopped_at": None}
    return {"media": "unavailable", "stopped_at": iso(row["media_lost_at"])}


def _time_box(row: asyncpg.Record, settings: Settings) -> str | None:
    if row["ends_at"] is None:
        return None
    warning = row["ends_at"] - dt.timedelta(seconds=settings.live.warning_seconds)
    return iso(max(warning, row["started_at"] or warning))


async def candidate_state(view: EventView, candidate_id: int,
                          settings: Settings) -> dict[str, Any]:
    state = view.queue_state.get(candidate_id)
    place = view.waiting.get(candidate_id) if state == "waiting" else None
    live = view.by_candidate.get(candidate_id)
    offer = interview = None
    if live is not None and live["state"] == "offered":  # its room may follow (dispatch.py)
        offer = {"interview": live["id"], "expires_at": iso(live["offer_expires_at"])}
    elif live is not None and live["state"] == "active":
        interview = {"id": live["id"], "ends_at": iso(live["ends_at"]),
                     "warning_at": _time_box(live, settings), "room": live["room_generation"],
                     **_media(live)}
    return {"type": "state", "now": iso(view.now), "event": view.event,
            "queue": {"state": state or "not_checked_in",
                      "position": place.position if place else None,
                      "wait_minutes": rules.round_minutes(place.wait_seconds) if place else None},
            "offer": offer, "interview": interview,
            "feedback_open": view.feedback_open.get(candidate_id),
            "messages": view.messages, VIEW_SEQ: view.seq}


def _ticket(row: asyncpg.Record, settings: Settings) -> str | None:
    """The interviewer's ticket for their live interview's room (none before it exists)."""
    if row["room_id"] is None:
        return None
    room = Room(row["janus_server"], row["room_id"], row["room_pin"], row["room_secret"],
                tuple(row["room_tokens"]))
    return interview_tickets(settings, room, row["id"], row["candidate_name"],
                             row["interviewer_name"])[1]


class SharedState(dict):
    """A state whose large part is the same for every interviewer of the event, encoded once
    per view: with a thousand candidates it is most of the message, and a hundred lobbies
    would otherwise each encode it again (channel.Socket.send splices it in)."""

    def __init__(self, own: dict[str, Any], common: dict[str, Any], common_json: str):
        super().__init__(own)
        self.update(common)
        self.own = own
        self.common_json = common_json


def _interviewers_common(view: EventView) -> tuple[dict[str, Any], str]:
    if "interviewers" not in view.memo:
        queued_at = {row["id"]: row["queued_at"] for row in view.candidates}
        names = {row["id"]: row["name"] for row in view.candidates}
        common = {
            "candidates": [{"id": r["id"], "name": r["name"],
                            "checked_in": r["state"] is not None, "state": r["state"]}
                           for r in view.candidates],
            "queue": [{"candidate": w.candidate_id, "name": names[w.candidate_id],
                       "position": w.position,
                       "waited_seconds": int((view.now - queued_at[w.candidate_id])
                                             .total_seconds()),
                       "wait_minutes": rules.round_minutes(w.wait_seconds)}
                      for w in sorted(view.waiting.values(), key=lambda w: w.position)
                      if queued_at.get(w.candidate_id) is not None],
            "talking": [{"interview": r["id"], "state": r["state"],
                         "interviewer": r["interviewer_id"],
                         "interviewer_name": r["interviewer_name"],
                         "candidate": r["candidate_id"], "candidate_name": r["candidate_name"]}
                        for r in view.live],
            "messages": view.messages}
        view.memo["interviewers"] = (common, json.dumps(common, separators=(",", ":")))
    return view.memo["interviewers"]


async def interviewer_state(view: EventView, interviewer_id: int,
                            settings: Settings) -> dict[str, Any]:
    own = None
    for row in view.live:
        if row["interviewer_id"] == interviewer_id:
            own = {"id": row["id"], "state": row["state"], "candidate": row["candidate_id"],
                   "candidate_name": row["candidate_name"],
                   "offer_expires_at": iso(row["offer_expires_at"]),
                   "ends_at": iso(row["ends_at"]), "warning_at": _time_box(row, settings),
                   "room": row["room_generation"], "ticket": _ticket(row, settings),
                   **_media(row)}
    common, common_json = _interviewers_common(view)
    state = SharedState({"type": "state", "now": iso(view.now), "event": view.event,
                         "paused": interviewer_id in view.paused, "interview": own},
                        common, common_json)
    state[VIEW_SEQ] = view.seq  # in the dict only: never encoded (channel.Socket takes it)
    return state


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
