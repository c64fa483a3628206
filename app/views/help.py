"""/help: what a candidate or interviewer needs on the event day, and what to try when the
camera, the microphone or the connection does not work. Linked from every page's footer;
the device check links its sections (#browser, #camera, #microphone, #network, #mail). It
also says what to do when a candidate cannot come at the event's time or misses their turn."""

from __future__ import annotations

from aiohttp import web

from app.keys import SETTINGS
from app.views.pages import render

routes = web.RouteTableDef()


@routes.get("/help", name="help")
async def help_page(request: web.Request) -> web.Response:
    # The time a candidate has to join when it is their turn (the section on a missed turn).
    response = render(request, "help.html", {"offer_seconds": request.app[SETTINGS].live.offer_seconds})
    response.headers["Cache-Control"] = "no-cache"
    return response
