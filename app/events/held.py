"""What the interviews already held pin down in an event, so that an edit cannot undo it.

An interview belongs to its interviewer's row of the event, and the notes saved in it refer
to the event's questions and attributes by their place in the list (interview_rating.position,
interview.questions_covered). An edit that removed that interviewer would take their
interviews with it; one that removed, reordered or reworded a question or an attribute would
put saved notes under another heading in the summary. So once interviews exist:

- an interviewer who has any interview in the event stays on it (a name may change);
- the questions and attributes that interviews have started with stay as they are, in their
  places; new ones may be added after them.

Everything else (title, texts, time, capacity, new interviewers) may still change.
"""

from __future__ import annotations

import asyncpg

from app.events import queries
from app.events.form import EventInput
from app.i18n import N_

QUESTIONS_KEPT = N_(
    "Questions used in interviews stay as they are, in their order: the notes refer to them. "
    "You can add new questions after them."
)
ATTRIBUTES_KEPT = N_(
    "Attributes used in interviews stay as they are, in their order: the ratings refer to them. "
    "You can add new attributes after them."
)
INTERVIEWER_KEPT = N_(
    "%(address)s has interviews in this event and stays on it: the summary shows who held them."
)

HELD_SQL = """
    SELECT coalesce(array_agg(DISTINCT lower(w.email)), '{}') AS interviewers,
           coalesce(bool_or(i.started_at IS NOT NULL), false) AS started
    FROM interview i JOIN event_interviewer w ON w.id = i.interviewer_id
    WHERE i.event_id = $1"""


async def edit_conflicts(
    connection: asyncpg.Connection, event_id: int, event: EventInput
) -> dict[str, tuple[str, dict]]:
    """The form's errors (field -> (message, params)) for what `event` would undo of the
    interviews held; empty when the edit keeps them whole."""
    held = await connection.fetchrow(HELD_SQL, event_id)
    errors: dict[str, tuple[str, dict]] = {}
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
