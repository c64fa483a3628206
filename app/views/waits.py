"""Telling a client that must wait how long, in its language and in Swedish time (README
"Limits on guessing")."""

from __future__ import annotations

import datetime as dt
import math

from aiohttp import web

from app.keys import LANGUAGE, RENDERER
from app.timefmt import in_swedish_time


def wait_words(request: web.Request, seconds: int) -> str:
    """ "30 seconds", "4 minutes", in the request's language."""
    translations = request.app[RENDERER].translations[request[LANGUAGE]]
    if seconds < 120:
        return translations.ngettext("%(num)s second", "%(num)s seconds", seconds) % {"num": seconds}
    minutes = math.ceil(seconds / 60)
    return translations.ngettext("%(num)s minute", "%(num)s minutes", minutes) % {"num": minutes}


def seconds_until(until: dt.datetime) -> int:
    return max(1, math.ceil((until - dt.datetime.now(dt.UTC)).total_seconds()))


def lock_context(request: web.Request, until: dt.datetime) -> dict:
    """When to try again, in Swedish time (the date too when it is not today; rounded up to
    the minute, so "try again at 14:06" is never too early) and how long that is."""
    local = in_swedish_time(until)
    if local.second or local.microsecond:
        local = (local + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    today = in_swedish_time(dt.datetime.now(dt.UTC)).date()
    return {
        "locked_until": local.strftime("%H:%M"),
        "locked_date": local.strftime("%Y-%m-%d") if local.date() != today else None,
        "locked_for": wait_words(request, seconds_until(until)),
    }


def retry_after(until: dt.datetime) -> str:
    return str(seconds_until(until))
