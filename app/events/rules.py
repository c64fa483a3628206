"""Plain rules about events, without I/O."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping
from zoneinfo import ZoneInfo

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")
MAX_QUESTIONS = 20
MAX_ATTRIBUTES = 20
MAX_INTERVIEWERS = 50
# Interviewer invitations one organization may have mailed within a day: a signed-up account
# must not make the service mail any number of addresses of its choosing (colleague
# invitations and the public mail forms are limited likewise). A busy organization's day,
# several events with their interviewers, stays far below it.
INVITATIONS_PER_DAY = 200


def interview_slots(duration_minutes: int, interview_minutes: int, interviewers: int) -> int:
    """How many interviews the event can hold: ⌊duration ÷ minutes⌋ × interviewers."""
    if interview_minutes <= 0:
        return 0
    return (duration_minutes // interview_minutes) * interviewers


def local_start(date: dt.date, time: dt.time) -> dt.datetime:
    """A date and time as a Swede enters them, as an aware datetime (DST handled by zoneinfo)."""
    return dt.datetime.combine(date, time, tzinfo=SWEDISH_TIME)


def wall_clock_exists(moment: dt.datetime) -> bool:
    """False for a time in the hour skipped when the clocks go forward (02:30 on the last
    Sunday of March): zoneinfo would silently move it, so the form says so instead."""
    try:
        back = moment.astimezone(dt.timezone.utc).astimezone(SWEDISH_TIME)
    except OverflowError:
        return True  # 1 January of year 1 is year 0 in UTC: the form refuses it as past
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def wall_clock_repeats(moment: dt.datetime) -> bool:
    """True for a time in the hour that comes twice when the clocks go back (02:30 on the
    last Sunday of October): which of the two was meant cannot be told from the form."""
    return moment.replace(fold=1).utcoffset() != moment.replace(fold=0).utcoffset()


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def is_finished(state: str, starts_at: dt.datetime, duration_minutes: int, now: dt.datetime) -> bool:
    """Finished by its state, or by the clock when the sweeper has not marked it yet (it
    moves the state once no interview is still going: app/live/event_states.py)."""
    return state == "finished" or now >= starts_at + dt.timedelta(minutes=duration_minutes)


def is_over(event: Mapping[str, Any], now: dt.datetime) -> bool:
    """`is_finished` of an event's row: the event has been held."""
    return is_finished(event["state"], event["starts_at"], event["duration_minutes"], now)


def under_way(event: Mapping[str, Any], now: dt.datetime) -> bool:
    """From the moment check-in opens (the event is live) until it is over: when the
    organizer's live view has something to show (the events list and the event's page link
    it then, and the summary after). An event stays live past its end while an interview
    of it still goes (extended, app/live/event_states.py): the organizer watches it then too."""
    return event["state"] == "live" or (has_begun(event, now) and not is_over(event, now))


def checking_in_only(event: Mapping[str, Any], now: dt.datetime) -> bool:
    """Before its set start with nobody called in yet: its status is "Check-in open". Once an
    interviewer has called a candidate in (they may from when check-in opens), it is in
    progress, whatever the clock says. `interviews_begun`: app/events/queries.py."""
    return now < event["starts_at"] and not event["interviews_begun"]


def may_end_now(event: Mapping[str, Any], now: dt.datetime) -> bool:
    """Whether its organizer may end it before its set end: it is being held (its start has
    passed, or an interviewer has called a candidate in: its status says in progress) and is
    not over. Before that, deleting it is what cancels it. `interviews_begun`:
    app/events/queries.py."""
    being_held = has_begun(event, now) or bool(event["interviews_begun"])
    return event["state"] in ("published", "live") and being_held and not is_over(event, now)


def has_begun(event: Mapping[str, Any], now: dt.datetime) -> bool:
    """Held or being held: finished, or published or live with its start passed. (A draft
    whose time passed was never held: it may get a new date.)"""
    return event["state"] == "finished" or (
        event["state"] in ("published", "live") and event["starts_at"] <= now
    )


def as_local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SWEDISH_TIME)
