"""Event times as people read them: in Swedish time, with the zone named, in their language.

Every event happens in Sweden, so a time is always shown in Europe/Stockholm whatever the
reader's own zone is, and the text says so: a candidate abroad must not have to guess.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")

# Babel locales: British English writes "Friday 4 December 2026", a 24-hour clock and
# abbreviates the zone as CET/CEST, which is how Swedish employers write English.
_BABEL_LOCALE = {"sv": "sv_SE", "en": "en_GB"}
_DATE_PATTERN = "EEEE d MMMM y"
_TIME_PATTERN = "HH:mm"


def in_swedish_time(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time would silently be read in the server's zone: refuse it.
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(SWEDISH_TIME)


def format_event_time(moment: datetime, language: str) -> str:
    """sv: "fredag 4 december 2026 kl. 14:00 (svensk tid)";
    en: "Friday 4 December 2026 at 14:00 (Swedish time, CET)"."""
    locale = _locale(language)
    local = in_swedish_time(moment)
    date_text = format_date(local, _DATE_PATTERN, locale=locale)
    time_text = format_clock_time(moment, language)
    if language == "sv":
        return f"{date_text} kl. {time_text} (svensk tid)"
    zone = format_datetime(local, "z", tzinfo=SWEDISH_TIME, locale=locale)  # CET or CEST
    return f"{date_text} at {time_text} (Swedish time, {zone})"


def format_clock_time(moment: datetime, language: str) -> str:
    """The time of day alone, in Swedish time ("14:05"), beside a date already given."""
    return format_time(in_swedish_time(moment), _TIME_PATTERN, locale=_locale(language))


def _locale(language: str):
    locale = _BABEL_LOCALE.get(language)
    if locale is None:
        raise ValueError(f"unknown language {language!r}")
    return locale


def both_languages(moment: datetime) -> dict[str, str]:
    """A time in every language, so the page can switch language without reloading."""
    return {language: format_event_time(moment, language) for language in _BABEL_LOCALE}
