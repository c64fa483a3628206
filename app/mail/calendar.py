"""Calendar entries for mails: RFC 5545 text that calendar apps add, update and cancel.

A calendar app matches a new message to the entry it already has by UID, and takes it when
its SEQUENCE is higher: so one event gives each recipient one UID for good, and every change
sends the same UID with the next sequence number (RFC 5546: METHOD REQUEST to add or update,
METHOD CANCEL to remove).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.headerregistry import Address

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from app.timefmt import SWEDISH_TIME

METHODS = ("REQUEST", "CANCEL")
PRODUCT_ID = "-//Snabbintervjuer//Mail//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str                 # stable per (event, recipient): "event-<id>-<kind>-<recipient id>@snabbintervjuer"
    sequence: int            # grows with every change; a later one replaces the earlier in the calendar
    method: str              # "REQUEST" or "CANCEL"
    summary: str
    description: str
    starts_at: datetime      # timezone-aware
    ends_at: datetime
    url: str | None = None
    location: str | None = None   # e.g. "Video (länk i beskrivningen)"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"calendar method must be one of {METHODS}, not {self.method!r}")
        if not self.uid or len(self.uid) > 250 or any(c in self.uid for c in "\r\n"):
            raise ValueError("calendar uid must be one line of at most 250 characters")
        if self.sequence < 0:
            raise ValueError("calendar sequence cannot be negative")
        for moment in (self.starts_at, self.ends_at):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError("calendar times must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("a calendar entry must end after it starts")


def _calendar_address(address: Address) -> vCalAddress:
    value = vCalAddress(f"mailto:{address.addr_spec}")
    if address.display_name:
        value.params["CN"] = vText(address.display_name)
    return value


def _swedish_timezone(entry: CalendarEntry) -> str:
    return _swedish_timezone_of_years(entry.starts_at.year, entry.ends_at.year)


@functools.lru_cache(maxsize=16)
def _swedish_timezone_of_years(first_year: int, last_year: int) -> str:
    """The VTIMEZONE text, the same for every mail about events in these years: made once
    (building and writing it out took most of a registration's time). The transitions
    around the event suffice; the full 1970–2038 table is 5 kB of RDATEs."""
    zone = Timezone.from_tzid(SWEDISH_TIME.key, first_date=date(first_year - 1, 1, 1),
                              last_date=date(last_year + 2, 1, 1))
    return zone.to_ical().decode("utf-8")


def calendar_text(entry: CalendarEntry, *, organizer: Address, attendee: Address,
                  stamp: datetime) -> str:
    """The VCALENDAR for one recipient; `stamp` (DTSTAMP) is when this version was made."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", entry.method)

    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp.astimezone(timezone.utc))
    # In Swedish time with its VTIMEZONE: the event is in Sweden, and a calendar app in
    # another zone still converts it right.
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
    event.add("organizer", _calendar_address(organizer))
    guest = _calendar_address(attendee)
    guest.params.update({"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT",
                         "PARTSTAT": "NEEDS-ACTION",
                         # Replies would go to a no-reply address: ask for none.
                         "RSVP": "FALSE"})
    event.add("attendee", guest)

    calendar.add_component(event)
    # The time zone goes before the event, as calendar.add_component would put it.
    text = calendar.to_ical().decode("utf-8")
    at = text.index("BEGIN:VEVENT\r\n")
    return text[:at] + _swedish_timezone(entry) + text[at:]
