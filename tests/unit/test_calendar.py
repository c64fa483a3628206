"""Calendar entries: RFC 5545 text that a calendar library reads back as it was meant."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.mail.calendar import CalendarEntry, calendar_text
from app.mail.message import mailbox, sender_mailbox

STOCKHOLM = ZoneInfo("Europe/Stockholm")
STARTS = datetime(2026, 12, 4, 14, 0, tzinfo=STOCKHOLM)
ORGANIZER = sender_mailbox("Snabbintervjuer <no-reply@snabbintervjuer.se>")
ATTENDEE = mailbox("asa.oberg@example.se", "Åsa Öberg")
STAMP = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)

ENTRY = CalendarEntry(
    uid="event-7-candidate-42@snabbintervjuer",
    sequence=0,
    method="REQUEST",
    summary="Snabbintervjuer: Säljare till vårt kontor i Växjö",
    description="Din personliga länk: https://example.se/c/abc\nLänken öppnas på dagen.",
    starts_at=STARTS,
    ends_at=STARTS + timedelta(hours=2),
    url="https://example.se/c/abc",
    location="Video (länk i beskrivningen)",
)


def parse(entry: CalendarEntry) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(calendar_text(entry, organizer=ORGANIZER, attendee=ATTENDEE, stamp=STAMP))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_an_invitation_reads_back():
    calendar, event = parse(ENTRY)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == ENTRY.uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == ENTRY.summary
    assert str(event["DESCRIPTION"]) == ENTRY.description
    assert str(event["LOCATION"]) == ENTRY.location
    assert str(event["URL"]) == ENTRY.url
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["ORGANIZER"]) == "mailto:no-reply@snabbintervjuer.se"
    assert str(event["ORGANIZER"].params["CN"]) == "Snabbintervjuer"
    assert str(event["ATTENDEE"]) == "mailto:asa.oberg@example.se"
    assert str(event["ATTENDEE"].params["CN"]) == "Åsa Öberg"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"


def test_times_are_in_swedish_time_with_the_zone_described():
    calendar, event = parse(
        replace(
            ENTRY,
            starts_at=STARTS.astimezone(timezone.utc),
            ends_at=(STARTS + timedelta(hours=2)).astimezone(timezone.utc),
        )
    )
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.hour, start.minute, start.utcoffset()) == (14, 0, timedelta(hours=1))
    assert end - start == timedelta(hours=2)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Stockholm"
    assert {str(part["TZNAME"]) for part in zone.walk() if "TZNAME" in part} == {"CET", "CEST"}


def test_summer_time_is_kept():
    summer = datetime(2026, 6, 5, 9, 0, tzinfo=STOCKHOLM)
    _, event = parse(replace(ENTRY, starts_at=summer, ends_at=summer + timedelta(minutes=30)))
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert event.decoded("DTSTART").astimezone(timezone.utc).hour == 7


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence():
    calendar, event = parse(replace(ENTRY, method="CANCEL", sequence=2))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == ENTRY.uid
    assert int(event["SEQUENCE"]) == 2


def test_lines_are_folded_and_end_in_crlf():
    text = calendar_text(
        replace(ENTRY, summary="Å" * 200), organizer=ORGANIZER, attendee=ATTENDEE, stamp=STAMP
    )
    lines = text.split("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75
    assert "\n" not in text.replace("\r\n", "")
    _, event = parse(replace(ENTRY, summary="Å" * 200))
    assert str(event["SUMMARY"]) == "Å" * 200


@pytest.mark.parametrize(
    "change, message",
    [
        ({"method": "PUBLISH"}, "method"),
        ({"sequence": -1}, "sequence"),
        ({"uid": ""}, "uid"),
        ({"uid": "a\r\nATTENDEE:mailto:x@y.se"}, "uid"),
        ({"starts_at": datetime(2026, 12, 4, 14, 0)}, "timezone-aware"),
        ({"ends_at": STARTS}, "end after"),
    ],
)
def test_a_bad_entry_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        replace(ENTRY, **change)
