"""The calendar text written line by line (with each event's own lines kept) is byte for byte
what the icalendar library builds from the same entry: property order, parameter quoting,
RFC 5545 escaping and folding at 75 octets, for several events, languages and time zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email.headerregistry import Address
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from app.events.notify import CALENDAR_DESCRIPTION
from app.i18n import Renderer
from app.mail.calendar import PRODUCT_ID, CalendarEntry, calendar_text, fold
from app.mail.message import mailbox, sender_mailbox
from app.timefmt import SWEDISH_TIME


def built_by_icalendar(
    entry: CalendarEntry, *, organizer: Address, attendee: Address, stamp: datetime
) -> str:
    """The entry as the icalendar library writes it (how calendar_text made it before)."""

    def address(of: Address) -> vCalAddress:
        value = vCalAddress(f"mailto:{of.addr_spec}")
        if of.display_name:
            value.params["CN"] = vText(of.display_name)
        return value

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", entry.method)
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp.astimezone(timezone.utc))
    event.add("dtstart", entry.starts_at.astimezone(SWEDISH_TIME))
    event.add("dtend", entry.ends_at.astimezone(SWEDISH_TIME))
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    event.add("status", "CANCELLED" if entry.method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", address(organizer))
    guest = address(attendee)
    guest.params.update(
        {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"}
    )
    event.add("attendee", guest)
    calendar.add_component(event)
    zone = Timezone.from_tzid(
        SWEDISH_TIME.key,
        first_date=date(entry.starts_at.year - 1, 1, 1),
        last_date=date(entry.ends_at.year + 2, 1, 1),
    )
    text = calendar.to_ical().decode("utf-8")
    at = text.index("BEGIN:VEVENT\r\n")
    return text[:at] + zone.to_ical().decode("utf-8") + text[at:]


ORGANIZER = sender_mailbox("Snabbintervjuer <no-reply@snabbintervjuer.se>")
STAMP = datetime(2026, 11, 20, 9, 30, 12, 345, tzinfo=timezone.utc)
RENDERER = Renderer()

EVENTS = [
    # title, start, minutes: winter and summer time, across a new year, several zones given
    ("Lagerarbetare", datetime(2026, 12, 9, 10, 0, tzinfo=timezone.utc), 120),
    (
        "Säljare till vårt kontor i Växjö, Jönköping; Borås",
        datetime(2027, 6, 5, 9, 15, tzinfo=ZoneInfo("Europe/Stockholm")),
        45,
    ),
    ('Nyårsjobb \\ "kväll"' + " med lång titel" * 8, datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc), 90),
    ("Sommarjobb\nrad två", datetime(2027, 3, 28, 1, 30, tzinfo=ZoneInfo("America/New_York")), 30),
]
CANDIDATES = [
    # display name, address, language
    ("Åsa Öberg", "asa.oberg@example.se", "sv"),
    ("Kim", "kim@example.com", "en"),
    ('Jo "JJ" Smith, Jr.; ^caret: x', "jo@example.org", "en"),
    ("O'Brien", "ob@example.se", "sv"),
    ("", "anon@example.se", "sv"),
    ("Ł" * 40, "long.name.of.someone.who.has.a.long.address@example.se", "sv"),
]


def entries():
    for n, (title, starts, minutes) in enumerate(EVENTS):
        for m, (name, address, language) in enumerate(CANDIDATES):
            link = f"https://intervju.example.se/c/{'abcDEF-_' * (m + 1)}{n}"
            description = RENDERER.gettext(language)(CALENDAR_DESCRIPTION) % {"link": link}
            for method, sequence in (("REQUEST", n), ("CANCEL", n + 1)):
                yield (
                    CalendarEntry(
                        uid=f"event-{n}-candidate-{m}@snabbintervjuer",
                        sequence=sequence,
                        method=method,
                        summary=title,
                        description=description,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=minutes),
                        url=link,
                        location=link,
                    ),
                    mailbox(address, name),
                )


@pytest.mark.parametrize("entry, attendee", list(entries()))
def test_the_written_calendar_is_what_icalendar_builds(entry, attendee):
    expected = built_by_icalendar(entry, organizer=ORGANIZER, attendee=attendee, stamp=STAMP)
    # Twice: the first writes the event's lines, the second takes them from the cache.
    for _ in range(2):
        assert calendar_text(entry, organizer=ORGANIZER, attendee=attendee, stamp=STAMP) == expected


def test_entries_without_description_location_or_url():
    entry, attendee = next(entries())
    bare = replace(entry, description="", url=None, location=None)
    assert calendar_text(bare, organizer=ORGANIZER, attendee=attendee, stamp=STAMP) == built_by_icalendar(
        bare, organizer=ORGANIZER, attendee=attendee, stamp=STAMP
    )


def test_an_other_organizer_is_not_taken_from_the_cache():
    entry, attendee = next(entries())
    other = sender_mailbox("Rekrytering, AB <jobb@example.se>")
    for organizer in (ORGANIZER, other):
        assert calendar_text(
            entry, organizer=organizer, attendee=attendee, stamp=STAMP
        ) == built_by_icalendar(entry, organizer=organizer, attendee=attendee, stamp=STAMP)


@pytest.mark.parametrize(
    "line",
    [
        "DESCRIPTION:" + "a" * 62 + "\\n" + "b" * 100,  # an escape at the fold
        "DESCRIPTION:" + "a" * 61 + "\\,x",
        "ATTENDEE;CN=" + "b" * 61 + "^'x:mailto:x@y.se",  # an RFC 6868 escape at the fold
        "SUMMARY:" + "å" * 80,  # two octets a character
        "SUMMARY:" + "a" * 65 + "€" * 20,  # a character that does not fit
        "SUMMARY:" + "a" * 66,  # 74 octets: not folded
        "SUMMARY:" + "a" * 67,  # 75 octets: folded
    ],
)
def test_folding_is_icalendars(line):
    from icalendar.parser.string import _foldline

    assert fold(line) == _foldline(line)
    assert all(len(piece.encode()) <= 75 for piece in fold(line).split("\r\n"))


def test_folding_of_many_lines_with_escapes_is_icalendars():
    from random import Random

    from icalendar.parser.string import _foldline

    random = Random(5545)
    for _ in range(500):
        line = "".join(random.choice("ab\\^,;é€ ") for _ in range(random.randrange(0, 400)))
        for candidate in (line, line.encode("ascii", "ignore").decode()):
            assert fold(candidate) == _foldline(candidate)
