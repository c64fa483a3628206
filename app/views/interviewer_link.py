"""/i/{token}: an interviewer's personal link. Says when the event is, or that it was
cancelled, and lets the interviewer in with the code from the invitation (or as the logged-in
account the link belongs to). Signed in, it is the meeting web (web/templates/interviewer/
meeting.html, web/static/js/live/interviewer.js), which talks over /i/{token}/ws."""

from __future__ import annotations

from aiohttp import web

from app.auth import current_user
from app.auth.validation import form_text
from app.events import queries
from app.events.tokens import looks_like_link_token
from app.i18n import N_, Np_, prefer_language
from app.keys import DB_POOL, SETTINGS
from app.link_codes import INTERVIEWER_CODE, typed_code
from app.link_sessions import INTERVIEWER_SESSION
from app.live import outcome
from app.live.rules import checkin_window
from app.live.access import is_signed_in
from app.views.link_guard import (
    check_entry,
    current_refusal,
    mark_refused,
    refused_context,
    remember_device,
)
from app.timefmt import both_languages
from app.views.pages import render

routes = web.RouteTableDef()

CODE_MALFORMED = N_("Enter the 6 digits of the code from your invitation mail.")
CODE_WRONG = Np_(
    "Wrong code. %(count)s try left before this device must wait a while.",
    "Wrong code. %(count)s tries left before this device must wait a while.",
)


async def load(request: web.Request):
    token = request.match_info["token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    async with request.app[DB_POOL].acquire() as connection:
        event = await queries.by_interviewer_token(connection, token)
    if event is None:
        raise web.HTTPNotFound()
    # An interviewer with an account: in the language they chose for it (their mails'), unless
    # this browser chose one with the switch. One without: as the browser asks (their mail was
    # in the event's language, the organizer's choice, not theirs).
    prefer_language(request, event["interviewer_account_language"])
    return event


async def meeting(request: web.Request, event) -> web.Response:
    """The meeting web: lobby and interview in one page, drawn from the channel's state."""
    async with request.app[DB_POOL].acquire() as connection:
        items = {
            table: await queries.numbered_items(connection, table, event["id"])
            for table in ("event_question", "event_attribute")
        }
        record = await outcome.record_of(connection, event["interviewer_id"])
    live = request.app[SETTINGS].live
    # Before it the lobby says when candidates can check in, and Next is off (nobody can wait).
    opens_at = checkin_window(event["starts_at"], event["duration_minutes"], live.checkin_opens_minutes)[0]
    response = render(
        request,
        "interviewer/meeting.html",
        {
            "event": event,
            "questions": items["event_question"],
            "attributes": items["event_attribute"],
            "record": record,
            "interviewer_name": event["interviewer_name"] or event["interviewer_email"],
            "extend_minutes": live.extend_minutes,
            "extend_limit_minutes": live.extend_limit_minutes,
            "checkin_opens": both_languages(opens_at),
            # Let in as the account, not with the code: when the page is refused later, it
            # was because the account's session ended, and the link's page says so.
            "let_in_by_account": not INTERVIEWER_SESSION.holds(request, event["interviewer_id"]),
            # The organizer (or a colleague) holding an interview: the way back to the event's
            # page, which the meeting web's own header has no room for otherwise.
            "event_page": f"/events/{event['id']}" if _organizes(request, event) else None,
        },
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _organizes(request: web.Request, event) -> bool:
    user = current_user(request)
    return user is not None and user.organization_id == event["organization_id"]


def landing(request: web.Request, event, *, status: int = 200, error=None, refused: dict | None = None):
    refused = refused or {}
    context = {
        "event": event,
        "base": f"/i/{request.match_info['token']}",
        "errors": {"code": error} if error and not refused else {},
        # Loaded by a meeting page let in as the account whose session then ended: said only
        # when it is so (no account logged in here, the event still there).
        "signed_out": "signed_out" in request.query
        and not error
        and current_user(request) is None
        and event["deleted_at"] is None
        and event["state"] != "cancelled",
        # Signed out on this device with the page's own button (sign_out below).
        "left": "left" in request.query and not error,
        **refused,
    }
    response = render(request, "interviewer/landing.html", context, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@routes.get("/i/{token}", name="interviewer_link")
async def interviewer_link(request: web.Request) -> web.Response:
    event = await load(request)
    user = current_user(request)
    # Holding the mailed link and being logged in with its address: from now on the
    # event is among this user's own, even when they belong to another organization.
    if (
        user is not None
        and event["interviewer_user_id"] is None
        and user.email.lower() == event["interviewer_email"].lower()
    ):
        async with request.app[DB_POOL].acquire() as connection:
            await queries.link_account(connection, event["interviewer_id"], user.id)
            event = await queries.by_interviewer_token(connection, request.match_info["token"])
        if event is None:  # taken off the event meanwhile
            raise web.HTTPNotFound()
    if (
        event["state"] != "cancelled"
        and event["deleted_at"] is None
        and is_signed_in(request, event["interviewer_id"], event["interviewer_user_id"])
    ):
        return await meeting(request, event)
    return landing(
        request, event, refused=await current_refusal(request, INTERVIEWER_CODE, event["interviewer_id"])
    )


@routes.post("/i/{token}", name="interviewer_code")
async def enter_code(request: web.Request) -> web.Response:
    event = await load(request)
    here = f"/i/{request.match_info['token']}"
    if (
        event["state"] == "cancelled"
        or event["deleted_at"] is not None
        or is_signed_in(request, event["interviewer_id"], event["interviewer_user_id"])
    ):
        raise web.HTTPSeeOther(here)
    given = typed_code(form_text(await request.post(), "code"))
    if not (len(given) == 6 and given.isascii() and given.isdigit()):
        return landing(request, event, status=422, error=(CODE_MALFORMED, {}))
    outcome = await check_entry(request, INTERVIEWER_CODE, event["interviewer_id"], event["id"], given)
    if outcome.ok:
        # `?signed_in`: the meeting web's first load after the code puts the keyboard's focus
        # on the lobby (web/static/js/live/interviewer.js), and takes the mark off the address.
        response = web.HTTPSeeOther(f"{here}?signed_in")
        INTERVIEWER_SESSION.start(request, response, event["interviewer_id"], request.match_info["token"])
        remember_device(request, response, outcome)
        raise response
    error = (CODE_WRONG, {"count": outcome.tries_left}) if outcome.tries_left else None
    response = landing(
        request,
        event,
        status=422,
        error=error,
        refused=refused_context(request, outcome.wait_until, outcome.closed),
    )
    mark_refused(response, outcome.wait_until, outcome.closed)
    return response


@routes.post("/i/{token}/sign-out", name="interviewer_sign_out")
async def sign_out(request: web.Request) -> web.Response:
    """The meeting web let in with the code, closed on this device: its session cookie goes,
    and the link asks for the code again (a shared or borrowed computer). Let in as an
    account instead, the account's own *Log out* is the way out."""
    await load(request)  # an unknown link is 404, as its other pages
    token = request.match_info["token"]
    response = web.HTTPSeeOther(f"/i/{token}?left")
    INTERVIEWER_SESSION.end(response, token)
    raise response
