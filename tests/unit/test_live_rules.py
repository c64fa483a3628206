"""The live event's plain rules: order, positions and waits, grace, offers, time box."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings, strategies as st

from app.live import rules
from app.live.rules import QueueItem

T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc)
GRACE = 120


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def item(
    entry_id: int, queued: float, state: str = "waiting", disconnected: float | None = None
) -> QueueItem:
    return QueueItem(
        entry_id, 100 + entry_id, state, at(queued), None if disconnected is None else at(disconnected)
    )


def test_presence_connected_within_grace_then_away():
    assert rules.presence(None, at(1000), GRACE) == "connected"
    assert rules.presence(at(0), at(119), GRACE) == "within_grace"
    assert rules.presence(at(0), at(120), GRACE) == "away"


def test_order_is_longest_waiting_first_and_skips_away():
    items = [
        item(1, 30),
        item(2, 10),
        item(3, 20, disconnected=0),  # away at 200
        item(4, 5, state="away"),
        item(5, 40, disconnected=150),  # within grace
        item(6, 1, state="offered"),
    ]
    assert [i.entry_id for i in rules.queue_order(items, at(200), GRACE)] == [2, 1, 5]


def test_equal_times_are_ordered_by_entry_id():
    items = [item(3, 10), item(1, 10), item(2, 10)]
    assert [i.entry_id for i in rules.queue_order(items, at(0), GRACE)] == [1, 2, 3]


def test_average_uses_real_durations_or_the_event_minutes():
    assert rules.average_interview_seconds([], 10) == 600
    # The set length counts as SET_LENGTH_WEIGHT (3) interviews: (300 + 500 + 3 × 600) / 5
    assert rules.average_interview_seconds([300, 500], 10) == 520
    # One very short interview moves the estimate; it does not become it.
    assert rules.average_interview_seconds([5], 10) == (5 + 1800) / 4
    # A day of real interviews decides it.
    assert abs(rules.average_interview_seconds([240] * 200, 10) - 245) < 1
    assert rules.average_interview_seconds([0], 7) == 420  # nothing real yet


def test_waits_with_free_and_busy_interviewers():
    # Two interviewers: one free, one free in 100 s; interviews take 600 s.
    assert rules.estimated_waits(5, [0, 100], 600) == [0, 100, 600, 700, 1200]
    assert rules.estimated_waits(3, [], 600) == [None, None, None]
    assert rules.estimated_waits(2, [-5, 0], 600) == [0, 0]


def test_an_interview_under_way_is_expected_to_last_the_mean_never_past_its_box():
    # 6 minutes on average, a 10-minute box started at 0.
    assert rules.expected_remaining_seconds(at(0), at(600), at(0), 360) == 360
    assert rules.expected_remaining_seconds(at(0), at(600), at(100), 360) == 260  # a second a second
    assert rules.expected_remaining_seconds(at(0), at(600), at(400), 360) == 0  # past the mean
    # The box cuts it short (an interview extended past the mean has its own end).
    assert rules.expected_remaining_seconds(at(0), at(120), at(0), 360) == 120
    assert rules.expected_remaining_seconds(None, at(120), at(0), 360) == 120
    # Extended by 5 minutes at its 9th (its box now 15): the mean and the 5 minutes.
    assert rules.expected_remaining_seconds(at(0), at(900), at(540), 600, 5) == 360
    assert rules.expected_remaining_seconds(at(0), at(900), at(540), 600) == 60  # (not counted)


def test_moving_up_as_the_one_ahead_starts_never_makes_the_wait_longer():
    """One interviewer free, one with 8 minutes left; the mean 6 minutes. The free one calls
    the first in the queue, who joins: the second, now first, waits no longer than before
    (the whole 10-minute box counted for the new interview made it 8, up from 6)."""
    average = 360.0
    before = rules.estimated_waits(2, [0, 480], average)[1]
    offered = rules.estimated_waits(1, [average, 480], average)[0]
    started = rules.estimated_waits(
        1, [rules.expected_remaining_seconds(at(0), at(600), at(0), average), 480], average
    )[0]
    assert before == offered == started == 360


def test_positions_number_the_dispatchable_in_order():
    items = [item(1, 30), item(2, 10), item(3, 0, state="away")]
    waiting = rules.positions(items, at(60), GRACE, [0], 300)
    assert [(w.candidate_id, w.position, w.wait_seconds) for w in waiting] == [(102, 1, 0), (101, 2, 300)]


def test_round_minutes():
    assert rules.round_minutes(None) is None
    assert rules.round_minutes(0) == 0
    assert rules.round_minutes(61) == 2


def test_checkin_window():
    starts = at(3600)
    assert not rules.checkin_open(at(3600 - 30 * 60 - 1), starts, 60, 30)
    assert rules.checkin_open(at(3600 - 30 * 60), starts, 60, 30)
    assert rules.checkin_open(at(3600 + 59 * 60), starts, 60, 30)
    assert not rules.checkin_open(at(3600 + 60 * 60), starts, 60, 30)


def test_offers_and_misses():
    expires = rules.offer_expires_at(at(0), 60)
    assert expires == at(60)
    assert not rules.offer_expired(at(59), expires) and rules.offer_expired(at(60), expires)
    assert rules.after_miss(1) == "waiting"
    assert rules.after_miss(2) == "left"


def test_time_box_and_extension():
    box = rules.time_box(at(0), 10, 0, 60)
    assert box.ends_at == at(600) and box.warning_at == at(540)
    longer = rules.time_box(at(0), 10, rules.extended(0, 2), 60)
    assert longer.ends_at == at(720)
    assert rules.time_box(at(0), 1, 0, 3600).warning_at == at(0)  # never before the start
    assert not rules.is_over(at(599), box.ends_at) and rules.is_over(at(600), box.ends_at)


def test_interview_record_and_feedback_validation():
    assert rules.valid_record("", [], {}, 0, 0)
    assert rules.valid_record("anteckning", [1, 3], {1: 5, 2: 1}, 3, 2)
    assert not rules.valid_record("x" * 20_001, [], {}, 0, 0)
    assert not rules.valid_record("", [4], {}, 3, 0)  # no such question
    assert not rules.valid_record("", [1, 1], {}, 3, 0)  # twice
    assert not rules.valid_record("", [], {3: 4}, 3, 2)  # no such attribute
    assert not rules.valid_record("", [], {1: 6}, 3, 2)
    assert not rules.valid_record("", [], {1: True}, 3, 2)
    assert rules.valid_feedback(True, "") and rules.valid_feedback(False, "nej tack")
    assert not rules.valid_feedback("yes", "")
    assert not rules.valid_feedback(True, "x" * 2001)


# -- properties ------------------------------------------------------------------------

queue_items = st.lists(
    st.builds(
        item,
        entry_id=st.integers(1, 10_000),
        queued=st.integers(0, 3600),
        state=st.sampled_from(["waiting", "waiting", "away", "offered", "left"]),
        disconnected=st.none() | st.integers(0, 3600),
    ),
    max_size=40,
    unique_by=lambda i: i.entry_id,
)
free_lists = st.lists(st.floats(0, 3600, allow_nan=False), max_size=12)
averages = st.floats(1, 3600, allow_nan=False)


@settings(max_examples=200)
@given(queue_items, st.integers(0, 7200))
def test_order_holds_exactly_the_dispatchable_longest_waiting_first(items, now_seconds):
    now = at(now_seconds)
    ordered = rules.queue_order(items, now, GRACE)
    assert {i.entry_id for i in ordered} == {
        i.entry_id
        for i in items
        if i.state == "waiting"
        and (i.disconnected_at is None or (now - i.disconnected_at).total_seconds() < GRACE)
    }
    keys = [(i.queued_at, i.entry_id) for i in ordered]
    assert keys == sorted(keys)


@settings(max_examples=200)
@given(st.integers(0, 60), free_lists, averages)
def test_waits_never_shrink_down_the_queue(count, free_in, average):
    waits = rules.estimated_waits(count, free_in, average)
    assert len(waits) == count
    if not free_in:
        assert all(w is None for w in waits)
        return
    assert all(w >= 0 for w in waits)
    assert waits == sorted(waits)
    # Free interviewers take the first ones at once.
    free = sum(1 for f in free_in if f <= 0)
    assert all(w == 0 for w in waits[:free])


@settings(max_examples=200)
@given(st.integers(1, 60), free_lists.filter(bool), averages, st.floats(0, 3600))
def test_another_interviewer_never_makes_anyone_wait_longer(count, free_in, average, extra):
    before = rules.estimated_waits(count, free_in, average)
    after = rules.estimated_waits(count, free_in + [extra], average)
    assert all(a <= b + 1e-6 for a, b in zip(after, before))


@settings(max_examples=200)
@given(st.integers(1, 60), free_lists.filter(bool), averages)
def test_wait_is_bounded_by_rounds_of_interviews(count, free_in, average):
    waits = rules.estimated_waits(count, free_in, average)
    k, longest = len(free_in), max(free_in)
    for position, wait in enumerate(waits, start=1):
        assert wait <= longest + (math.ceil(position / k) - 1) * average + 1e-6


@settings(max_examples=100)
@given(queue_items, st.integers(0, 7200), free_lists, averages)
def test_positions_are_one_to_n_in_queue_order(items, now_seconds, free_in, average):
    waiting = rules.positions(items, at(now_seconds), GRACE, free_in, average)
    assert [w.position for w in waiting] == list(range(1, len(waiting) + 1))
    ordered = rules.queue_order(items, at(now_seconds), GRACE)
    assert [w.candidate_id for w in waiting] == [i.candidate_id for i in ordered]
