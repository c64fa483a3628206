"""The socket's pace (app/live/pace.py) as a plain function of the clock."""

from __future__ import annotations

import pytest

from app.live.pace import BURST, RATE, Pace, Paces


def test_a_burst_is_read_at_once():
    pace = Pace()
    assert [pace.wait(100.0) for _ in range(int(BURST))] == [0.0] * int(BURST)


def test_past_the_burst_each_message_waits_its_turn_at_the_rate():
    pace = Pace()
    for _ in range(int(BURST)):
        pace.wait(0.0)
    # Three more at the same moment: the first waits one interval, the next two, three.
    assert [pace.wait(0.0) for _ in range(3)] == pytest.approx([1 / RATE, 2 / RATE, 3 / RATE])


def test_a_page_sending_at_the_rate_never_waits():
    pace = Pace()
    assert all(pace.wait(n / RATE) == 0.0 for n in range(10 * int(BURST)))


def test_a_quiet_moment_gives_the_burst_back_and_no_more():
    pace = Pace()
    for _ in range(int(BURST) + 5):
        pace.wait(0.0)
    later = 3600.0
    assert [pace.wait(later) for _ in range(int(BURST))] == [0.0] * int(BURST)
    assert pace.wait(later) > 0


def test_a_persons_pace_is_shared_and_a_token_is_taken_or_refused():
    paces = Paces(rate=1.0, burst=2)
    assert paces.of("anna", 0.0) is paces.of("anna", 0.0) and paces.of("bo", 0.0) is not paces.of("anna", 0.0)
    anna = paces.of("anna", 0.0)
    assert anna.take(0.0) and anna.take(0.0) and not anna.take(0.0)  # refused: nothing taken
    assert anna.take(1.0)  # a second later, one back


def test_a_full_pace_is_forgotten_and_one_in_use_is_kept(monkeypatch):
    monkeypatch.setattr(Paces, "FORGET_EVERY", 2)
    paces = Paces(rate=1.0, burst=2)
    paces.of("anna", 0.0).wait(0.0)
    paces.of("bo", 0.0).wait(0.0)  # the second use: nothing full yet
    assert len(paces) == 2
    paces.of("bo", 0.5).wait(0.5)
    paces.of("cecilia", 1.5)  # Anna's is full again by now, Bo's not
    assert len(paces) == 2 and paces.of("bo", 1.5).take(1.5)
