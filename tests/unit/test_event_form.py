from __future__ import annotations

import datetime as dt

import pytest

from app.events.form import differing_fields, is_stale, parse_event_form
from app.events.rules import SWEDISH_TIME, interview_slots, years_after

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone.utc)
GOOD = {
    "title": "Lagermedarbetare",
    "job_description": "Plock och pack.\n\nHeltid.",
    "date": "2026-12-04",
    "start_time": "14:00",
    "duration_minutes": "60",
    "interview_minutes": "10",
    "capacity": "18",
    "language": "sv",
}


def parse(changes=None, lists=None, **kwargs):
    return parse_event_form({**GOOD, **(changes or {})}, lists or {}, now=NOW, **kwargs)


def test_interview_slots_example_from_the_issue():
    assert interview_slots(60, 10, 3) == 18
    assert interview_slots(65, 10, 2) == 12
    assert interview_slots(60, 0, 3) == 0


def test_a_good_form_gives_an_event_in_swedish_time():
    result = parse(
        lists={
            "question": ["Berätta om dig själv", "  ", ""],
            "attribute": ["Noggrann"],
            "interviewer_email": ["Anna@Example.se", ""],
            "interviewer_name": ["Anna", ""],
        }
    )
    assert result.errors == {}
    event = result.event
    assert event.starts_at == dt.datetime(2026, 12, 4, 14, 0, tzinfo=SWEDISH_TIME)
    assert event.starts_at.utcoffset() == dt.timedelta(hours=1)  # CET in December
    assert event.questions == ["Berätta om dig själv"]
    assert event.interviewers == [("Anna@Example.se", "Anna")]


def test_summer_time_is_respected():
    result = parse({"date": "2027-06-10"})
    assert result.event.starts_at.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"date": "4/12/2026"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-11-25"}, "date"),  # in the past
        ({"start_time": "25:00"}, "start_time"),
        ({"start_time": ""}, "start_time"),
        ({"duration_minutes": "abc"}, "duration_minutes"),
        ({"duration_minutes": "2"}, "duration_minutes"),
        ({"duration_minutes": "5", "interview_minutes": "10"}, "duration_minutes"),
        ({"interview_minutes": "0"}, "interview_minutes"),
        ({"capacity": "-1"}, "capacity"),
        ({"capacity": "1e3"}, "capacity"),
        ({"language": "de"}, "language"),
        ({"job_description": "x" * 20001}, "job_description"),
    ],
)
def test_bad_fields_are_named(changes, field):
    result = parse(changes)
    assert result.event is None and field in result.errors
    assert result.values["title"] == {**GOOD, **changes}["title"].strip()  # input is kept


def test_limits_on_questions_attributes_and_interviewers():
    assert "questions" in parse(lists={"question": [f"q{i}" for i in range(21)]}).errors
    assert "questions" not in parse(lists={"question": [f"q{i}" for i in range(20)]}).errors
    assert "attributes" in parse(lists={"attribute": [f"a{i}" for i in range(21)]}).errors
    assert "attributes" in parse(lists={"attribute": ["x" * 201]}).errors
    assert "interviewers" in parse(lists={"interviewer_email": ["not-an-address"]}).errors
    assert "interviewers" in parse(lists={"interviewer_email": ["a@b.se", "A@B.se"]}).errors
    assert (
        "interviewers" in parse(lists={"interviewer_email": [""], "interviewer_name": ["Only a name"]}).errors
    )


def test_capacity_cannot_go_below_the_registered():
    result = parse({"capacity": "5"}, registered=6)
    assert result.errors["capacity"][1] == {"count": 6}
    assert parse({"capacity": "6"}, registered=6).event is not None


def test_an_unchanged_past_start_may_be_kept_when_editing():
    past = dt.datetime(2026, 11, 20, 14, 0, tzinfo=SWEDISH_TIME)
    result = parse({"date": "2026-11-20"}, previous_start=past)
    assert result.event is not None
    assert "date" in parse({"date": "2026-11-21"}, previous_start=past).errors


@pytest.mark.parametrize(
    "changes, lists, field",
    [
        ({"title": "a\x00b"}, {}, "title"),
        ({"job_description": "rad ett\n\trad två\x00"}, {}, "job_description"),
        ({}, {"question": ["fråga\x00"]}, "questions"),
        ({}, {"attribute": ["\u202eevil"]}, "attributes"),
        ({}, {"interviewer_email": ["a@example.se"], "interviewer_name": ["A\x00"]}, "interviewers"),
    ],
)
def test_control_characters_are_refused(changes, lists, field):
    assert field in parse(changes, lists).errors


def test_line_breaks_are_fine_in_the_job_description():
    assert parse({"job_description": "Rad ett\r\n\r\n\tRad två\u2028Rad tre\u2029"}).event is not None


@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\x85", "\u2028", "\u2029"])
def test_line_breaks_in_a_title_are_refused(line_break):
    assert "title" in parse({"title": f"Säljare{line_break}Bcc: x@evil.example"}).errors


