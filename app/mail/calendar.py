"""Calendar entries for mails: RFC 5545 text that calendar apps add, update and cancel.

A calendar app matches a new message to the entry it already has by UID, and takes it when
its SEQUENCE is higher: so one event gives each recipient one UID for good, and every change
sends the same UID with the next sequence number (RFC 5546: METHOD REQUEST to add or update,
METHOD CANCEL to remove).

The text is written here line by line rather than through the icalendar library: building a
calendar object per mail was most of a registration's time. What is the same for every mail
about an event (the calendar's head, the VTIMEZONE, title, times, sequence, organizer) is
written once and kept; only the recipient's lines (UID, DTSTAMP, ATTENDEE, DESCRIPTION,
LOCATION, URL) are written per mail. The bytes are the ones icalendar writes (property order,
parameter quoting, RFC 5545 escaping and folding at 75 octets): tests/unit/test_calendar.py
compares them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.headerregistry import Address

from icalendar import Timezone

from app.timefmt import SWEDISH_TIME

METHODS = ("REQUEST", "CANCEL")
PRODUCT_ID = "-//Snabbintervjuer//Mail//EN"
# RFC 5545 3.1: a content line is folded before it passes 75 octets.
FOLD_LIMIT = 75
FOLD = "\r\n "
CRLF = "\r\n"
# What the attendee's parameters say besides the name. RSVP=FALSE: no reply is expected
# (RFC 5545 3.2.17; the organizer is the no-reply sender), and Outlook then keeps an Accept
# to itself instead of mailing it. The method stays REQUEST all the same, not PUBLISH (which
# asks no reply at all): mail clients apply a REQUEST or CANCEL to the entry they already
# hold, which keeps a new time or a cancellation in step, while a PUBLISH (with no ATTENDEE,
# RFC 5546 3.2.1) is an import they do not update that way.
# icalendar quotes a name with a space or an apostrophe too (RFC 5545 allows either).
CN_QUOTED = " '"
ATTENDEE_PARAMETERS = "CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable per (event, recipient): app/events/tokens.py calendar_uid
    sequence: int  # grows with every change; a later one replaces the earlier in the calendar
    method: str  # "REQUEST" or "CANCEL"
    summary: str
    description: str
    starts_at: datetime  # timezone-aware
    ends_at: datetime
    url: str | None = None
    location: str | None = None  # e.g. "Video (länk i beskrivningen)"

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
        if self.url is not None and any(c in self.url for c in "\r\n"):
            raise ValueError("a calendar url must be one line")


def escape_text(text: str) -> str:
    """RFC 5545 3.3.11 TEXT: backslash, semicolon and comma escaped, every line break as \\n."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _parameter(value: str, *, quote_also: str = "") -> str:
    """A parameter value: RFC 6868 escapes (^ " and line breaks), double-quoted when it holds
    , ; : or ’ (or one of `quote_also`)."""
    value = (
        value.replace("^", "^^")
        .replace("\r\n", "^n")
        .replace("\n", "^n")
        .replace("\r", "^n")
        .replace('"', "^'")
    )
    if any(c in value for c in ",;:’") or any(c in value for c in quote_also):
        return f'"{value}"'
    return value


def fold(line: str) -> str:
    """One content line folded into pieces of at most 74 octets, each continuation starting
    with a space; a backslash or ^ escape is not split from the character it escapes."""
    if line.isascii():
        return _fold_ascii(line)
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = 1 if char < "\x80" else len(char.encode("utf-8"))
        if current and size + width >= FOLD_LIMIT:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current, size = [carried], 1
            else:
                pieces.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return FOLD.join(pieces)


def _fold_ascii(line: str) -> str:
    """fold() where every character is one octet: pieces of 74, one shorter where it would
    end in an escape's backslash or ^."""
    pieces = []
    start, width = 0, FOLD_LIMIT - 1
    while len(line) - start > width:
        end = start + width
        if line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return FOLD.join(pieces)


def _address(name: str, address: Address, parameters: str = "") -> str:
    """ORGANIZER or ATTENDEE: the display name as CN, then the other parameters (sorted by
    name, as CN sorts before them), then the mailto: value."""
    return _address_of(name, address.display_name, address.addr_spec, parameters)


