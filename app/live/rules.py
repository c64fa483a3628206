"""The live event's rules as plain functions, without I/O: queue order, positions and
estimated waits, the grace period, offers and the interview time box.

The SQL in queue.py and dispatch.py applies the same rules inside the database (the
dispatcher must decide under its row locks); these functions are what pages show and what
the tests check the database against.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

# The second missed offer takes a candidate out of the queue (it goes back "once").
MAX_MISSES = 2
# States in which a candidate is in the queue at all (shown a position or about to be).
QUEUED_STATES = ("waiting", "away")

Presence = Literal["connected", "within_grace", "away"]


@dataclass(frozen=True)
class QueueItem:
    """What the order needs of one queue entry."""

    entry_id: int
    candidate_id: int
    state: str
    queued_at: dt.datetime
    disconnected_at: dt.datetime | None = None


@dataclass(frozen=True)
class Waiting:
    candidate_id: int
    position: int  # 1 = next
    wait_seconds: float | None  # None while no interviewer is active


def presence(disconnected_at: dt.datetime | None, now: dt.datetime, grace_seconds: float) -> Presence:
    """The grace period: a dropped connection keeps the place for the grace period, then is away."""
    if disconnected_at is None:
        return "connected"
    if (now - disconnected_at).total_seconds() < grace_seconds:
        return "within_grace"
    return "away"


def dispatchable(item: QueueItem, now: dt.datetime, grace_seconds: float) -> bool:
    """Whether *Next* or *Pick* may take this candidate now."""
    return item.state == "waiting" and presence(item.disconnected_at, now, grace_seconds) != "away"


def queue_order(items: Iterable[QueueItem], now: dt.datetime, grace_seconds: float) -> list[QueueItem]:
    """Queue fairness: longest waiting first; away entries are skipped. The entry id breaks ties of
    equal times, the same way the dispatcher's ORDER BY does."""
    eligible = [item for item in items if dispatchable(item, now, grace_seconds)]
    return sorted(eligible, key=lambda item: (item.queued_at, item.entry_id))


# In the mean interview the estimated waits are made of, the event's minutes per interview
# count as this many interviews held: the first few real ones move the estimate, and do not
# replace it (one candidate who left a call after five seconds must not tell everyone
# waiting that their turn is a minute away); over a day of interviews the real ones decide.
SET_LENGTH_WEIGHT = 3


def average_interview_seconds(durations: Sequence[float], fallback_minutes: int) -> float:
    """The mean duration of the interviews held so far, with the event's minutes per
    interview counted as SET_LENGTH_WEIGHT of them (all of it until one is held)."""
    real = [d for d in durations if d > 0]
    return blended_average(sum(real), len(real), fallback_minutes)


def blended_average(total_seconds: float, held: int, set_minutes: int) -> float:
    """average_interview_seconds from the interviews' total and number (as SQL sums them)."""
    return (total_seconds + SET_LENGTH_WEIGHT * set_minutes * 60.0) / (held + SET_LENGTH_WEIGHT)


def estimated_waits(count: int, free_in: Sequence[float], average_seconds: float) -> list[float | None]:
    """The wait of each of the first `count` candidates in the queue.

    `free_in` has one entry per interviewer active now: seconds until they are free (0 for
    one who is free). Each candidate in turn goes to the interviewer free soonest, who is
    then busy for an average interview. With nobody active there is no estimate.
    """
    if not free_in:
        return [None] * count
    free_at = [max(0.0, float(seconds)) for seconds in free_in]
    heapq.heapify(free_at)
    waits: list[float | None] = []
    for _ in range(count):
        soonest = heapq.heappop(free_at)
        waits.append(soonest)
        heapq.heappush(free_at, soonest + average_seconds)
    return waits


def positions(
    items: Iterable[QueueItem],
    now: dt.datetime,
    grace_seconds: float,
    free_in: Sequence[float],
    average_seconds: float,
) -> list[Waiting]:
    """Each dispatchable candidate's position and estimated wait, in queue order."""
    ordered = queue_order(items, now, grace_seconds)
    waits = estimated_waits(len(ordered), free_in, average_seconds)
    return [
        Waiting(item.candidate_id, index + 1, wait) for index, (item, wait) in enumerate(zip(ordered, waits))
    ]


def remaining_seconds(ends_at: dt.datetime | None, now: dt.datetime) -> float:
    """Seconds until a busy interviewer's interview ends by its time box (0 if overdue)."""
    if ends_at is None:
        return 0.0
    return max(0.0, (ends_at - now).total_seconds())


