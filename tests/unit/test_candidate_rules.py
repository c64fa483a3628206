"""The candidates' plain rules: the form, when registration is open, locks, re-sends,
reminders, the device cookie and the calendar download."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from app.candidates import rules
from app.events.tokens import link_token, looks_like_link_token
from app.candidates.ics import calendar_file
from app.link_sessions import CANDIDATE_SESSION
from app.mail import CalendarEntry

NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.timezone.utc)
GOOD = {
    "name": "  Kim   Kandidat ",
    "email": "kim@example.se",
    "phone": "070-123 45 67",
    "language": "en",
    "consent": "yes",
}


def test_a_good_form_gives_a_registration():
    result = rules.parse_registration(GOOD, "sv")
    assert result.errors == {}
    assert result.registration == rules.Registration("Kim Kandidat", "kim@example.se", "070-123 45 67", "en")


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("name", "x" * 201),
        ("name", "Kim\u202eKandidat"),
        ("name", "\u200b"),  # a zero-width space alone: "Hello !" in the mail, a blank in lists
        ("name", "\u200d\u200c ."),
        ("email", ""),
        ("email", "kim@"),
        ("email", "kim example.se"),
        ("email", "a@b.c" + "c" * 260),
        ("phone", "ring mig"),
        ("phone", "1234"),
        ("phone", "+46 70 123 45 67 89 01 23"),
        ("phone", "070\x00123"),
        ("consent", ""),
        ("consent", "no"),
    ],
)
def test_bad_fields_are_named(field, value):
    result = rules.parse_registration(dict(GOOD, **{field: value}), "sv")
    assert field in result.errors and result.registration is None


def test_a_name_in_any_script_with_its_joiners_passes():
    for name in ("Åsa Öberg", "محمد", "Zoë", "林", "X Æ A-12", "Anna\u200dLena"):
        result = rules.parse_registration(dict(GOOD, name=name), "sv")
        assert result.registration is not None and result.registration.name == name


def test_phone_is_optional_and_language_falls_back_to_the_page():
    result = rules.parse_registration(dict(GOOD, phone="", language=""), "sv")
    assert result.registration.phone == "" and result.registration.language == "sv"
    crafted = rules.parse_registration(dict(GOOD, language="de"), "en")
    assert "language" in crafted.errors and crafted.values["language"] == "en"


@pytest.mark.parametrize("phone", ["070-123 45 67", "+46 70 123 45 67", "(08) 123 456", "+46 (0)8-123.456"])
def test_usual_phone_notations_pass(phone):
    errors = {}
    assert rules.clean_phone(phone, errors) == phone and errors == {}


def state(**changes):
    values = dict(
        state="published",
        deleted=False,
        invite_open=True,
        starts_at=NOW + dt.timedelta(days=1),
        duration_minutes=60,
        registered=0,
        capacity=2,
        now=NOW,
    )
    values.update(changes)
    return rules.registration_state(**values)


def test_when_an_event_takes_registrations():
    assert state() == rules.OPEN
    assert state(state="live", starts_at=NOW - dt.timedelta(minutes=10)) == rules.OPEN
    assert state(state="draft") == rules.DRAFT
    assert state(state="cancelled") == rules.CANCELLED
    assert state(deleted=True) == rules.CANCELLED
    assert state(state="finished") == rules.FINISHED
    assert state(starts_at=NOW - dt.timedelta(minutes=60)) == rules.FINISHED
    assert state(invite_open=False) == rules.CLOSED
    assert state(registered=2) == rules.FULL
    # Cancelled beats everything else; closed and full only matter for a coming event.
    assert state(deleted=True, registered=2, invite_open=False) == rules.CANCELLED
    assert state(starts_at=NOW - dt.timedelta(hours=2), registered=2) == rules.FINISHED


def test_pins():
    assert rules.pin_is_well_formed("012345")
    for text in ("12345", "1234567", "12a456", "١٢٣٤٥٦", "", "123456\n"):
        assert not rules.pin_is_well_formed(text)


def test_resends_are_limited_per_hour():
    allowed, start, count = rules.resend_allowed(None, 0, NOW)
    assert (allowed, start, count) == (True, NOW, 1)
    for expected in (2, 3):
        allowed, start, count = rules.resend_allowed(start, count, NOW + dt.timedelta(minutes=5))
        assert allowed and count == expected and start == NOW
    assert not rules.resend_allowed(start, count, NOW + dt.timedelta(minutes=59))[0]
    assert rules.resend_allowed(start, count, NOW + dt.timedelta(minutes=60)) == (
        True,
        NOW + dt.timedelta(minutes=60),
        1,
    )


def test_reminder_due():
    start = NOW + dt.timedelta(hours=10)
    early = NOW - dt.timedelta(days=3)
    assert rules.reminder_is_due(start, early, None, 24, NOW)
    assert not rules.reminder_is_due(start, early, None, 6, NOW)  # not yet
    assert not rules.reminder_is_due(NOW - dt.timedelta(minutes=1), early, None, 24, NOW)  # begun
    assert not rules.reminder_is_due(start, NOW - dt.timedelta(hours=1), None, 24, NOW)  # late
    sent = NOW - dt.timedelta(hours=1)
    assert not rules.reminder_is_due(start, early, sent, 24, NOW)  # never twice
    # Sent for a start two days earlier; the event has since been moved: once more.
    assert rules.reminder_is_due(start, early, NOW - dt.timedelta(days=2), 24, NOW)


def test_the_device_cookie_is_signed_and_expires():
    secret = "s" * 32
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    value = CANDIDATE_SESSION.encode(secret, 42, later)
    assert CANDIDATE_SESSION.decode(secret, value) == 42
    assert CANDIDATE_SESSION.decode("t" * 32, value) is None
    assert (
        CANDIDATE_SESSION.decode(
            secret,
            CANDIDATE_SESSION.encode(secret, 42, dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)),
        )
        is None
    )
    assert (
        CANDIDATE_SESSION.decode(secret, value[:-2]) is None
        and CANDIDATE_SESSION.decode(secret, None) is None
    )
    assert CANDIDATE_SESSION.decode(secret, "x" * 2000) is None
    # Made for one link, it is no session on another (a re-issued link ends the old sessions).
    for_link = CANDIDATE_SESSION.encode(secret, 42, later, "link-token-one")
    assert CANDIDATE_SESSION.decode(secret, for_link, "link-token-one") == 42
    assert CANDIDATE_SESSION.decode(secret, for_link, "link-token-two") is None


def test_the_calendar_download_parses_and_carries_the_mails_uid():
    start = dt.datetime(2026, 12, 4, 13, 0, tzinfo=dt.timezone.utc)
    entry = CalendarEntry(
        uid="event-1-candidate-2@snabbintervjuer",
        sequence=3,
        method="REQUEST",
        summary="Säljare",
        description="Din länk: https://x.se/c/abc",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        url="https://x.se/c/abc",
        location="https://x.se/c/abc",
    )
    calendar = icalendar.Calendar.from_ical(calendar_file(entry, NOW))
    assert str(calendar["METHOD"]) == "PUBLISH"
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["UID"]) == entry.uid and int(event["SEQUENCE"]) == 3
    assert event.decoded("DTSTART") == start and str(event["SUMMARY"]) == "Säljare"
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"


def test_link_tokens():
    assert looks_like_link_token("AbC_-09" * 4)
    assert looks_like_link_token(link_token())
    for text in ("", "x" * 101, "ab\x00cd", "åäö", "a.b", "a/b", "abc\n"):
        assert not looks_like_link_token(text)


@pytest.mark.parametrize("state", ["draft", "published", "live", "finished", "cancelled"])
@pytest.mark.parametrize("deleted", [False, True])
@pytest.mark.parametrize("invite_open", [False, True])
def test_open_until_says_what_registration_state_says_with_room(state, deleted, invite_open):
    # The registration's one-statement way (migrations 0029, 0036) inserts while now < open_until.
    starts = dt.datetime(2026, 12, 4, 13, 0, tzinfo=dt.timezone.utc)
    until = rules.open_until(state, deleted, invite_open, starts, 90)
    for minutes in (-60 * 24 * 30, 0, 89, 90, 91):
        now = starts + dt.timedelta(minutes=minutes)
        is_open = rules.registration_state(state, deleted, invite_open, starts, 90, 0, 1, now) == rules.OPEN
        assert is_open == (until is not None and now < until)
