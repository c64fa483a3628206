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
from collections.abc import Mapping
from typing import Any


from app.janus.rooms import Room
from app.live.call_tickets import interviewer_ticket
from app.live.event_view import HEAD_ROWS, EventView, iso
from app.live.queue_frames import wait_message
from app.settings import Settings
from app.tickets import KeptTickets, janus_public_url

# The interviewers' state is at most STATE_BUDGET bytes at any size of event: the part all
# of them share at most COMMON_BUDGET, the own interview (two names, a ticket) the rest.
STATE_BUDGET = 16_384
COMMON_BUDGET = 10_000
# How much of the head of the queue the lobby shows (app/live/event_view.HEAD_ROWS read).
QUEUE_SHOWN = HEAD_ROWS

# Not a field of the protocol: which read of the event a state was cut from, taken out by
# app/live/channel.py before the state is sent.
VIEW_SEQ = "_view_seq"
# Nor this: the queue's version of a candidate's state (its `queue.v`), which app/live/
# channel.py keeps to know whether the socket may take the next `queue` message.
QUEUE_VERSION = "_queue_version"


def _media(row: Mapping[str, Any]) -> dict[str, Any]:
    """Whether the interview's media server works: "unavailable" while none can take its
    room (app/live/reconciler.py), with the moment its clock stopped ("stopped_at"): the
    pages show the time left as of then until the room is made again."""
    if row["media_lost_at"] is None:
        return {"media": "ok", "stopped_at": None}
    return {"media": "unavailable", "stopped_at": iso(row["media_lost_at"])}


def _devices(row: Mapping[str, Any], side: str) -> dict[str, Any]:
    """Which of one side's microphone and camera are on in the interview, as its page said,
    and why it could not start them (`problem`), or None."""
    return {
        "microphone": not row[f"{side}_microphone_off"],
        "camera": not row[f"{side}_camera_off"],
        "problem": row[f"{side}_media_problem"],
    }


def _time_box(row: Mapping[str, Any], settings: Settings) -> str | None:
    if row["ends_at"] is None:
        return None
    warning = row["ends_at"] - dt.timedelta(seconds=settings.live.warning_seconds)
    return iso(max(warning, row["started_at"] or warning))


class SharedState(dict[str, Any]):
    """A state whose large part is the same for every page of its side in the event, encoded
    once per view: ten thousand waiting pages would otherwise each encode the same messages
    again (channel.Socket.send splices the encoded part in)."""

    def __init__(self, own: dict[str, Any], common: dict[str, Any], common_json: str):
        super().__init__(own)
        self.update(common)
        self.own = own
        self.common_json = common_json


