"""/c/{token}: a candidate's personal page, behind their PIN.

Before the event: the details, add to calendar, change language, cancel the registration.
A cancelled event or an ended registration is said so without the PIN (nothing personal is
shown then). Everything else needs the PIN once per device (app.link_sessions).
"""

from __future__ import annotations

import datetime as dt
import math

from aiohttp import web

from app.auth.validation import form_text
from app.candidates import mails, queries
from app.candidates.ics import calendar_file
from app.candidates.registration import send_confirmation_again
from app.candidates.rules import pin_is_well_formed, takes_registrations_now
from app.events import queries as event_queries
from app.events.rules import is_over
from app.events.tokens import looks_like_link_token
from app.link_codes import CANDIDATE_PIN, typed_code
from app.link_sessions import CANDIDATE_SESSION
from app.live import leaving, outcome
from app.live.interviews import RoomToClose
from app.live import rules as live_rules
from app.events.notify import candidate_link
from app.i18n import LANGUAGES, N_, Np_, prefer_language
from app.keys import DB_POOL, JANUS, LANGUAGE, MAILER, SETTINGS
from app.timefmt import both_languages
from app.views.link_guard import (
    check_entry,
    current_refusal,
    mark_refused,
    refused_context,
    remember_device,
)
from app.views.pages import render
from app.views.language import remember_language

routes = web.RouteTableDef()

PIN_MALFORMED = N_("Enter the 6 digits of the PIN from your confirmation mail.")
PIN_WRONG = Np_(
    "Wrong PIN. %(count)s try left before this device must wait a while.",
    "Wrong PIN. %(count)s tries left before this device must wait a while.",
)
# Notices after a redirect (?done=…): only these, so a link cannot put words on the page.
NOTICES = {
    "language": N_("Your language has been saved. Your mails will come in it too."),
    "interviewed": N_(
        "You have been interviewed, so your registration can no longer be cancelled. "
        "You can still see or erase your data below."
    ),
}


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
    response.headers["Cache-Control"] = "private, no-store"
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
        **refused,
    )


def require_session(request: web.Request, candidate, event) -> None:
    """Actions need the PIN entered on this device, and a registration still going."""
    if not CANDIDATE_SESSION.holds(request, candidate["id"]) or situation(candidate, event) != "registered":
        raise web.HTTPSeeOther(f"/c/{candidate['access_token']}")


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
        "starts_at": both_languages(event["starts_at"]),
        "registered_at": both_languages(candidate["registered_at"]),
        "offer_seconds": live.offer_seconds,
        "offer_warning_seconds": live_rules.OFFER_WARNING_SECONDS,
        "connect": connect,
        "answer": None,  # their answer to the interest question, once given
    }


@routes.post("/c/{token}", name="candidate_pin")
async def enter_pin(request: web.Request) -> web.Response:
    candidate, event = await load(request)
    prefer_language(request, candidate["language"])
    here = f"/c/{candidate['access_token']}"
    # Any situation: an ended registration still has its data to see and erase.
    if CANDIDATE_SESSION.holds(request, candidate["id"]):
        raise web.HTTPSeeOther(here)
    given = typed_code(form_text(await request.post(), "pin"))
    if not pin_is_well_formed(given):
        return await pin_page(request, candidate, event, error=(PIN_MALFORMED, {}), status=422)
    outcome = await check_entry(request, CANDIDATE_PIN, candidate["id"], event["id"], given)
    if outcome.ok:
        redirect = web.HTTPSeeOther(here)
        CANDIDATE_SESSION.start(request, redirect, candidate["id"], candidate["access_token"])
        remember_device(request, redirect, outcome)
        raise redirect
    refused = refused_context(request, outcome.wait_until, outcome.closed)
    error = (PIN_WRONG, {"count": outcome.tries_left}) if outcome.tries_left else None
    response = await pin_page(request, candidate, event, error=error, status=422, refused=refused)
    mark_refused(response, outcome.wait_until, outcome.closed)
    return response


@routes.post("/c/{token}/pin-again", name="candidate_pin_again")
async def pin_again(request: web.Request) -> web.Response:
    """ "Send my PIN again" on the PIN page: the confirmation (personal link and PIN) goes to
    the registered address again, at most RESENDS_PER_WINDOW times an hour (app/candidates/rules.py). The page does not
    show the address: the link alone must not tell whose it is."""
    candidate, event = await load(request)
    here = f"/c/{candidate['access_token']}"
    sent = False
    if situation(candidate, event) == "registered":
        async with request.app[DB_POOL].acquire() as connection:
            sent = await send_confirmation_again(
                connection, request.app[MAILER], request.app[SETTINGS].app.public_url, event, candidate["id"]
            )
    # Not sent: three times this hour already, or the registration has ended meanwhile
    # (the page then says what happened instead of a PIN form).
    raise web.HTTPSeeOther(f"{here}?done={'pin_sent' if sent else 'pin_not_sent'}")


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
            rooms: list[RoomToClose] = []
            if await queries.cancel(connection, candidate["id"], "candidate"):
                # On the event day: out of the queue, an offer withdrawn, a call ended.
                rooms = await leaving.end_on_event_day(
                    connection, candidate["event_id"], candidate["id"], "cancelled", by_candidate=True
                )
                await mails.send_cancellation(
                    connection,
                    request.app[MAILER],
                    settings.app.public_url,
                    event,
                    candidate,
                    by_employer=False,
                )
    await leaving.close_rooms(request.app[JANUS], rooms)
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