@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\x85", "\u2028", "\u2029", "\x1e"])
def test_an_interviewer_name_becomes_one_line(line_break):
    result = parse(
        lists={
            "interviewer_email": ["anna@example.se"],
            "interviewer_name": [f" Anna{line_break}Reply-To: x@evil.example "],
        }
    )
    assert result.event.interviewers == [("anna@example.se", "Anna Reply-To: x@evil.example")]


def test_other_control_characters_in_an_interviewer_name_are_named_as_such():
    result = parse(lists={"interviewer_email": ["anna@example.se"], "interviewer_name": ["Anna\x1b[31m"]})
    assert result.errors["interviewers"] == (
        "This holds a hidden character, often from pasted text: type it in again.",
        {"row": 1, "part": "name"},  # the input the form marks and the error summary links to
    )


@pytest.mark.parametrize(
    "address",
    [
        "å@example.se",
        "a@b..se",
        "a..b@example.se",
        "a@[1.2.3.4].se",
        "a\x00b@example.se",
        "a b@example.se",
        "=?utf-8?q?a?=@example.se",
    ],
)
def test_only_addresses_the_mailer_can_send_to(address):
    assert "interviewers" in parse(lists={"interviewer_email": [address]}).errors


def test_an_international_domain_is_stored_in_ascii():
    result = parse(lists={"interviewer_email": ["anna@exempel-åäö.se"]})
    assert result.event.interviewers == [("anna@xn--exempel--7zaj2q.se", "")]
    # … and shown again as written when the form comes back.
    assert result.values["interviewers"] == [{"email": "anna@exempel-åäö.se", "name": ""}]


def test_dates_far_ahead_are_refused():
    assert "date" in parse({"date": "9999-12-31"}).errors
    # Two years from the day, not from the year's start: 26 November 2028 at most.
    assert "date" in parse({"date": "2028-11-27"}).errors
    assert parse({"date": "2028-11-26"}).event is not None


def test_two_years_after_a_leap_day_is_the_28th():
    assert years_after(dt.date(2028, 2, 29), 2) == dt.date(2030, 2, 28)
    assert years_after(dt.date(2027, 1, 31), 2) == dt.date(2029, 1, 31)


def test_a_time_skipped_by_summer_time_is_refused():
    assert "start_time" in parse({"date": "2027-03-28", "start_time": "02:30"}).errors
    assert parse({"date": "2027-03-28", "start_time": "03:30"}).event is not None
    # The hour that comes twice in October cannot be told apart in the form: said, not
    # taken silently as the first of the two.
    assert "start_time" in parse({"date": "2027-10-31", "start_time": "02:30"}).errors
    assert parse({"date": "2027-10-31", "start_time": "03:00"}).event is not None
    assert parse({"date": "2027-10-31", "start_time": "01:59"}).event is not None


def test_a_title_of_zero_width_characters_alone_is_asked_for():
    assert parse({"title": "\u200b\u200b"}).errors["title"] == ("Enter a title.", {})
    # Symbols show: a title of them is the organizer's choice.
    assert parse({"title": "★★★"}).event is not None and parse({"title": "🎤"}).event is not None


def test_two_years_ahead_counts_from_the_swedish_date():
    # 31 December 23:30 UTC is already 1 January in Sweden: two years from that day.
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.timezone.utc)
    form = {**GOOD, "date": "2029-01-01"}
    assert parse_event_form(form, {}, now=late).event is not None
    assert "date" in parse_event_form({**form, "date": "2029-01-02"}, {}, now=late).errors


def test_a_job_description_is_counted_with_line_breaks_as_the_browser_counts_them():
    # 19,990 characters in the browser's count, 20,990 as CR LF on the wire.
    text = "\r\n".join(["x" * 19] * 1000)[:20990]
    result = parse({"job_description": text})
    assert result.event is not None and "\r" not in result.values["job_description"]


@pytest.mark.parametrize("start_time", ["00:00", "00:30", "01:00"])
def test_the_first_day_of_year_one_is_refused_as_past_not_an_overflow(start_time):
    """A date picker accepts 0001-01-01; in UTC its first hours are in year 0, which
    datetime cannot hold (an OverflowError, a 500, before the past-date check)."""
    result = parse({"date": "0001-01-01", "start_time": start_time})
    assert set(result.errors) == {"date"}
    assert result.errors["date"][0] == "That date and time have already passed."


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"date": ""}, "date", "Enter the date."),
        ({"date": "  "}, "date", "Enter the date."),
        ({"date": "4/12/2026"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"start_time": ""}, "start_time", "Enter the start time."),
        ({"start_time": "2 pm"}, "start_time", "Enter a start time as HH:MM."),
    ],
)
def test_an_empty_date_or_time_is_asked_for_and_only_a_malformed_one_told_the_format(changes, field, message):
    result = parse(changes)
    assert result.event is None
    assert result.errors[field][0] == message


