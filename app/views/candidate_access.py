"""What a candidate's pages under /c/{token} share: the registration of the link, what the
page has to say first (its situation), the page's frame, the PIN form, and the check that an
action has the PIN entered on this device (app.link_sessions)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from app.candidates import queries
from app.candidates.rules import takes_registrations_now
from app.events.rules import is_over
from app.headers import PRIVATE_NO_STORE
from app.events.tokens import looks_like_link_token
from app.keys import DB_POOL, SETTINGS
from app.link_codes import CANDIDATE_PIN
from app.link_sessions import CANDIDATE_SESSION
from app.views.link_guard import current_refusal
from app.views.pages import render


# The situations in which the PIN page offers "Send my PIN again": also once the event has
# been held, the page still has the interest question and the candidate's data behind the
# PIN (a cancelled or removed registration has neither).
PIN_MAILED = ("registered", "finished")


async def load(request: web.Request, *, for_update: bool = False):
    """(candidate, event) of the link, or 404. Erased registrations are gone."""
    token = request.match_info["token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    async with request.app[DB_POOL].acquire() as connection:
        candidate = await queries.by_access_token(connection, token)
        if candidate is None or candidate["erased_at"] is not None:
            raise web.HTTPNotFound()
        event = await queries.event_by_id(connection, candidate["event_id"])
    return candidate, event


def situation(candidate, event) -> str:
    """What the page has to say first."""
    if event["deleted_at"] is not None or event["state"] == "cancelled":
        return "event_cancelled"
    if candidate["cancelled_at"] is not None:
        return "removed" if candidate["cancelled_by"] == "employer" else "cancelled"
    if is_over(event, dt.datetime.now(dt.timezone.utc)):
        return "finished"
    return "registered"


def page(request: web.Request, template: str, candidate, event, status: int = 200, **context) -> web.Response:
    public_url = request.app[SETTINGS].app.public_url
    response = render(
        request,
        template,
        {
            "candidate": candidate,
            "event": event,
            "situation": situation(candidate, event),
            "base": f"/c/{candidate['access_token']}",
            "invite_link": f"{public_url}/r/{event['invite_token']}" if event["invite_token"] else None,
            # "Register again" only while registering is open (the invitation's own rule).
            "registration_may_be_open": takes_registrations_now(event, dt.datetime.now(dt.timezone.utc)),
            **context,
        },
        status=status,
    )
    # Personal: no shared cache may keep it.
    response.headers.update(PRIVATE_NO_STORE)
    return response


async def pin_page(
    request: web.Request,
    candidate,
    event,
    *,
    error=None,
    status: int = 200,
    refused: dict | None = None,
    pin_sent: str | None = None,
) -> web.Response:
    """The PIN form, or when this browser may not try now (`refused`, else looked up) what
    to do instead (app.views.link_guard)."""
    if refused is None:
        refused = await current_refusal(request, CANDIDATE_PIN, candidate["id"])
    return page(
        request,
        "candidates/pin.html",
        candidate,
        event,
        status=status,
        errors={"pin": error} if error and not refused else {},
        pin_sent=pin_sent if pin_sent in ("pin_sent", "pin_not_sent") else None,
        pin_mailed=situation(candidate, event) in PIN_MAILED,
        **refused,
    )


def require_session(request: web.Request, candidate, event) -> None:
    """Actions need the PIN entered on this device, and a registration still going."""
    if not CANDIDATE_SESSION.holds(request, candidate["id"]) or situation(candidate, event) != "registered":
        raise web.HTTPSeeOther(f"/c/{candidate['access_token']}")
