"""/c/{token}: a candidate's personal page, behind their PIN.

Before the event: the details, add to calendar, change language, cancel the registration
(candidate_actions.py). A cancelled event or an ended registration is said so without the
PIN (nothing personal is shown then). Everything else needs the PIN once per device
(candidate_pin.py, app.link_sessions). On the event day the page is the candidate's lobby
and call (web/static/js/live/candidate.js); after it, how it went.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from aiohttp import web

from app.headers import PRIVATE_NO_STORE

from app.candidates import queries
from app.events.notify import candidate_link
from app.events.rules import is_over
from app.i18n import N_, prefer_language
from app.keys import DB_POOL, SETTINGS
from app.link_sessions import CANDIDATE_SESSION
from app.live import outcome
from app.live import rules as live_rules
from app.timefmt import both_languages
from app.views.candidate_access import load, page, pin_page, situation


routes = web.RouteTableDef()

# Notices after a redirect (?done=…): only these, so a link cannot put words on the page.
NOTICES = {
    "language": N_("Your language has been saved. Your mails will come in it too."),
    "interviewed": N_(
        "You have been interviewed, so your registration can no longer be cancelled. "
        "You can still see or erase your data below."
    ),
}


@routes.get("/c/{token}", name="candidate_page")
async def personal_page(request: web.Request) -> web.Response:
    candidate, event = await load(request)
    prefer_language(request, candidate["language"])
    where = situation(candidate, event)
    if where in ("event_cancelled", "cancelled", "removed"):
        registered_again = False
        # Only to the PIN's holder on this device: the page says it without the PIN, and
        # whether an address is registered, and the details the form to register again is
        # filled in with (app/views/register_again.py), are theirs to know alone.
        own = CANDIDATE_SESSION.holds(request, candidate["id"])
        if (
            where == "cancelled"
            and event["invite_token"]
            and own
            # The link is sent again only until the event is over (registration.send_link_again).
            and not is_over(event, dt.datetime.now(dt.timezone.utc))
        ):
            async with request.app[DB_POOL].acquire() as connection:
                registered_again = await queries.registered_again(connection, candidate)
        return page(
            request,
            "candidates/page.html",
            candidate,
            event,
            registered_again=registered_again,
            register_again_filled=own and where == "cancelled",
        )
    if not CANDIDATE_SESSION.holds(request, candidate["id"]):
        return await pin_page(request, candidate, event, pin_sent=request.query.get("done"))
    notice = NOTICES.get(request.query.get("done", ""))
    live = None
    took_part = None
    interviewed = False
    if where == "registered":
        live = live_context(request, candidate, event)
        async with request.app[DB_POOL].acquire() as connection:
            interviewed = await queries.was_interviewed(connection, event["id"], candidate["id"])
            if interviewed:  # the thanks says back what they answered (candidate-answer.js)
                live["answer"] = await outcome.saved_feedback(connection, candidate["id"])
    else:
        async with request.app[DB_POOL].acquire() as connection:
            went = await queries.after_event(connection, event["id"], candidate["id"])
        if went["feedback_pending"]:
            # The event is over, but the interest question of their interview is still open.
            live = live_context(request, candidate, event, connect=True)
        # Only one who was interviewed is thanked for taking part; one who waited in vain or
        # never came is told what happened instead.
        took_part = "interviewed" if went["interviewed"] else "waited" if went["checked_in"] else "absent"
        interviewed = bool(went["interviewed"])
    return page(
        request,
        "candidates/page.html",
        candidate,
        event,
        notice=notice,
        link=candidate_link(request.app[SETTINGS].app.public_url, candidate["access_token"]),
        live=live,
        took_part=took_part,
        interviewed=interviewed,
    )


def live_context(request: web.Request, candidate, event, connect: bool = False) -> dict:
    """What the event-day part of the page needs (web/static/js/live/candidate.js): whether
    check-in is open, and if not, when it opens; `connect` opens the socket all the same.
    The live state itself comes over the socket."""
    live = request.app[SETTINGS].live
    now = dt.datetime.now(dt.timezone.utc)
    opens_at = live_rules.checkin_window(
        event["starts_at"], event["duration_minutes"], live.checkin_opens_minutes
    )[0]
    return {
        "checkin_open": event["state"] in ("published", "live")
        and live_rules.checkin_open(
            now, event["starts_at"], event["duration_minutes"], live.checkin_opens_minutes
        ),
        "opens_in": max(0, math.ceil((opens_at - now).total_seconds())),
        "opens_at": both_languages(opens_at),
        "starts_at": both_languages(event["set_starts_at"]),
        "registered_at": both_languages(candidate["registered_at"]),
        "offer_seconds": live.offer_seconds,
        "offer_warning_seconds": live_rules.OFFER_WARNING_SECONDS,
        "connect": connect,
        "version": drawn_version(candidate, event),
        "answer": None,  # their answer to the interest question, once given
    }


def drawn_version(candidate, event) -> str:
    """A short fingerprint of what the page before check-in is drawn from: the event's times
    and state and whether the registration still holds. A page left open from the day before
    has no socket to hear that the event moved or was cancelled; it asks for this now and
    then (web/static/js/live/candidate-page-watch.js) and loads itself again when it
    differs."""
    drawn = (
        event["state"],
        event["deleted_at"],
        event["starts_at"],
        event["set_starts_at"],
        event["duration_minutes"],
        candidate["cancelled_at"],
    )
    return hashlib.sha256(repr(drawn).encode()).hexdigest()[:16]


@routes.get("/c/{token}/version", name="candidate_page_version")
async def page_version(request: web.Request) -> web.Response:
    """The fingerprint of drawn_version, for the PIN's holder on this device only."""
    candidate, event = await load(request)
    if not CANDIDATE_SESSION.holds(request, candidate["id"]):
        return web.json_response({"error": "pin_needed"}, status=403, headers=PRIVATE_NO_STORE)
    return web.json_response({"version": drawn_version(candidate, event)}, headers=PRIVATE_NO_STORE)
