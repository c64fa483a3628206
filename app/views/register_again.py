"""/c/{token}/register-again: "Register again" after cancelling, with the details filled in.

The invite link is shared, so the invitation itself never shows anyone's details. This page
is the candidate's own: behind the PIN entered on this device (as the personal page that
shows the same details), it draws the invitation's form with their name, address, phone and
language in it, the consent left for them to give again. Nothing personal travels in an
address (addresses are logged: README "Logs"), and the form posts to the invitation as any
registration does.
"""

from __future__ import annotations

from aiohttp import web

from app.addresses import readable_domain
from app.candidates import queries
from app.keys import DB_POOL
from app.link_sessions import CANDIDATE_SESSION
from app.views import registration
from app.views.candidate_access import load, situation

routes = web.RouteTableDef()


@routes.get("/c/{token}/register-again", name="candidate_register_again")
async def register_again(request: web.Request) -> web.Response:
    candidate, event = await load(request)
    here = f"/c/{candidate['access_token']}"
    if (
        situation(candidate, event) != "cancelled"
        or not event["invite_token"]
        or not CANDIDATE_SESSION.holds(request, candidate["id"])
    ):
        # Without the PIN here: the page, which offers the invitation's empty form.
        raise web.HTTPSeeOther(here)
    async with request.app[DB_POOL].acquire() as connection:
        if await queries.registered_again(connection, candidate):
            raise web.HTTPSeeOther(here)  # the page says to use the newest mail's link
    event_now, state = await registration.current_state(request, event["invite_token"])
    values = {
        "name": candidate["name"],
        "email": readable_domain(candidate["email"]),  # as it was typed: "exämple.se", not "xn--…"
        "phone": candidate["phone"] or "",
        "language": candidate["language"],
        "consent": "",
    }
    response = registration.invite_page(
        request, event_now, state, values, {}, preferred_language=candidate["language"]
    )
    response.headers["Cache-Control"] = "private, no-store"  # personal
    return response
