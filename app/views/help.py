"""/help: what a candidate or interviewer needs on the event day, and what to try when the
camera, the microphone or the connection does not work. Linked from every page's footer;
the device check links its sections (#browser, #camera, #microphone, #network, #mail)."""

from __future__ import annotations

from aiohttp import web

from app.views.pages import render

routes = web.RouteTableDef()


@routes.get("/help", name="help")
async def help_page(request: web.Request) -> web.Response:
    response = render(request, "help.html")
    response.headers["Cache-Control"] = "no-cache"
    return response
