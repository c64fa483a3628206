"""What the interviews already held pin down in an event, so that an edit cannot undo it.

An interview belongs to its interviewer's row of the event, and the notes saved in it refer
to the event's questions and attributes by their place in the list (interview_rating.position,
interview.questions_covered). An edit that removed that interviewer would take their
interviews with it; one that removed, reordered or reworded a question or an attribute would
put saved notes under another heading in the summary. So once interviews exist:

- an interviewer who has any interview in the event stays on it (a name may change);
- the questions and attributes that interviews have started with stay as they are, in their
  places; new ones may be added after them.

And once the event's check-in has opened (it is live, or finished), its date, start time,
length and minutes per interview stay too (the pages open on the day, the waits and the
mails all say the length of an interview as it was when they were drawn) (moved to another day while candidates wait in its queue, it would go on
being held today against the new day's end): moved ahead, a finished event would be listed as upcoming yet stay
finished (the state only moves forward, app/live/event_states.py), its invite link would say
it is over, and interviewers added to it would never be invited. Holding it again is what
Copy is for.

Everything else (title, texts, capacity, new interviewers) may still change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

import asyncpg

from app.addresses import ascii_domain, readable_domain
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
    "This event has been held: its date, start time, length and minutes per interview can no "
    "longer be changed. Copy it to hold it again."
)
TIME_KEPT_LIVE = N_(
    "This event has started: its date, start time, length and minutes per interview can no "
    "longer be changed. Copy it to hold it again."
)
TIME_KEPT_CHECKIN = N_(
    "Check-in for this event has opened: its date, start time, length and minutes per interview "
    "can no longer be changed. Copy it to hold it again."
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
    """Why the event's date, start time, length and minutes per interview can no longer change (the form shows them
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
    """The form's errors for a new date, start time, length or minutes per interview of an
    event that has begun or whose check-in has opened."""
    message = time_kept(before, now)
    if message is None:
        return {}
    errors: dict[str, tuple[str, dict]] = {}
    if event.starts_at != before["starts_at"]:
        same_day = event.starts_at.date() == as_local(before["starts_at"]).date()
        errors["start_time" if same_day else "date"] = (message, {})
    if event.duration_minutes != before["duration_minutes"]:
        errors["duration_minutes"] = (message, {})
    if event.interview_minutes != before["interview_minutes"]:
        errors["interview_minutes"] = (message, {})
    return errors


@dataclass(frozen=True)
class Kept:
    """What the event's interviews pin down, for the edit form to show it so (read only,
    with no way to remove or move it) and to put it back over a refused save's input that
    dropped it (else it would be lost from the form, to be typed again before any save
    could pass)."""

    # field ("questions", "attributes") -> the leading part of the event's list that the
    # interviews began with (empty before any began)
    items: dict[str, list[str]] = field(default_factory=dict)
    # the interviewers with interviews: {"email" (as shown), "name"}, in the event's order
    interviewers: list[dict[str, str]] = field(default_factory=list)

    def count(self, name: str) -> int:
        return len(self.items.get(name, ()))

    def over(self, values: dict[str, Any]) -> dict[str, Any]:
        """A form's values with what is kept in its place: the questions and attributes at
        the top of their lists (what else the input has after them), every interviewer
        with interviews among the interviewers (put back after the others when missing,
        with the name they have), the first row of each such interviewer marked `kept`."""
        values = dict(values)
        for name, fixed in self.items.items():
            given = list(values.get(name) or [])
            if given[: len(fixed)] == fixed:
                given = given[len(fixed) :]
            else:
                given = [item for item in given if item not in fixed]
            values[name] = list(fixed) + given
        if self.interviewers or "interviewers" in values:
            held = {ascii_domain(person["email"]).lower() for person in self.interviewers}
            rows: list[dict[str, Any]] = [dict(row) for row in values.get("interviewers") or []]
            present = {ascii_domain(row["email"].strip()).lower() for row in rows}
            # Put back after the rows as sent, whose errors name them by their place.
            rows += [dict(p) for p in self.interviewers if ascii_domain(p["email"]).lower() not in present]
            for row in rows:
                # Only the first row of an address: a second one (refused, listed twice) is
                # an ordinary row its ✕ removes, else no save could ever pass.
                address = ascii_domain(row["email"].strip()).lower()
                row["kept"] = address in held
                held.discard(address)
            values["interviewers"] = rows
        return values


async def kept_in(connection: asyncpg.Connection, event_id: int) -> Kept:
    """What the event's interviews pin down now (see Kept)."""
    held = await connection.fetchrow(HELD_SQL, event_id)
    items = {}
    if held["started"]:
        items = {
            "questions": await queries.items(connection, "event_question", event_id),
            "attributes": await queries.items(connection, "event_attribute", event_id),
        }
    with_interviews = set(held["interviewers"])
    interviewers = [
        {"email": readable_domain(row["email"]), "name": row["name"]}
        for row in await queries.interviewers(connection, event_id)
        if row["email"].lower() in with_interviews
    ]
    return Kept(items, interviewers)


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
