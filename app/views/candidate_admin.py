"""The employer's handling of candidates on the event page: resend a confirmation, remove a
registration, open and close the invite link. Only the owning organization may; anyone else
gets a 404, never a hint that the event or the candidate exists."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import asyncpg
from aiohttp import web

from app.auth import require_user
from app.auth.validation import form_text
from app.candidates import mails, queries
from app.candidates.cancellation import end_registration
from app.events import queries as event_queries
from app.events.rules import is_over
from app.keys import DB_POOL, JANUS, MAILER, SETTINGS
from app.live import leaving, queue
from app.views.candidate_list import place_of
from app.views.pages import render
from app.views.path_ids import path_id

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

# Registrations can be handled while the event is ahead or going on.
ACTIVE_STATES = ("published", "live")


def takes_registration_changes(event: Mapping[str, Any]) -> bool:
    """Ahead or going on: once the event's time is over, a confirmation, a new link or a
    removal would mail a candidate about an event that has been held (their details can
    still be erased)."""
    return event["state"] in ACTIVE_STATES and not is_over(event, dt.datetime.now(dt.timezone.utc))


def refused_unless_changeable(
    request: web.Request, event: Mapping[str, Any], candidate: Mapping[str, Any]
) -> None:
    if candidate["cancelled_at"] is not None:
        raise back_to_event(request, event["id"], "not_registered")
    if not takes_registration_changes(event):
        raise back_to_event(request, event["id"], "event_over")


async def owned_event(
    connection: asyncpg.Connection, request: web.Request, *, for_update: bool = False
) -> asyncpg.Record:
    user = require_user(request)
    event = await event_queries.get_for_user(
        connection, path_id(request, "event_id"), user.id, user.organization_id, for_update=for_update
    )
    if event is None or not event["editable"]:
        raise web.HTTPNotFound()
    return event


async def registered_candidate(
    connection: asyncpg.Connection, request: web.Request, event: asyncpg.Record, *, for_update: bool = False
):
    candidate = await queries.in_event(
        connection, event["id"], path_id(request, "candidate_id"), for_update=for_update
    )
    if candidate is None or candidate["erased_at"] is not None:
        raise web.HTTPNotFound()
    return candidate


def back_to_event(request: web.Request, event_id: int, notice: str) -> web.HTTPSeeOther:
    """To the event's list of registrations, at the search and page the action came from
    (app/views/candidate_list.py), with a notice: one of a fixed few, whose text
    events/_candidates.html shows."""
    place = place_of(request.query)
    more = f"&{place[1:]}" if place else ""
    return web.HTTPSeeOther(f"/events/{event_id}?candidates={notice}{more}#candidates-heading")


@routes.post("/events/{event_id}/invite-link", name="event_invite_link")
async def switch_invite_link(request: web.Request) -> web.Response:
    is_open = form_text(await request.post(), "open") == "yes"
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await owned_event(connection, request, for_update=True)
            await queries.set_invite_open(connection, event["id"], is_open)
    raise back_to_event(request, event["id"], "invite_opened" if is_open else "invite_closed")


@routes.post("/events/{event_id}/candidates/{candidate_id}/resend", name="candidate_resend")
async def resend(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await owned_event(connection, request, for_update=True)
            candidate = await registered_candidate(connection, request, event)
            refused_unless_changeable(request, event, candidate)
            await mails.send_confirmation(
                connection,
                request.app[MAILER],
                settings.app.public_url,
                await queries.event_by_id(connection, event["id"]),
                candidate,
                again=True,
            )
    raise back_to_event(request, event["id"], "resent")


@routes.get("/events/{event_id}/candidates/{candidate_id}/remove", name="candidate_remove_confirm")
async def remove_confirm(request: web.Request) -> web.Response:
    async with request.app[DB_POOL].acquire() as connection:
        event = await owned_event(connection, request)
        candidate = await registered_candidate(connection, request, event)
        interviewed = await queries.was_interviewed(connection, event["id"], candidate["id"])
        queue_state = await queue.state_of(connection, candidate["id"])
    if candidate["cancelled_at"] is not None:
        raise back_to_event(request, event["id"], "not_registered")
    if interviewed:
        raise back_to_event(request, event["id"], "interviewed")
    refused_unless_changeable(request, event, candidate)
    context = {
        "event": event,
        "candidate": candidate,
        "list_place": place_of(request.query),
        "queue_state": queue_state,  # on the event day: what removing them ends
    }
    return render(request, "candidates/remove.html", context)


@routes.post("/events/{event_id}/candidates/{candidate_id}/remove", name="candidate_remove")
async def remove(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await owned_event(connection, request, for_update=True)
            candidate = await registered_candidate(connection, request, event, for_update=True)
            # Interviewed, the registration is part of what happened: removing it would mail
            # a cancellation after the interview and take the candidate out of the counts
            # beside the interview. Their details can be erased instead.
            if await queries.was_interviewed(connection, event["id"], candidate["id"]):
                raise back_to_event(request, event["id"], "interviewed")
            refused_unless_changeable(request, event, candidate)
            rooms = await end_registration(
                connection,
                request.app[MAILER],
                settings.app.public_url,
                await queries.event_by_id(connection, event["id"]),
                candidate,
                by_employer=True,
            )
            if rooms is None:
                raise back_to_event(request, event["id"], "not_registered")
    await leaving.close_rooms(request.app[JANUS], rooms)
    log.info(
        "candidate %s removed from event %s by user %s",
        candidate["id"],
        event["id"],
        require_user(request).id,
    )
    raise back_to_event(request, event["id"], "removed")
