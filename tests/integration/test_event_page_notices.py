"""The event page's notices, read from the query of the address an action redirected to: each
from its own parameter, and each naming the parameters it came from, for the page to drop
them from its address once shown (the browser side: tests/browser/test_notice_shown_once.py)."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_events import create_event

NOTICE = re.compile(r'<p class="notice" role="status" data-query-notice="([^"]*)">(.*?)</p>', re.S)


async def notices_at(http, address: str) -> list[tuple[str, str]]:
    """(the parameters it names, its text) of each notice of the page."""
    async with http.get(address) as response:
        assert response.status == 200
        page = await response.text()
    return [(names, " ".join(text.split())) for names, text in NOTICE.findall(page)]


async def test_each_notice_names_the_parameters_it_was_read_from(employer, base_url):
    http, _ = employer
    await http.get(f"{base_url}/lang/en")
    event_id = await create_event(http, base_url, action="publish")
    counts = "candidates_told_time=2&interviewers_told_time=1&interviewers_invited=1&interviewers_uninvited=1"
    query = f"notice=saved&{counts}&candidates=invite_closed&interviewers=unlocked&page=1"
    saved, interviewers, candidates = await notices_at(http, f"{base_url}/events/{event_id}?{query}")
    assert (
        saved[0]
        == "notice candidates_told_time interviewers_told_time interviewers_invited interviewers_uninvited"
    )
    assert saved[1].startswith("Your changes were saved. The new time is mailed to 2 candidates")
    assert interviewers == ("interviewers", "The meeting link is open to new devices again.")
    assert candidates == ("candidates", "The invite link has been closed.")
    # The events list's notice comes from its `notice` alone.
    assert await notices_at(http, f"{base_url}/events?notice=deleted_draft") == [
        ("notice", "The draft was deleted.")
    ]


@pytest.mark.parametrize(
    "query",
    [
        # Names that end in a notice's name are other parameters, not the notice.
        "time_candidates=invite_closed",
        "old_interviewers=unlocked",
        "q=x&xcandidates=removed",
        # A search for the words of a notice is a search.
        "q=candidates%3Dremoved",
        # A word no action writes.
        "candidates=hacked",
        "interviewers=removed",
    ],
)
async def test_a_notice_is_read_from_its_own_parameter_only(employer, base_url, query):
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish")
    async with http.get(f"{base_url}/events/{event_id}?{query}") as response:
        assert response.status == 200
        assert '<p class="notice" role="status"' not in await response.text()


async def test_a_notice_after_the_list_place_is_read_too(employer, base_url):
    """An action on a searched page of registrations comes back there (candidate_admin.py
    back_to_event): its notice among the search's parameters."""
    http, _ = employer
    await http.get(f"{base_url}/lang/en")
    event_id = await create_event(http, base_url, action="publish")
    found = await notices_at(http, f"{base_url}/events/{event_id}?q=Anna&candidates=invite_opened&page=1")
    assert found == [("candidates", "The invite link is open again.")]
