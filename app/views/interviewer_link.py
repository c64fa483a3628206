"""GET /i/{token}: an interviewer's personal link. Says when the event is, or that it was
cancelled. (The meeting web itself, behind the code, belongs to the live event.)"""
from aiohttp import web

from app.auth import current_user
from app.events import queries
from app.events.tokens import looks_like_link_token
from app.keys import DB_POOL
from app.views.pages import render

routes = web.RouteTableDef()


@routes.get("/i/{token}", name="interviewer_link")
async def interviewer_link(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    async with request.app[DB_POOL].acquire() as connection:
        event = await queries.by_interviewer_token(connection, token)
        if event is None:
            raise web.HTTPNotFound()
        user = current_user(request)
        # Holding the mailed link and being logged in with its address: from now on the
        # event is among this user's own, even when they belong to another organization.
        if (user is not None and event["interviewer_user_id"] is None
                and user.email.lower() == event["interviewer_email"].lower()):
            await queries.link_account(connection, event["interviewer_id"], user.id)
    return render(request, "interviewer/landing.html", {"event": event})