def expected_remaining_seconds(
    started_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    now: dt.datetime,
    average_seconds: float,
    extended_minutes: int = 0,
) -> float:
    """Seconds until an interview under way is expected to end: as long as the mean interview
    from its start and the minutes it was extended by, never past its time box (0 once it has
    run that long). Counted from the mean, as an offer and the interviews after it are
    (estimated_waits): when the next one starts, the waits behind it stay as they were
    instead of growing to its whole time box (with interviews shorter than their box, a
    candidate moving up saw the wait grow). It goes down one second a second, as the pages
    count it down between messages."""
    remaining = remaining_seconds(ends_at, now)
    if started_at is None:
        return remaining
    expected = average_seconds + 60.0 * extended_minutes
    return min(remaining, max(0.0, expected - (now - started_at).total_seconds()))


def round_minutes(seconds: float | None) -> int | None:
    """What a candidate is shown: whole minutes, rounded up so "0" means now."""
    return None if seconds is None else math.ceil(seconds / 60)


# -- check-in --------------------------------------------------------------------------


def checkin_window(
    starts_at: dt.datetime, duration_minutes: int, opens_minutes: int
) -> tuple[dt.datetime, dt.datetime]:
    """From a set time before the start until the event's end."""
    return (
        starts_at - dt.timedelta(minutes=opens_minutes),
        starts_at + dt.timedelta(minutes=duration_minutes),
    )


def checkin_open(now: dt.datetime, starts_at: dt.datetime, duration_minutes: int, opens_minutes: int) -> bool:
    opens_at, closes_at = checkin_window(starts_at, duration_minutes, opens_minutes)
    return opens_at <= now < closes_at


# -- offers ----------------------------------------------------------------------------


def offer_expires_at(offered_at: dt.datetime, offer_seconds: int) -> dt.datetime:
    return offered_at + dt.timedelta(seconds=offer_seconds)


def offer_expired(now: dt.datetime, expires_at: dt.datetime) -> bool:
    return now >= expires_at


def after_miss(missed_count: int) -> Literal["waiting", "left"]:
    """Where a candidate goes after a missed offer, given the misses including this one:
    back in the queue the first time, out of it the second."""
    return "waiting" if missed_count < MAX_MISSES else "left"


# -- the time box ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimeBox:
    ends_at: dt.datetime
    warning_at: dt.datetime


def time_box(
    started_at: dt.datetime, interview_minutes: int, extended_minutes: int, warning_seconds: int
) -> TimeBox:
    """The server is the clock: both sides get these times, never a duration to count."""
    ends_at = started_at + dt.timedelta(minutes=interview_minutes + extended_minutes)
    warning_at = max(started_at, ends_at - dt.timedelta(seconds=warning_seconds))
    return TimeBox(ends_at=ends_at, warning_at=warning_at)


def extended(extended_minutes: int, step_minutes: int) -> int:
    """Minutes added after one more extension."""
    return extended_minutes + step_minutes


def is_over(now: dt.datetime, ends_at: dt.datetime) -> bool:
    return now >= ends_at


# -- after the interview ---------------------------------------------------------------

MAX_NOTES = 20_000
MAX_COMMENT = 2_000
# The candidate's page says once more how long is left to join when this many seconds are
# (its data-offer-warning-seconds, web/static/js/live/candidate-waiting.js; the help says so).
OFFER_WARNING_SECONDS = 20
RATINGS = range(1, 6)


def valid_record(
    notes: str, covered: Sequence[int], ratings: dict[int, int], question_count: int, attribute_count: int
) -> bool:
    """The interviewer's notes, questions covered (positions) and a 1–5 rating per
    attribute (position), checked against the event's own questions and attributes."""
    return (
        isinstance(notes, str)
        and len(notes) <= MAX_NOTES
        and all(type(q) is int and 1 <= q <= question_count for q in covered)
        and len(set(covered)) == len(covered)
        # type() rather than isinstance: JSON's true is a bool, and bool is an int.
        and all(
            type(a) is int and 1 <= a <= attribute_count and type(r) is int and r in RATINGS
            for a, r in ratings.items()
        )
    )


def valid_feedback(interested: object, comment: object) -> bool:
    return isinstance(interested, bool) and isinstance(comment, str) and len(comment) <= MAX_COMMENT
