"""/help: what a candidate or interviewer needs on the event day, and what to try when the
camera, the microphone or the connection does not work. Linked from every page's footer;
the device check links its sections (#browser, #camera, #microphone, #network, #mail). It
also says what to do when a candidate cannot come at the event's time or misses their turn,
and what the interviewers' meeting web offers.

/help/employers: what the employer's staff do before, on and after the day, in the words of
their pages' buttons (create, invite, change, copy, delete, the summary). Linked from the
header of every logged-in page, the footer and /help."""

from __future__ import annotations

from aiohttp import web

from app.keys import SETTINGS
from app.live import rules
from app.views.pages import render

routes = web.RouteTableDef()


@routes.get("/help", name="help")
async def help_page(request: web.Request) -> web.Response:
    # The time a candidate has to join when it is their turn (the section on a missed turn).
    live = request.app[SETTINGS].live
    response = render(
        request,
        "help.html",
        {
            "offer_seconds": live.offer_seconds,
            "warning_seconds": rules.OFFER_WARNING_SECONDS,
            "extend_minutes": live.extend_minutes,
            "extend_limit_minutes": live.extend_limit_minutes,
        },
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/help/employers", name="help_employers")
async def help_employers_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    response = render(
        request,
        "help_employers.html",
        {
            # The times the page states come from the settings the service runs with.
            "reminder_hours": settings.candidates.reminder_hours,
            "checkin_opens_minutes": settings.live.checkin_opens_minutes,
            "retention_days": settings.candidates.retention_days,
        },
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
