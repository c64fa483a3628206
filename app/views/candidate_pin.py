"""/c/{token} POST and /c/{token}/pin-again: the candidate's PIN entered on a device (which
then holds the session of app.link_sessions), with the limits on guessing
(app/views/link_guard.py), and the confirmation with the PIN mailed again."""

from __future__ import annotations

from aiohttp import web

from app.auth.validation import form_text
from app.candidates.registration import send_confirmation_again
from app.candidates.rules import pin_is_well_formed
from app.i18n import N_, Np_, prefer_language
from app.keys import DB_POOL, MAILER, SETTINGS
from app.link_codes import CANDIDATE_PIN, typed_code
from app.link_sessions import CANDIDATE_SESSION
from app.views.candidate_access import PIN_MAILED, load, pin_page, situation
from app.views.link_guard import check_entry, mark_refused, refused_context, remember_device

routes = web.RouteTableDef()

PIN_MALFORMED = N_("Enter the 6 digits of the PIN from your confirmation mail.")
PIN_WRONG = Np_(
    "Wrong PIN. %(count)s try left before this device must wait a while.",
    "Wrong PIN. %(count)s tries left before this device must wait a while.",
)


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
    the registered address again (once the event has been held, the link and PIN alone), at
    most RESENDS_PER_WINDOW times an hour (app/candidates/rules.py). The page does not show
    the address: the link alone must not tell whose it is."""
    candidate, event = await load(request)
    here = f"/c/{candidate['access_token']}"
    sent = False
    if situation(candidate, event) in PIN_MAILED:
        async with request.app[DB_POOL].acquire() as connection:
            sent = await send_confirmation_again(
                connection, request.app[MAILER], request.app[SETTINGS].app.public_url, event, candidate["id"]
            )
    # Not sent: three times this hour already, or the registration has ended meanwhile
    # (the page then says what happened instead of a PIN form).
    raise web.HTTPSeeOther(f"{here}?done={'pin_sent' if sent else 'pin_not_sent'}")
