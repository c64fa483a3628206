"""What an edit of a published event mails, as the organizer is told it after saving, and the
calendar entries those mails carry: named as what they are, with the employer."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.events.notify import CALENDAR_SUMMARY
from app.i18n import load_translations
from tests import factories
from tests.forms import edit_form_of
from tests.integration.test_events import IN_A_WEEK, create_event, event_form
from tests.mails import calendar_event, text_of, unique_email, wait_for_mail

SAVED = {"sv": "Dina ändringar har sparats.", "en": "Your changes were saved."}


async def save_edit(http, base_url: str, event_id: int, *people: tuple[str, str], **changes) -> str:
    """The edit form saved with `changes` and the interviewers `people` (e-mail, name), if
    any: where the save redirects to."""
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    if people:
        changes |= {"interviewer_email": [p[0] for p in people], "interviewer_name": [p[1] for p in people]}
    form = event_form(csrf, edit_version=version, **changes)
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
        return response.headers["Location"]


async def notice_at(http, base_url: str, location: str) -> str:
    """The notice of the page a save redirected to."""
    async with http.get(base_url + location) as response:
        assert response.status == 200
        return notice_of(await response.text())


def notice_of(page: str) -> str:
    """The text of the page's notice, its whitespace as a reader hears it."""
    found = re.search(r'<p class="notice" role="status"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no notice on the page"
    return " ".join(found[1].split())


async def published_with_two_candidates(http, base_url, db, anna: str, bo: str) -> int:
    people = {"interviewer_email": [anna, bo], "interviewer_name": ["Anna", "Bo"]}
    event_id = await create_event(http, base_url, action="publish", **people)
    await factories.add_candidate(db, event_id, name="Kim", email=unique_email("kim"))
    await factories.add_candidate(db, event_id, name="Sam", email=unique_email("sam"), language="en")
    return event_id


async def test_a_new_time_says_how_many_candidates_and_interviewers_were_mailed(employer, base_url, db):
    http, _ = employer
    anna, bo = unique_email("anna"), unique_email("bo")
    event_id = await published_with_two_candidates(http, base_url, db, anna, bo)
    later = (IN_A_WEEK + dt.timedelta(days=1)).isoformat()
    location = await save_edit(http, base_url, event_id, (anna, "Anna"), (bo, "Bo"), date=later)
    # Counts only: no name or address in the URL.
    assert location == (f"/events/{event_id}?notice=saved&candidates_told_time=2&interviewers_told_time=2")
    await http.get(f"{base_url}/lang/en")
    assert (
        await notice_at(http, base_url, location)
        == "Your changes were saved. The new time is mailed to 2 candidates and 2 interviewers."
    )
    await http.get(f"{base_url}/lang/sv")
    assert (await notice_at(http, base_url, location)).startswith(SAVED["sv"] + " ")


async def test_interviewers_added_and_removed_are_told_of_with_the_new_time(employer, base_url, db, settings):
    """Cecilia added gets an invitation (at the new time, not a mail of the change), Bo
    taken off a cancellation: the notice says so, each in its own sentence."""
    http, _ = employer
    anna, bo, cecilia = unique_email("anna"), unique_email("bo"), unique_email("cecilia")
    event_id = await published_with_two_candidates(http, base_url, db, anna, bo)
    await http.get(f"{base_url}/lang/en")
    location = await save_edit(
        http, base_url, event_id, (anna, "Anna"), (cecilia, "Cecilia"), start_time="09:30"
    )
    assert parse_qs(urlsplit(location).query) == {
        "notice": ["saved"],
        "candidates_told_time": ["2"],
        "interviewers_told_time": ["1"],
        "interviewers_invited": ["1"],
        "interviewers_uninvited": ["1"],
    }
    assert await notice_at(http, base_url, location) == (
        "Your changes were saved. The new time is mailed to 2 candidates and 1 interviewer."
        " The interviewer you added gets an invitation with a personal meeting link and code by mail."
        " The interviewer you removed gets a cancellation by mail."
    )
    # What the notice says went out did.
    await wait_for_mail(settings.mail.catcher_dir, anna, subject="Ny tid")
    await wait_for_mail(settings.mail.catcher_dir, bo, subject="inte längre intervjuare")
    await wait_for_mail(settings.mail.catcher_dir, cecilia, subject="intervjuare")


async def test_interviewers_alone_changed_and_the_plural_forms(employer, base_url, db):
    """No new time: only the invitations and cancellations are told, two of each."""
    http, _ = employer
    anna, bo = unique_email("anna"), unique_email("bo")
    event_id = await published_with_two_candidates(http, base_url, db, anna, bo)
    new = [unique_email("cecilia"), unique_email("dan")]
    await http.get(f"{base_url}/lang/en")
    location = await save_edit(http, base_url, event_id, (new[0], "Cecilia"), (new[1], "Dan"))
    assert "told_time" not in location
    assert await notice_at(http, base_url, location) == (
        "Your changes were saved."
        " The 2 interviewers you added get invitations with personal meeting links and codes by mail."
        " The 2 interviewers you removed get a cancellation each by mail."
    )


async def test_a_new_time_for_interviewers_alone(employer, base_url, db):
    """Nobody registered yet: the new time went to the interviewers only, and says so."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish")
    await http.get(f"{base_url}/lang/en")
    location = await save_edit(http, base_url, event_id, duration_minutes="90")
    assert location == f"/events/{event_id}?notice=saved&interviewers_told_time=1"
    assert await notice_at(http, base_url, location) == (
        "Your changes were saved. The new time is mailed to 1 interviewer."
    )


async def test_an_edit_that_mails_nobody_says_only_saved(employer, base_url, db):
    http, _ = employer
    anna, bo = unique_email("anna"), unique_email("bo")
    event_id = await published_with_two_candidates(http, base_url, db, anna, bo)
    location = await save_edit(http, base_url, event_id, (anna, "A"), (bo, "B"), title="Säljare till Lund")
    assert location == f"/events/{event_id}?notice=saved"
    assert await notice_at(http, base_url, location) == SAVED["sv"]
    # A draft mails nobody, whatever changes.
    draft = await create_event(http, base_url)
    assert await save_edit(http, base_url, draft, start_time="10:00") == f"/events/{draft}?notice=saved"


@pytest.mark.parametrize(
    "query",
    [
        "candidates_told_time=-2",
        "candidates_told_time=1e3",
        "candidates_told_time=0",
        "candidates_told_time=02",
        "candidates_told_time=١",  # an Arabic-Indic digit: str.isdigit, not a count
        "candidates_told_time=19",  # more than the event can hold (18)
        "candidates_told_time=99999999999999999999999",
        "interviewers_invited=51",  # more than an event can have
        "interviewers_told_time=2&interviewers_uninvited=x",
        "candidates_told_time=%00",
        "candidates_told_time=<b>2</b>",
    ],
)
async def test_a_made_up_count_shows_the_plain_notice(employer, base_url, db, query):
    http, _ = employer
    anna, bo = unique_email("anna"), unique_email("bo")
    event_id = await published_with_two_candidates(http, base_url, db, anna, bo)
    async with http.get(f"{base_url}/events/{event_id}?notice=saved&{query}") as response:
        assert response.status == 200
        page = await response.text()
    assert notice_of(page) == SAVED["sv"]
    assert "<b>2" not in page


async def test_counts_for_a_draft_or_another_notice_are_not_told(employer, base_url, db):
    http, _ = employer
    draft = await create_event(http, base_url)
    await http.get(f"{base_url}/lang/en")
    async with http.get(f"{base_url}/events/{draft}?notice=saved&candidates_told_time=2") as response:
        page = await response.text()
    assert notice_of(page) == SAVED["en"]
    published = await create_event(http, base_url, action="publish")
    async with http.get(f"{base_url}/events/{published}?notice=published&interviewers_invited=1") as response:
        page = await response.text()
    assert notice_of(page) == "The event is published. The interviewers get their personal links by mail."
    assert "you added" not in page


async def test_the_calendar_entries_say_what_they_are_and_with_whom(employer, base_url, db, settings):
    """In a calendar beside everything else, the entry names the speed interview and the
    employer, in the recipient's language; the interviewer's says they are interviewing.
    No reply is asked for (the organizer is a no-reply address); a new time keeps the UID
    with a higher SEQUENCE and the same title."""
    http, user = employer
    anna, bo = unique_email("anna"), unique_email("bo")
    event_id = await published_with_two_candidates(http, base_url, db, anna, bo)
    organization = await db.fetchval("SELECT name FROM organization WHERE id = $1", user["organization_id"])
    names = {"title": "Säljare till Malmö", "organization": organization}
    [invitation] = await wait_for_mail(settings.mail.catcher_dir, anna)
    entry = calendar_event(invitation)
    swedish = load_translations("sv").gettext
    assert str(entry["SUMMARY"]) == swedish(CALENDAR_SUMMARY["interviewer"]) % names
    assert entry["ATTENDEE"].params["RSVP"] == "FALSE"
    # Sam reads English: hers says so in English, whatever the event's language.
    sam = await db.fetchrow("SELECT email FROM candidate WHERE event_id = $1 AND name = 'Sam'", event_id)
    await save_edit(http, base_url, event_id, (anna, "A"), (bo, "B"), start_time="15:00")
    [moved] = await wait_for_mail(settings.mail.catcher_dir, sam["email"], subject="New time")
    moved_entry = calendar_event(moved)
    assert str(moved_entry["SUMMARY"]) == f"Speed interview: Säljare till Malmö ({organization})"
    assert moved_entry["ATTENDEE"].params["RSVP"] == "FALSE"
    [anna_moved] = await wait_for_mail(settings.mail.catcher_dir, anna, subject="Ny tid")
    again = calendar_event(anna_moved)
    assert again["UID"] == entry["UID"] and int(again["SEQUENCE"]) > int(entry["SEQUENCE"])
    assert str(again["SUMMARY"]) == str(entry["SUMMARY"])
    assert "15:00" in text_of(anna_moved)
