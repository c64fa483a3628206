"""Seeing and erasing a candidate's data (README "Privacy").

/c/{token}/data    what is stored about the candidate (after the PIN)
/c/{token}/erase   the confirmation, then the erasure and its receipt
/events/{event_id}/candidates/{candidate_id}/erase
                   the employer's confirmation and erasure, on the event's candidate list

The erasure itself is app/candidates/erasure.py. The candidate's pages need the PIN session
of the link, as the rest of the personal page does; the employer's need the organization
that owns the event (anyone else gets 404) and, like every POST, the CSRF token.
"""

from __future__ import annotations

import datetime as dt
import logging

from aiohttp import web

from app.auth import require_user
from app.candidates import queries
from app.candidates.erasure import Erased, other_cancelled, erase_candidate, erase_own_registrations
from app.candidates.stored import stored_about
from app.i18n import prefer_language
from app.keys import DB_POOL, JANUS, SETTINGS
from app.link_sessions import CANDIDATE_SESSION
from app.timefmt import both_languages
from app.live import leaving, queue
from app.views import candidate_access
from app.views.candidate_admin import back_to_event, owned_event, registered_candidate
from app.views.candidate_list import place_of
from app.views.path_ids import path_id
from app.views.pages import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


async def _queue_state(request: web.Request, candidate_id: int) -> str | None:
    """Where the candidate is on the event day: 'waiting', 'offered', 'interviewing' (the
    erasure takes them out first, and the page says so), or anything else."""
    async with request.app[DB_POOL].acquire() as connection:
        return await queue.state_of(connection, candidate_id)


async def _close_rooms(request: web.Request, erased: Erased) -> None:
    # After the commit: a Janus call must not hold database locks (app/live/interviews.py).
    await leaving.close_rooms(request.app[JANUS], erased.rooms)


async def _with_session(request: web.Request):
    """(candidate, event, None) for a link whose PIN was entered on this device; otherwise
    (…, the PIN form to answer instead)."""
    candidate, event = await candidate_access.load(request)
    prefer_language(request, candidate["language"])
    if not CANDIDATE_SESSION.holds(request, candidate["id"]):
        return candidate, event, await candidate_access.pin_page(request, candidate, event)
    return candidate, event, None


@routes.get("/c/{token}/data", name="candidate_data")
async def data_page(request: web.Request) -> web.Response:
    candidate, event, pin_form = await _with_session(request)
    if pin_form is not None:
        return pin_form
    async with request.app[DB_POOL].acquire() as connection:
        stored = await stored_about(connection, candidate["id"])
    return candidate_access.page(
        request,
        "candidates/data.html",
        candidate,
        event,
        stored=stored,
        retention_days=request.app[SETTINGS].candidates.retention_days,
    )


@routes.get("/c/{token}/erase", name="candidate_erase_confirm")
async def erase_confirm(request: web.Request) -> web.Response:
    candidate, event, pin_form = await _with_session(request)
    if pin_form is not None:
        return pin_form
    async with request.app[DB_POOL].acquire() as connection:
        others = len(await other_cancelled(connection, candidate["id"]))
    return candidate_access.page(
        request,
        "candidates/erase.html",
        candidate,
        event,
        queue_state=await _queue_state(request, candidate["id"]),
        others=others,
    )


@routes.post("/c/{token}/erase", name="candidate_erase")
async def erase(request: web.Request) -> web.Response:
    candidate, event = await candidate_access.load(request)
    # The receipt in the language of the pages before it (the one to save or print).
    prefer_language(request, candidate["language"])
    if not CANDIDATE_SESSION.holds(request, candidate["id"]):
        raise web.HTTPSeeOther(f"/c/{candidate['access_token']}/data")
    async with request.app[DB_POOL].acquire() as connection:
        erased = await erase_own_registrations(connection, candidate["id"])
        erased_at = await queries.erased_at(connection, candidate["id"])
    if erased is None or erased_at is None:  # erased meanwhile (by the employer, say): the link is gone
        raise web.HTTPNotFound()
    await _close_rooms(request, erased)
    response = render(
        request,
        "candidates/erased.html",
        {
            "event": event,
            "erased_at": erased_at,
            "erased_at_texts": both_languages(erased_at),
            "reference": f"{event['id']}-{candidate['id']}",
        },
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.del_cookie(
        CANDIDATE_SESSION.cookie, path=CANDIDATE_SESSION.cookie_path(candidate["access_token"])
    )
    return response


@routes.get("/events/{event_id}/candidates/{candidate_id}/erase", name="employer_erase_confirm")
async def employer_erase_confirm(request: web.Request) -> web.Response:
    async with request.app[DB_POOL].acquire() as connection:
        event = await owned_event(connection, request)
        candidate = await registered_candidate(connection, request, event)
    upcoming = (
        candidate["cancelled_at"] is None
        and event["state"] in ("published", "live")
        and dt.datetime.now(dt.timezone.utc)
        < event["starts_at"] + dt.timedelta(minutes=event["duration_minutes"])
    )
    return render(
        request,
        "candidates/employer_erase.html",
        {
            "event": event,
            "candidate": candidate,
            "upcoming": upcoming,
            "queue_state": await _queue_state(request, candidate["id"]),
            "list_place": place_of(request.query),
        },
    )


@routes.post("/events/{event_id}/candidates/{candidate_id}/erase", name="employer_erase")
async def employer_erase(request: web.Request) -> web.Response:
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            event = await owned_event(connection, request)
            candidate = await queries.in_event(connection, event["id"], path_id(request, "candidate_id"))
            if candidate is None:
                raise web.HTTPNotFound()
            erased = await erase_candidate(connection, candidate["id"], "employer")
    if erased is None:  # erased already (a second press, another tab): what was asked is done
        raise back_to_event(request, event["id"], "erased")
    await _close_rooms(request, erased)
    log.info(
        "candidate %s of event %s erased by user %s", candidate["id"], event["id"], require_user(request).id
    )
    raise back_to_event(request, event["id"], "erased")
