"""The notices of the event page and the events list, read from the query of the address an
action redirected to.

An action says what it did with one word in the query: `notice` for the event as a whole
(published, saved, ended …), `candidates` for a registration's action
(app/views/candidate_admin.py back_to_event), `interviewers` for an interviewer's link
(app/views/link_locks_admin.py back_to_interviewers). Anyone can write such a query, so a word
not in its list shows nothing. The page names each notice's parameters on it
(data-query-notice), and a script drops them from the address once it has shown the notice
(web/static/js/notice-once.js): reloaded, or opened again from the history or a bookmark, the
page does not tell of the action as if it had been done again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.views.edit_notice import PARAMETERS, mails_of

NOTICES = frozenset(
    {
        "deleted",
        "deleted_draft",
        "deleted_over",
        "published",
        "saved",
        "created",
        "past",
        "no_interviewers",
        "invitations_limit",
        "ended",
        "finished_now",
        "end_refused",
        "already_ended",
    }
)
CANDIDATE_NOTICES = frozenset(
    {
        "resent",
        "removed",
        "invite_opened",
        "invite_closed",
        "not_registered",
        "interviewed",
        "erased",
        "unlocked",
        "reissued",
        "event_over",
    }
)
INTERVIEWER_NOTICES = frozenset({"unlocked", "reissued", "not_published", "invitations_limit"})

# What the event's notice is read from: its word and a saved edit's counts, dropped together.
NOTICE_QUERY = ("notice", *PARAMETERS.values())


def one_of(query: Mapping[str, str], name: str, known: frozenset[str]) -> str | None:
    """The query's word `name` if it is one of the `known` notices, else None."""
    word = query.get(name)
    return word if word in known else None


def events_list_notice(query: Mapping[str, str]) -> dict[str, Any]:
    """The events list's notice (events/_notice.html): an event's deletion."""
    return {"notice": one_of(query, "notice", NOTICES), "notice_query": "notice"}


def event_page_notices(query: Mapping[str, str], event: Mapping[str, Any]) -> dict[str, Any]:
    """The event page's notices, as its templates name them (events/_notice.html,
    events/show.html, events/_candidates.html)."""
    return {
        "notice": one_of(query, "notice", NOTICES),
        "notice_query": " ".join(NOTICE_QUERY),
        # What a saved edit mailed, by count, for the "saved" notice to say.
        "edit_mails": mails_of(query, event),
        "candidate_notice": one_of(query, "candidates", CANDIDATE_NOTICES),
        "interviewer_notice": one_of(query, "interviewers", INTERVIEWER_NOTICES),
    }
