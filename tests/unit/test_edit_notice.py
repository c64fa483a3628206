"""The counts of what a saved edit mailed, through the redirect's query and back."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from app.events.workflow import EditMails
from app.views.edit_notice import mails_of, saved_location
from app.views.event_notices import NOTICE_QUERY

PUBLISHED = {"state": "published", "capacity": 18}


def query_of(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def test_the_counts_come_back_as_they_went():
    mails = EditMails(time_candidates=18, time_interviewers=3, invited=1, uninvited=50)
    location = saved_location(7, mails)
    assert location.startswith("/events/7?notice=saved&")
    assert mails_of(query_of(location), PUBLISHED) == mails


def test_nothing_mailed_is_the_plain_notice():
    assert saved_location(7, EditMails()) == "/events/7?notice=saved"
    assert mails_of({"notice": "saved"}, PUBLISHED) is None
    # Only what was mailed is in the query (zeros are left out).
    assert query_of(saved_location(7, EditMails(invited=2))) == {
        "notice": "saved",
        "interviewers_invited": "2",
    }


@pytest.mark.parametrize(
    "text", ["", "0", "-1", "+1", "01", "1.0", "1e2", " 1", "²", "٣", "19", "9" * 7, "\x00"]
)
def test_a_count_no_edit_could_have_written_tells_nothing(text):
    assert mails_of({"notice": "saved", "candidates_told_time": text}, PUBLISHED) is None
    # Nor do the counts beside it.
    both = {"notice": "saved", "interviewers_invited": "1", "candidates_told_time": text}
    assert mails_of(both, PUBLISHED) is None


def test_interviewer_counts_stop_at_what_an_event_can_have():
    assert mails_of({"notice": "saved", "interviewers_uninvited": "50"}, PUBLISHED) == EditMails(uninvited=50)
    assert mails_of({"notice": "saved", "interviewers_uninvited": "51"}, PUBLISHED) is None


def test_counts_are_told_only_beside_saved_and_for_an_event_that_mails():
    counts = {"candidates_told_time": "2"}
    assert mails_of({"notice": "published", **counts}, PUBLISHED) is None
    assert mails_of(counts, PUBLISHED) is None
    assert mails_of({"notice": "saved", **counts}, {"state": "draft", "capacity": 18}) is None
    assert mails_of({"notice": "saved", **counts}, {"state": "live", "capacity": 18}) == EditMails(
        time_candidates=2
    )


def test_the_page_drops_every_parameter_a_saved_location_writes():
    """What the event page names as its notice's query (for the address to lose once shown)
    covers all that saved_location writes: a count left behind would outlive its notice."""
    location = saved_location(7, EditMails(time_candidates=1, time_interviewers=2, invited=3, uninvited=4))
    assert set(query_of(location)) == set(NOTICE_QUERY)
