"""The organizer's live view of an event under way: the "state" its socket sends
(/events/{id}/live/ws, app/views/organizer_live.py). Counts, who is where, the head of the
queue with how long each has waited, and the messages sent to it; no notes, ratings or
answers (those belong in the summary, app/summary/).

It is cut from the event's view (app/live/event_view.py), like the other two sides'
states, and sent on connect and after every change of the event (app/live/hub.py), so the
page updates without polling. Read on its own per change, each open tab counted every
registered candidate again (O(registered) per change and tab, in line with the round's
other sockets); cut from the round's view it costs what the view holds.

No-shows: a candidate who missed their turn twice is one at once; one who has not checked
in is one only once the event's time is over (before, they may still come).

The socket took the organizer's session when it opened. An account disabled while its live
views are open (the colleagues page, `scripts/provision disable-user`) ends its sessions,
and `account_ended` closes those views at once in every process: else they went on being
sent who waits until they happened to reconnect. A log-out closes that session's views, a
new password every other session's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from app.live.event_view import EventView
from app.live.queue import channel, notify_call, notify_payload
from app.live.snapshots import VIEW_SEQ, lobby_of


def over(view: EventView) -> bool:
    """Nobody is called any more: the event's time is over, or it finished or was cancelled."""
    ends_at = view.event["ends_at"]
    return view.event["state"] in ("finished", "cancelled") or (
        ends_at is not None and view.now >= dt.datetime.fromisoformat(ends_at)
    )


def organizer_state(view: EventView) -> dict[str, Any]:
    counts, live = view.counts, view.live
    # A room is in use from the offer on, as on the ops page (app/ops.py): the room is made
    # while the candidate reads the offer, and attaching it notifies no one (app/live/
    # dispatch.attach_room), so a figure waiting for it would stay behind until the next change.
    offered = sum(1 for row in live if row["state"] == "offered")
    active = sum(1 for row in live if row["state"] == "active")
    by_interviewer = view.by_interviewer
    not_checked_in = counts["registered"] - counts["checked_in"]
    ended = over(view)
    # Who waits and what they were told, as the interviewers' lobby shows them (its bounds).
    lobby = lobby_of(view)
    state: dict[str, Any] = {
        "type": "state",
        "now": view.now.isoformat(),
        "event_state": view.event["state"],
        "over": ended,
        "starts_at": view.event["starts_at"],  # from then on it may be ended early
        # … and from the first call in, if before (interviewers may call in from check-in):
        # from either, a candidate not checked in may be a no-show, not before.
        "interviews_begun": view.interviews_begun,
        "ends_at": view.event["ends_at"],
        "rooms_in_use": offered + active,
        "interviews_active": active,
        "offers_open": offered,
        "interviews_done": view.done,
        "queue_length": counts["waiting"],
        # Away from their page: their grace over, whether or not the sweeper has marked them
        # away yet (as the interviewers' `counts.away`).
        "away": view.away,
        # Checked in and not called in: waiting, or away. Once over: still in the queue, not
        # interviewed (the summary's figure has those who left the queue too).
        "not_interviewed": counts["waiting"] + view.away,
        "registered": counts["registered"],
        "checked_in": counts["checked_in"],
        "no_shows": view.missed + (not_checked_in if ended else 0),
        "not_checked_in": not_checked_in,
        "missed": view.missed,
        # Interviews whose media server is lost with none to take them: paused, clock stopped.
        "media_unavailable": sum(1 for row in live if row["media_lost_at"] is not None),
        "queue": [
            {"name": entry["name"], "position": entry["position"], "waited_seconds": entry["waited_seconds"]}
            for entry in lobby["queue"]
        ],
        "messages": lobby["messages"],
        "interviewers": [
            _interviewer(interviewer_id, name, connected, paused, by_interviewer.get(interviewer_id))
            for interviewer_id, name, connected, paused in view.interviewers
        ],
    }
    state[VIEW_SEQ] = view.seq  # ordered by the view's reads (app/live/channel.py)
    return state


def _interviewer(
    interviewer_id: int, name: str, connected: bool, paused: bool, interview: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "id": interviewer_id,
        "name": name,
        "connected": connected,
        "paused": paused,
        "interview_state": interview["state"] if interview else None,
        "candidate_name": interview["candidate_name"] if interview else None,
        "ends_at": interview["ends_at"].isoformat() if interview and interview["ends_at"] else None,
        "media": "ok" if interview is None or interview["media_lost_at"] is None else "unavailable",
    }


ACCOUNT_ENDED = "account_ended"


async def account_ended(
    connection: asyncpg.Connection, user_id: int, *, only: str = "", keep: str = ""
) -> None:
    """The account's sessions ended: its open live views close, in whichever process they
    are (each of the organization's events being held or ahead, told; a socket of that
    account on it closes). `only`: one session ended (a log-out), named by its tag
    (app/auth/sessions.py session_tag): that session's views close. `keep`: every session
    but that one ended (a new password): all views but its own close."""
    # And each event, of any organization and in any state, where the account is an
    # interviewer: their meeting page, let in as the account (not with the code), closes
    # the same way (it stays open after the event, for the notes).
    events = await connection.fetch(
        """SELECT e.id, i.id AS interviewer
           FROM event e
           LEFT JOIN event_interviewer i ON i.event_id = e.id AND i.user_id = $1
           WHERE e.deleted_at IS NULL
             AND (i.id IS NOT NULL
                  OR (e.state IN ('published', 'live')
                      AND e.organization_id = (SELECT organization_id FROM app_user WHERE id = $1)))""",
        user_id,
    )
    # One statement for all of them (every log-out comes here), not one per event.
    await connection.execute(
        f"SELECT {notify_call('c', 'p')} FROM unnest($1::text[], $2::text[]) AS n(c, p)",
        [channel(row["id"]) for row in events],
        [
            notify_payload(
                row["id"],
                ACCOUNT_ENDED,
                user=user_id,
                only=only,
                keep=keep,
                **({"interviewer": row["interviewer"]} if row["interviewer"] is not None else {}),
            )
            for row in events
        ],
    )


def ends_session(named: dict[str, Any], session: str) -> bool:
    """Whether a notification ends the account session named `session` (its tag): an
    `account_ended` for every session, for that one (`only`), or for all but another (`keep`)."""
    return (
        named.get("kind") == ACCOUNT_ENDED
        and named.get("only", "") in ("", session)
        and named.get("keep", "") != session
    )
