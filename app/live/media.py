"""When each side's media starts and stops, as Janus's event handler reports it.

Each participant's publisher handle carries a signed opaque id naming the interview and the
side ("interview:42:candidate:<signature>", app/tickets.media_tag). Janus repeats it on every
event of that handle; this module keeps, per interview and side, when media first reached
Janus and when it last stopped (NULL again once it flows again). The summary and support
read them ("the candidate's camera never came through").
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

import asyncpg
from aiohttp import web

from app.keys import DB_POOL, SETTINGS
from app.tickets import read_media_tag

log = logging.getLogger(__name__)
HANDLE_EVENT, WEBRTC_EVENT, MEDIA_EVENT = 2, 16, 32
MEDIA_STATE = 1  # the subtype of a media event saying whether Janus receives a medium
SANE_YEARS = (2000, 2200)
SUBJECT = re.compile(r"^interview:(\d{1,18}):(candidate|interviewer)$")


@dataclass(frozen=True)
class MediaChange:
    interview_id: int
    side: str  # "candidate" or "interviewer"
    flowing: bool
    at: dt.datetime


def media_change(event: dict[str, Any], subject_of: Callable[[str], str | None]) -> MediaChange | None:
    """The change one Janus event reports, or None for any other event. `subject_of`
    checks the opaque id's signature."""
    tag = event.get("opaque_id")
    body = event.get("event")
    if not isinstance(tag, str) or not isinstance(body, dict):
        return None
    if (
        event["type"] == MEDIA_EVENT
        and event.get("subtype") == MEDIA_STATE
        and isinstance(body.get("receiving"), bool)
    ):
        flowing = body["receiving"]
    elif (event["type"] == WEBRTC_EVENT and body.get("connection") == "hangup") or (
        event["type"] == HANDLE_EVENT and body.get("name") == "detached"
    ):
        # The PeerConnection closed, or the page went away with its Janus session (a
        # closed tab sends no hangup, only the handle's detach).
        flowing = False
    else:
        return None
    match = SUBJECT.match(subject_of(tag) or "")
    if match is None:
        return None
    return MediaChange(int(match[1]), match[2], flowing, _when(event.get("timestamp")))


def _when(timestamp: object) -> dt.datetime:
    """Janus's timestamp (microseconds since 1970), or now when it is not a sane one."""
    now = dt.datetime.now(dt.timezone.utc)
    if type(timestamp) is not int:
        return now
    try:
        at = dt.datetime.fromtimestamp(timestamp / 1e6, dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        return now
    return at if SANE_YEARS[0] <= at.year <= SANE_YEARS[1] else now


async def record(connection: asyncpg.Connection, change: MediaChange) -> None:
    started, stopped = f"{change.side}_media_started_at", f"{change.side}_media_stopped_at"
    if change.flowing:
        await connection.execute(
            f"""
            UPDATE interview SET {started} = coalesce({started}, $2), {stopped} = NULL
            WHERE id = $1""",
            change.interview_id,
            change.at,
        )
    else:
        await connection.execute(
            f"""
            UPDATE interview SET {stopped} = greatest({stopped}, $2)
            WHERE id = $1 AND {started} IS NOT NULL""",
            change.interview_id,
            change.at,
        )


async def record_media_events(app: web.Application, events: list[dict[str, Any]]) -> None:
    """The subscriber on POST /janus/events (registered in create_app)."""
    settings = app[SETTINGS]
    changes = [
        change
        for event in events
        if (change := media_change(event, lambda tag: read_media_tag(settings, tag)))
    ]
    if not changes:
        return
    async with app[DB_POOL].acquire() as connection:
        for change in changes:
            await record(connection, change)
