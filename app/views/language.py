"""The language switch: a plain link on every page, so it works without JavaScript."""

from aiohttp import web

from app.i18n import COOKIE, COOKIE_MAX_AGE, LANGUAGES, safe_next

routes = web.RouteTableDef()


@routes.get("/lang/{code}", name="switch_language")
async def switch_language(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if code not in LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    response.set_cookie(
        COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=False, secure=request.secure, path="/"
    )
    raise response
