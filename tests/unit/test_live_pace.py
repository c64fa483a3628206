"""The socket's pace (app/live/pace.py) as a plain function of the clock."""

from __future__ import annotations

import pytest

from app.live.pace import BURST, RATE, Pace


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