def _address_of(name: str, display_name: str, addr_spec: str, parameters: str) -> str:
    params = [f"CN={_parameter(display_name, quote_also=CN_QUOTED)}"] if display_name else []
    if parameters:
        params.append(parameters)
    head = ";".join([name, *params])
    return fold(f"{head}:mailto:{addr_spec}")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


@functools.lru_cache(maxsize=16)
def _swedish_timezone_of_years(first_year: int, last_year: int) -> str:
    """The VTIMEZONE text, the same for every mail about events in these years. The
    transitions around the event suffice; the full 1970–2038 table is 5 kB of RDATEs."""
    zone = Timezone.from_tzid(
        SWEDISH_TIME.key, first_date=date(first_year - 1, 1, 1), last_date=date(last_year + 2, 1, 1)
    )
    return zone.to_ical().decode("utf-8")


def _event_lines(entry: CalendarEntry, organizer: Address) -> tuple[str, str, str]:
    """The lines every recipient of one version of an event gets: up to DTEND, the SEQUENCE
    line, and ORGANIZER to TRANSP (the recipient's lines go between)."""
    # The years as the entry gives them (they pick the VTIMEZONE's range), beside the
    # instants, which compare equal across zones.
    return _event_lines_of(
        entry.method,
        entry.summary,
        entry.starts_at,
        entry.ends_at,
        entry.starts_at.year,
        entry.ends_at.year,
        entry.sequence,
        organizer.display_name,
        organizer.addr_spec,
    )


@functools.lru_cache(maxsize=256)
def _event_lines_of(
    method: str,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    first_year: int,
    last_year: int,
    sequence: int,
    organizer_name: str,
    organizer_address: str,
) -> tuple[str, str, str]:
    start, end = starts_at.astimezone(SWEDISH_TIME), ends_at.astimezone(SWEDISH_TIME)
    zone = f"TZID={_parameter(SWEDISH_TIME.key)}"
    head = (
        CRLF.join(
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                f"PRODID:{fold(escape_text(PRODUCT_ID))}",
                "CALSCALE:GREGORIAN",
                f"METHOD:{method}",
            ]
        )
        + CRLF
    )
    head += _swedish_timezone_of_years(first_year, last_year)
    head += (
        CRLF.join(
            [
                "BEGIN:VEVENT",
                fold(f"SUMMARY:{escape_text(summary)}"),
                f"DTSTART;{zone}:{_stamp(start)}",
                f"DTEND;{zone}:{_stamp(end)}",
            ]
        )
        + CRLF
    )
    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
    tail = (
        CRLF.join(
            [
                _address_of("ORGANIZER", organizer_name, organizer_address, ""),
                f"STATUS:{status}",
                "TRANSP:OPAQUE",
            ]
        )
        + CRLF
    )
    return head, f"SEQUENCE:{sequence}{CRLF}", tail


def calendar_text(entry: CalendarEntry, *, organizer: Address, attendee: Address, stamp: datetime) -> str:
    """The VCALENDAR for one recipient; `stamp` (DTSTAMP) is when this version was made.
    Times are in Swedish time with its VTIMEZONE: the event is in Sweden, and a calendar
    app in another zone still converts it right. Properties in icalendar's order: SUMMARY,
    DTSTART, DTEND, DTSTAMP, UID, SEQUENCE, then the rest by name."""
    head, sequence, tail = _event_lines(entry, organizer)
    lines = [
        head,
        f"DTSTAMP:{_stamp(stamp.astimezone(timezone.utc))}Z{CRLF}",
        fold(f"UID:{escape_text(entry.uid)}") + CRLF,
        sequence,
        _address("ATTENDEE", attendee, ATTENDEE_PARAMETERS) + CRLF,
    ]
    if entry.description:
        lines.append(fold(f"DESCRIPTION:{escape_text(entry.description)}") + CRLF)
    if entry.location:
        lines.append(fold(f"LOCATION:{escape_text(entry.location)}") + CRLF)
    lines.append(tail)
    if entry.url:
        lines.append(fold(f"URL:{entry.url}") + CRLF)
    lines.append(f"END:VEVENT{CRLF}END:VCALENDAR{CRLF}")
    return "".join(lines)
