"""What the event page says a saved edit mailed, and to how many.

The counts go in the query of the page the save redirects to, as the other notices' names
do: counts only, never a name or an address (a URL stays in logs and browser histories).
Anyone can write such a query, so it is read back only as counts this event could have
mailed; anything else shows the plain "saved" notice, never an error or a made-up sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from app.events.rules import MAX_INTERVIEWERS
from app.events.workflow import EditMails

# EditMails' fields as the query names them: who was told what, readable in the address. (The
# page drops them with the notice once shown: app/views/event_notices.py NOTICE_QUERY.)
PARAMETERS = {
    "time_candidates": "candidates_told_time",
    "time_interviewers": "interviewers_told_time",
    "invited": "interviewers_invited",
    "uninvited": "interviewers_uninvited",
}


def saved_location(event_id: int, mails: EditMails) -> str:
    """The event page with the "saved" notice and, of what the save mailed, the counts that
    are not zero."""
    counts = {PARAMETERS[field]: count for field, count in mails._asdict().items() if count}
    return f"/events/{event_id}?" + urlencode({"notice": "saved", **counts})


def _count(text: str, most: int) -> int | None:
    """A count as saved_location writes one: ASCII digits, no sign or leading zero, from 1
    to `most`; else None."""
    if not (text.isascii() and text.isdigit() and len(text) <= 6) or text.startswith("0"):
        return None
    count = int(text)
    return count if count <= most else None


def mails_of(query: Mapping[str, str], event: Mapping[str, Any]) -> EditMails | None:
    """The mails a "saved" notice's query tells of, or None when it tells of none. Only a
    published event mails anyone; the new time goes to at most as many candidates as it can
    hold, and to at most as many interviewers as an event can have (as do invitations and
    cancellations). One count out of that, or not written as a count, and none is told."""
    if query.get("notice") != "saved" or event["state"] == "draft":
        return None
    most = {field: MAX_INTERVIEWERS for field in PARAMETERS} | {"time_candidates": event["capacity"]}
    counts: dict[str, int] = {}
    for field, name in PARAMETERS.items():
        if name not in query:
            continue
        count = _count(query[name], most[field])
        if count is None:
            return None
        counts[field] = count
    return EditMails(**counts) if counts else None
