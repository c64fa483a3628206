"""The length an event ended early says beside its two clock times (app/views/events.py)."""

from __future__ import annotations

import datetime as dt

from app.views.events import held_minutes

UTC = dt.timezone.utc


def test_the_minutes_are_those_between_the_clock_times_shown():
    # Held 4 min 30 s, from 22:27:40 to 22:32:10: "from 22:27 … at 22:32" reads as 5.
    event = {
        "starts_at": dt.datetime(2026, 12, 7, 21, 27, 40, tzinfo=UTC),
        "ended_early_at": dt.datetime(2026, 12, 7, 21, 32, 10, tzinfo=UTC),
        "duration_minutes": 4,
    }
    assert held_minutes(event) == 5


def test_an_event_not_ended_early_keeps_its_length():
    event = {
        "starts_at": dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        "ended_early_at": None,
        "duration_minutes": 90,
    }
    assert held_minutes(event) == 90
