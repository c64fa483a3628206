"""The event page's notices as read from the query: each from its own parameter, and only a
word some action writes."""

from __future__ import annotations

from app.events.workflow import EditMails
from app.views.event_notices import event_page_notices, events_list_notice

PUBLISHED = {"state": "published", "capacity": 18}


def test_each_notice_from_its_own_parameter():
    query = {
        "notice": "saved",
        "candidates_told_time": "2",
        "candidates": "resent",
        "interviewers": "unlocked",
    }
    found = event_page_notices(query, PUBLISHED)
    assert (found["notice"], found["candidate_notice"], found["interviewer_notice"]) == (
        "saved",
        "resent",
        "unlocked",
    )
    assert found["edit_mails"] == EditMails(time_candidates=2)


def test_a_word_no_action_writes_is_no_notice():
    # "removed" is a registration's word, not an interviewer's; "deleted" is the event's.
    query = {"notice": "<b>hi</b>", "candidates": "deleted", "interviewers": "removed"}
    found = event_page_notices(query, PUBLISHED)
    assert (found["notice"], found["candidate_notice"], found["interviewer_notice"]) == (None, None, None)
    assert event_page_notices({}, PUBLISHED)["notice"] is None


def test_the_list_reads_its_notice_alone():
    assert events_list_notice({"notice": "deleted", "candidates": "resent"}) == {
        "notice": "deleted",
        "notice_query": "notice",
    }
    assert events_list_notice({"notice": "nonsense"})["notice"] is None
