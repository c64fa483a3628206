"""The language switch: a plain link on every page, so it works without JavaScript."""

from aiohttp import web

from app.auth.client import is_https
from app.i18n import COOKIE, COOKIE_MAX_AGE, LANGUAGES, safe_next

routes = web.RouteTableDef()


@routes.get("/lang/{code}", name="switch_language")
async def switch_language(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if code not in LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    remember_language(request, response, code)
    raise response


def remember_language(request: web.Request, response: web.StreamResponse, language: str) -> None:
    """The browser's language for every page from now on (readable by the pages' scripts;
    Secure behind a TLS proxy too)."""
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=False,
        secure=is_https(request),
        path="/",
    )
