"""What the interviews already held pin down in an event, so that an edit cannot undo it.

An interview belongs to its interviewer's row of the event, and the notes saved in it refer
to the event's questions and attributes by their place in the list (interview_rating.position,
interview.questions_covered). An edit that removed that interviewer would take their
interviews with it; one that removed, reordered or reworded a question or an attribute would
put saved notes under another heading in the summary. So once interviews exist:

- an interviewer who has any interview in the event stays on it (a name may change);
- the questions and attributes that interviews have started with stay as they are, in their
  places; new ones may be added after them.

And once the event's check-in has opened (it is live, or finished), its date, start time
and length stay too (moved to another day while candidates wait in its queue, it would go on
being held today against the new day's end): moved ahead, a finished event would be listed as upcoming yet stay
finished (the state only moves forward, app/live/event_states.py), its invite link would say
it is over, and interviewers added to it would never be invited. Holding it again is what
Copy is for.

Everything else (title, texts, capacity, new interviewers) may still change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import asyncpg

from app.events import queries
from app.events.form import EventInput
from app.events.rules import as_local, has_begun
from app.i18n import N_

QUESTIONS_KEPT = N_(
    "Questions used in interviews stay as they are, in their order: the notes refer to them. "
    "You can add new questions after them."
)
ATTRIBUTES_KEPT = N_(
    "Attributes used in interviews stay as they are, in their order: the ratings refer to them. "
    "You can add new attributes after them."
)
TIME_KEPT = N_(
    "This event has been held: its date, start time and length can no longer be changed. "
    "Copy it to hold it again."
)
TIME_KEPT_LIVE = N_(
    "This event has started: its date, start time and length can no longer be changed. "
    "Copy it to hold it again."
)
TIME_KEPT_CHECKIN = N_(
    "Check-in for this event has opened: its date, start time and length can no longer be changed. "
    "Copy it to hold it again."
)
INTERVIEWER_KEPT = N_(
    "%(address)s has interviews in this event and stays on it: the summary shows who held them."
)

HELD_SQL = """
    SELECT coalesce(array_agg(DISTINCT lower(w.email)), '{}') AS interviewers,
           coalesce(bool_or(i.started_at IS NOT NULL), false) AS started
    FROM interview i JOIN event_interviewer w ON w.id = i.interviewer_id
    WHERE i.event_id = $1"""


def time_kept(before: Mapping[str, Any], now: dt.datetime) -> str | None:
    """Why the event's date, start time and length can no longer change (the form shows them
    read only, with this), or None. From when check-in opens (the event is live): candidates
    may be in its queue, and moved to another day it would go on being held today against
    tomorrow's end."""
    if before["state"] == "finished":
        return TIME_KEPT
    if before["state"] == "live":
        return TIME_KEPT_LIVE if has_begun(before, now) else TIME_KEPT_CHECKIN
    return TIME_KEPT_LIVE if has_begun(before, now) else None  # published, its start passed


def time_conflicts(
    before: Mapping[str, Any], event: EventInput, now: dt.datetime
) -> dict[str, tuple[str, dict]]:
    """The form's errors for a new date, start time or length of an event that has begun
    or whose check-in has opened."""
    message = time_kept(before, now)
    if message is None:
        return {}
    errors: dict[str, tuple[str, dict]] = {}
    if event.starts_at != before["starts_at"]:
        same_day = event.starts_at.date() == as_local(before["starts_at"]).date()
        errors["start_time" if same_day else "date"] = (message, {})
    if event.duration_minutes != before["duration_minutes"]:
        errors["duration_minutes"] = (message, {})
    return errors


async def edit_conflicts(
    connection: asyncpg.Connection, before: Mapping[str, Any], event: EventInput, now: dt.datetime
) -> dict[str, tuple[str, dict]]:
    """The form's errors (field -> (message, params)) for what `event` would undo of the
    event as held (`before`, its row as it is); empty when the edit keeps it whole."""
    event_id = before["id"]
    held = await connection.fetchrow(HELD_SQL, event_id)
    errors = time_conflicts(before, event, now)
    wanted = {email.lower() for email, _ in event.interviewers}
    dropped = sorted(set(held["interviewers"]) - wanted)
    if dropped:
        errors["interviewers"] = (INTERVIEWER_KEPT, {"address": dropped[0]})
    if held["started"]:
        for field, table, new, message in (
            ("questions", "event_question", event.questions, QUESTIONS_KEPT),
            ("attributes", "event_attribute", event.attributes, ATTRIBUTES_KEPT),
        ):
            used = await queries.items(connection, table, event_id)
            if new[: len(used)] != used:
                errors[field] = (message, {})
    return errors