def _encoded(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _candidate_common(view: EventView) -> tuple[dict[str, Any], str]:
    """What every candidate's state of the event shares (the event, the messages, the
    waits' inputs), encoded once per view: with twenty messages it is most of the message.
    `wait` is the `queue` message's: a waiting page counts its wait down from it as time
    passes with no news (candidate-waiting.js), the same arithmetic as `wait_minutes`."""
    if "candidates" not in view.memo:
        common = {
            "event": view.event,
            "messages": view.messages,
            "wait": wait_message(view.free_in, view.average_seconds),
        }
        view.memo["candidates"] = (common, _encoded(common))
    return view.memo["candidates"]


async def candidate_state(view: EventView, candidate_id: int, settings: Settings) -> dict[str, Any]:
    state, reason = view.state_of(candidate_id)
    place = view.place(candidate_id) if state == "waiting" else None
    # Only a page with a place can take the `queue` messages after this view's version.
    version = view.queue_version if place else None
    live = view.by_candidate.get(candidate_id)
    offer = interview = None
    if live is not None and live["state"] == "offered":  # its room may follow (dispatch.py)
        # While the media is down the offer's clock stands too (app/live/reconciler.py): the
        # page shows the time to join as of then, not a time that runs out meanwhile.
        offer = {"interview": live["id"], "expires_at": iso(live["offer_expires_at"]), **_media(live)}
    elif live is not None and live["state"] == "active":
        interview = {
            "id": live["id"],
            # The call view says whom they talk with: by name, not by the interviewer's
            # address when the employer gave no name (then the line is left out).
            "interviewer_name": live["interviewer_name"] if live["interviewer_named"] else None,
            "ends_at": iso(live["ends_at"]),
            "extended_minutes": live["extended_minutes"],  # said beside the time left
            "warning_at": _time_box(live, settings),
            "room": live["room_generation"],
            # What the page said of its own (it says it again when it differs), and the other's.
            "devices": _devices(live, "candidate"),
            "other_devices": _devices(live, "interviewer"),
            **_media(live),
        }
    own = {
        "type": "state",
        "now": iso(view.now),
        "queue": {
            "state": state or "not_checked_in",
            "reason": reason,
            "position": place[0] if place else None,
            "wait_minutes": place[1] if place else None,
            "v": version,
            # A second miss takes them out of the queue: said while they wait and when called in.
            "missed_once": candidate_id in view.missed_once,
        },
        "offer": offer,
        "interview": interview,
        "feedback_open": view.feedback_open.get(candidate_id),
    }
    message = SharedState(own, *_candidate_common(view))
    message[VIEW_SEQ] = view.seq  # in the dict only: never encoded (channel.Socket takes it)
    message[QUEUE_VERSION] = version
    return message


# The interviewers' tickets of this process, one per interview and room (KeptTickets).
INTERVIEWER_TICKETS = KeptTickets()


def _ticket(row: Mapping[str, Any], settings: Settings) -> str | None:
    """The interviewer's ticket for their live interview's room (none before it exists): the
    one minted for an earlier state of the same room while it lasts long enough."""
    if row["room_id"] is None:
        return None
    room = Room(
        row["janus_server"], row["room_id"], row["room_pin"], row["room_secret"], tuple(row["room_tokens"])
    )
    url = janus_public_url(settings, room.server)
    janus = settings.janus
    key = (
        room,
        row["id"],
        _display(row),
        url,
        settings.app.secret_key.get_secret_value(),
        janus.admin_secret.get_secret_value(),
        janus.deployment_id,
        janus.token_lifetime,
    )
    return INTERVIEWER_TICKETS.get(
        key,
        janus.token_lifetime,
        lambda now: interviewer_ticket(settings, room, row["id"], _display(row), url, now),
    )


def _display(row: Mapping[str, Any]) -> str:
    """The interviewer's display in their room, as app/live/dispatch.py gives it."""
    return row["interviewer_name"] if row["interviewer_named"] else "interviewer"


def lobby_of(view: EventView) -> dict[str, Any]:
    """The interviewers' shared lobby (the head of the queue, counts, who talks to whom, the
    messages), bounded as theirs is: the organizer's live view shows the same."""
    return _interviewers_common(view)[0]


def _interviewers_common(view: EventView) -> tuple[dict[str, Any], str]:
    """The lobby's part of the state that all interviewers share: the head of the queue,
    the counts, who talks to whom, the messages. Bounded whatever the event's size (the
    full roster is read on demand, app/live/roster.py), and cut to COMMON_BUDGET bytes by
    `_within_budget` when long names or many interviews would make it larger."""
    if "interviewers" not in view.memo:
        # Nobody waits for an interview after the event's end: the waits stop there.
        ends_at = view.event["ends_at"]
        until = min(view.now, dt.datetime.fromisoformat(ends_at)) if ends_at else view.now
        queue = [
            {
                "candidate": row["candidate_id"],
                "name": row["name"],
                "position": position,
                "waited_seconds": max(0, int((until - row["waiting_since"]).total_seconds())),
                "wait_minutes": view.wait_at(position),
            }
            for position, row in enumerate(view.head[:QUEUE_SHOWN], 1)
        ]
        talking = [
            {
                "interview": r["id"],
                "state": r["state"],
                "interviewer": r["interviewer_id"],
                "interviewer_name": r["interviewer_name"],
                "candidate": r["candidate_id"],
                "candidate_name": r["candidate_name"],
            }
            for r in view.live
        ]
        # `away`: checked in, not called in, their page away past the grace period (once the
        # event is over, not interviewed either: the lobby's empty list says so only without them).
        counts = {**view.counts, "talking": len(talking), "away": view.away}
        view.memo["interviewers"] = _within_budget(counts, queue, talking, view.messages)
    return view.memo["interviewers"]


def _within_budget(
    counts: dict[str, int],
    queue: list[dict[str, Any]],
    talking: list[dict[str, Any]],
    messages: list[dict[str, Any]],
) -> tuple[dict[str, Any], str]:
    """The common part, shortened until it is at most COMMON_BUDGET bytes: the oldest
    messages go first, then the end of the queue's head, then interviews beyond the first.
    The counts always say how many there are in all."""
    while True:
        common = {"counts": counts, "queue": queue, "talking": talking, "messages": messages}
        text = _encoded(common)
        if len(text.encode()) <= COMMON_BUDGET:
            return common, text
        if len(messages) > 1:
            messages = messages[len(messages) // 2 :]
        elif len(queue) > 1:
            queue = queue[: len(queue) // 2]
        elif len(talking) > 1:
            talking = talking[: len(talking) // 2]
        elif messages or queue or talking:
            messages, queue, talking = [], [], []
        else:
            return common, text


async def interviewer_state(view: EventView, interviewer_id: int, settings: Settings) -> dict[str, Any]:
    own = None
    row = view.by_interviewer.get(interviewer_id)
    if row is not None:
        own = {
            "id": row["id"],
            "state": row["state"],
            "candidate": row["candidate_id"],
            "candidate_name": row["candidate_name"],
            "offer_expires_at": iso(row["offer_expires_at"]),
            "ends_at": iso(row["ends_at"]),
            "extended_minutes": row["extended_minutes"],
            "warning_at": _time_box(row, settings),
            "room": row["room_generation"],
            "ticket": _ticket(row, settings),
            "devices": _devices(row, "interviewer"),
            "other_devices": _devices(row, "candidate"),
            **_media(row),
        }
    common, common_json = _interviewers_common(view)
    state = SharedState(
        {
            "type": "state",
            "now": iso(view.now),
            "event": view.event,
            "paused": interviewer_id in view.paused,
            "interview": own,
        },
        common,
        common_json,
    )
    state[VIEW_SEQ] = view.seq  # in the dict only: never encoded (channel.Socket takes it)
    return state


class RoomWatch:
    """Tells a page when its interview moved to a new room (the reconciler: its Janus lost
    the old one): "room_changed" once per move, with a ticket for the new room.

    It keeps, per interview, the room generation the page last had a ticket or a state
    for. A reply with a ticket (`dispatched`, `ticket`) says so through `hold`: the page may
    hold a ticket before any state has shown it the interview (a *Next*'s state comes with
    the hub's round, which a quick move may precede), and that ticket's room is the one to
    compare with."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}

    def moved(self, interview: dict[str, Any] | None) -> bool:
        if interview is None:
            return False
        before = self.seen.get(interview["id"])
        self.seen[interview["id"]] = interview["room"]
        return before is not None and before != interview["room"]

    def hold(self, interview_id: int, room: int) -> bool:
        """The page was given a ticket for this generation of the interview's room. True
        when a state already showed it another one: the page is to be told again now."""
        before = self.seen.get(interview_id)
        self.seen[interview_id] = room
        return before is not None and before != room