@pytest.mark.parametrize("needs", ["publish", "published"])
def test_an_event_to_be_published_needs_an_interviewer(needs):
    """A published event's invite link takes registrations: someone must interview them."""
    blank = {"interviewer_email": ["", " "], "interviewer_name": ["", ""]}
    result = parse(lists=blank, needs_interviewer=needs)
    assert result.event is None and set(result.errors) == {"interviewers"}
    assert "at least one interviewer" in result.errors["interviewers"][0]
    one = {"interviewer_email": ["anna@example.se"], "interviewer_name": [""]}
    assert parse(lists=one, needs_interviewer=needs).event is not None
    # A draft may have none.
    assert parse(lists=blank).event is not None


def test_a_bad_interviewer_row_keeps_its_own_message_when_publishing():
    result = parse(lists={"interviewer_email": ["inte-en-adress"]}, needs_interviewer="publish")
    assert result.errors["interviewers"][0] == "“%(address)s” is not an e-mail address."


def test_a_name_without_its_address_is_asked_for_the_address_not_called_one():
    result = parse(lists={"interviewer_email": [""], "interviewer_name": ["Karin Ek"]})
    assert result.errors["interviewers"] == (
        "Enter the e-mail address of %(name)s.",
        {"name": "Karin Ek", "row": 1, "part": "email"},
    )


def test_every_interviewer_row_with_a_fault_has_its_error_at_once():
    result = parse(
        lists={
            "interviewer_email": ["not-an-email", "", "ok@example.se", "OK@example.se"],
            "interviewer_name": ["", "Bara Namn", "", ""],
        }
    )
    assert result.event is None
    assert result.errors == {
        "interviewers": (
            "“%(address)s” is not an e-mail address.",
            {"address": "not-an-email", "row": 1, "part": "email"},
        ),
        "interviewers_2": (
            "Enter the e-mail address of %(name)s.",
            {"name": "Bara Namn", "row": 2, "part": "email"},
        ),
        "interviewers_3": (
            "%(address)s is listed twice.",
            {"address": "OK@example.se", "row": 4, "part": "email"},
        ),
    }


def test_an_interviewer_name_of_zero_width_characters_alone_is_no_name():
    result = parse(lists={"interviewer_email": ["a@example.se"], "interviewer_name": ["\u200b\u200d"]})
    assert result.event is not None and result.event.interviewers == [("a@example.se", "")]


def test_an_edit_form_is_current_only_with_the_events_own_version():
    assert not is_stale("3", 3) and not is_stale(" 3 ", 3)
    # Made before a save, or naming no version (a form from before versions), or not a plain
    # number: saving it could undo what it never showed.
    for sent in ("2", "4", None, "", "x", "-3", "+3", "3.0", "٣", "1" * 400):
        assert is_stale(sent, 3), sent


def test_a_refused_forms_differing_fields_are_those_a_save_would_change_in_the_forms_order():
    now = {
        "title": "Lager",
        "job_description": "Text",
        "date": "2026-12-12",
        "start_time": "09:00",
        "duration_minutes": "60",
        "interview_minutes": "10",
        "capacity": "30",
        "language": "sv",
        "questions": ["Q1", "Q2"],
        "attributes": [],
        "interviewers": [{"email": "Anna@Example.se", "name": "Anna"}],
    }
    assert differing_fields(dict(now), now) == []
    # An address in another case is the same address; a question reordered is a change.
    yours = now | {
        "capacity": "31",
        "questions": ["Q2", "Q1"],
        "interviewers": [{"email": "anna@example.se", "name": "Anna"}],
        "title": " Lager ",
    }
    assert differing_fields(yours, now) == ["capacity", "questions"]
    assert differing_fields(now | {"interviewers": [], "language": "en"}, now) == ["language", "interviewers"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("capacity", "1_0"),
        ("duration_minutes", "٦٠"),
        ("interview_minutes", "１０"),
        ("capacity", "+18"),
        ("capacity", "1" * 40),
        ("start_time", "14:00+05:00"),
        ("start_time", "1400"),
        ("start_time", "14"),
        ("date", "20261204"),
        ("date", "2026-W49-5"),
        ("date", "٢٠٢٦-١٢-٠٤"),
    ],
)
def test_numbers_dates_and_times_only_as_their_fields_send_them(field, value):
    """Forms a browser's fields never send are refused, not read as something else (int()
    and fromisoformat take these, and an offset would be dropped unseen)."""
    result = parse({field: value})
    assert result.event is None and field in result.errors
    assert parse({"start_time": "14:00:00"}).event is not None  # a time field with seconds


def test_a_name_sent_without_its_address_is_refused_not_dropped():
    result = parse(lists={"interviewer_email": ["anna@example.se"], "interviewer_name": ["Anna", "Bertil"]})
    assert result.event is None and "interviewers" in result.errors
    assert [person["name"] for person in result.values["interviewers"]] == ["Anna", "Bertil"]
