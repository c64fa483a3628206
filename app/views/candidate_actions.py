"""What a registered candidate does from their page, with the PIN entered on this device:
add the event to a calendar, cancel the registration, choose the language of their mails."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from app.auth.validation import form_text
from app.candidates import mails, queries
from app.candidates.cancellation import end_registration
from app.candidates.ics import calendar_file
from app.events import queries as event_queries
from app.events.notify import candidate_link
from app.i18n import LANGUAGES, prefer_language
from app.keys import DB_POOL, JANUS, LANGUAGE, MAILER, SETTINGS
from app.live import leaving
from app.views.candidate_access import load, page, require_session, situation
from app.views.language import remember_language

routes = web.RouteTableDef()


@routes.get("/c/{token}/calendar.ics", name="candidate_calendar")
async def calendar(request: web.Request) -> web.Response:
    candidate, event = await load(request)
    prefer_language(request, candidate["language"])
    require_session(request, candidate, event)
    link = candidate_link(request.app[SETTINGS].app.public_url, candidate["access_token"])
    # In the language of the page it is downloaded from (the mails' entries are in the mails').
    entry = mails.calendar_entry(request.app[MAILER], event, candidate, link, language=request[LANGUAGE])
    return web.Response(
        body=calendar_file(entry, dt.datetime.now(dt.timezone.utc)),
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="snabbintervju.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@routes.get("/c/{token}/cancel", name="candidate_cancel_confirm")
async def cancel_confirm(request: web.Request) -> web.Response:
    candidate, event = await load(request)
    prefer_language(request, candidate["language"])
    require_session(request, candidate, event)
    async with request.app[DB_POOL].acquire() as connection:
        if await queries.was_interviewed(connection, event["id"], candidate["id"]):
            raise _interviewed_already(candidate)
    return page(request, "candidates/cancel.html", candidate, event)


def _interviewed_already(candidate) -> web.HTTPSeeOther:
    """Back to the page, which says why: once interviewed, the registration is part of what
    happened at the event (the summary shows the interview), as for the employer's Remove
    (app/views/candidate_admin.py); the candidate can still have their data erased."""
    return web.HTTPSeeOther(f"/c/{candidate['access_token']}?done=interviewed")


@routes.post("/c/{token}/cancel", name="candidate_cancel")
async def cancel(request: web.Request) -> web.Response:
    candidate, event = await load(request)
    require_session(request, candidate, event)
    settings = request.app[SETTINGS]
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            # The event first (as every change of it does), so a move or a deletion of the
            # event cannot cross this and mail a candidate who has just left.
            await event_queries.hold_for_share(connection, event["id"])
            event = await queries.event_by_id(connection, event["id"])
            if situation(candidate, event) != "registered":
                raise web.HTTPSeeOther(f"/c/{candidate['access_token']}")  # e.g. cancelled meanwhile
            if await queries.was_interviewed(connection, candidate["event_id"], candidate["id"]):
                raise _interviewed_already(candidate)  # (a page opened before the interview)
            rooms = await end_registration(
                connection, request.app[MAILER], settings.app.public_url, event, candidate, by_employer=False
            )
    await leaving.close_rooms(request.app[JANUS], rooms or [])
    raise web.HTTPSeeOther(f"/c/{candidate['access_token']}")


@routes.post("/c/{token}/language", name="candidate_language")
async def change_language(request: web.Request) -> web.Response:
    candidate, event = await load(request)
    require_session(request, candidate, event)
    language = form_text(await request.post(), "language")
    here = f"/c/{candidate['access_token']}"
    if language not in LANGUAGES:
        raise web.HTTPSeeOther(here)  # only a crafted form sends anything else
    async with request.app[DB_POOL].acquire() as connection:
        await queries.set_language(connection, candidate["id"], language)
    response = web.HTTPSeeOther(f"{here}?done=language")
    remember_language(request, response, language)
    raise response
