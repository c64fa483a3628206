"""Event times in Swedish time with the zone named, in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.i18n import Renderer
from app.timefmt import format_event_time

WINTER = datetime(2026, 12, 4, 13, 0, tzinfo=timezone.utc)  # 14:00 CET
SUMMER = datetime(2026, 6, 5, 7, 5, tzinfo=timezone.utc)  # 09:05 CEST


@pytest.mark.parametrize(
    "moment, language, expected",
    [
        (WINTER, "sv", "fredag 4 december 2026 kl. 14:00 (svensk tid)"),
        (WINTER, "en", "Friday 4 December 2026 at 14:00 (Swedish time, CET)"),
        (SUMMER, "sv", "fredag 5 juni 2026 kl. 09:05 (svensk tid)"),
        (SUMMER, "en", "Friday 5 June 2026 at 09:05 (Swedish time, CEST)"),
    ],
)
def test_winter_and_summer_time_in_both_languages(moment, language, expected):
    assert format_event_time(moment, language) == expected


def test_any_zone_is_shown_in_swedish_time():
    new_york = timezone(timedelta(hours=-5))
    moment = datetime(2026, 12, 4, 8, 0, tzinfo=new_york)  # the same instant as WINTER
    assert format_event_time(moment, "en") == "Friday 4 December 2026 at 14:00 (Swedish time, CET)"


def test_the_night_the_clocks_go_forward():
    # 2026-03-29 02:00 CET becomes 03:00 CEST: 01:30 UTC is 03:30 Swedish summer time.
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    assert format_event_time(moment, "sv") == "söndag 29 mars 2026 kl. 03:30 (svensk tid)"
    assert format_event_time(moment, "en").endswith("03:30 (Swedish time, CEST)")


def test_naive_times_and_unknown_languages_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_event_time(datetime(2026, 12, 4, 14, 0), "sv")
    with pytest.raises(ValueError, match="language"):
        format_event_time(WINTER, "de")


def test_the_event_time_filter_speaks_the_template_language():
    renderer = Renderer()
    for language, expected in (("sv", "kl. 14:00 (svensk tid)"), ("en", "at 14:00 (Swedish time, CET)")):
        template = renderer.environments[language].from_string("{{ when | event_time }}")
        assert template.render(when=WINTER).endswith(expected)
