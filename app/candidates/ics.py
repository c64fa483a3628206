"""The personal page's "add to calendar" file.

The same UID and SEQUENCE as the entry in the confirmation mail, so a calendar that already
holds that entry updates it rather than adding a second one. METHOD:PUBLISH: a file opened
from a download is an entry to add, not an invitation awaiting a reply.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, Timezone

from app.mail import CalendarEntry
from app.timefmt import SWEDISH_TIME

PRODUCT_ID = "-//Snabbintervjuer//Candidate page//EN"


def calendar_file(entry: CalendarEntry, stamp: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
    event.add("dtstart", entry.starts_at.astimezone(SWEDISH_TIME))
    event.add("dtend", entry.ends_at.astimezone(SWEDISH_TIME))
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    if entry.url:
        event.add("url", entry.url)
        event.add("location", entry.location or entry.url)
    event.add("status", "CONFIRMED")
    calendar.add_component(
        Timezone.from_tzid(
            SWEDISH_TIME.key,
            first_date=dt.date(entry.starts_at.year - 1, 1, 1),
            last_date=dt.date(entry.ends_at.year + 2, 1, 1),
        )
    )
    calendar.add_component(event)
    return calendar.to_ical()
