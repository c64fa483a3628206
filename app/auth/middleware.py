"""Per request: who is logged in (request[USER]) and the CSRF check on state changes."""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web

from app.auth import wants_json
from app.auth.csrf import (
    SESSION_TOKEN,
    form_is_readable,
    needs_check,
    set_seed_cookie,
    token_is_valid,
)
from app.auth.sessions import COOKIE as SESSION_COOKIE
from app.auth.sessions import clear_session_cookie, load_session_user, session_token_of
from app.keys import DB_POOL, USER
from app.logs import redact_path
from app.views.pages import link_kind, render

log = logging.getLogger(__name__)
# Paths that never need to know the user: no database query for them.
ANONYMOUS_PREFIXES = ("/static/", "/healthz", "/janus/events", "/api/join")


async def _identify(request: web.Request) -> bool:
    """Set request[USER]; True when the browser holds a session cookie that is no longer good."""
    request[USER] = None
    if request.path.startswith(ANONYMOUS_PREFIXES) or SESSION_COOKIE not in request.cookies:
        return False
    token = session_token_of(request)
    if token is None:
        return True
    async with request.app[DB_POOL].acquire() as connection:
        user = await load_session_user(connection, token)
    if user is None:
        return True
    request[USER] = user
    request[SESSION_TOKEN] = token
    return False


def _page_to_return_to(request: web.Request, kind: str | None) -> str | None:
    """Where someone who followed a link from a mail can send the form again: this very path
    when it is also a page (the cancel form's), else the link's own page (a form on it posted
    elsewhere, as the language choice). Only ever a path on this site, never the Referer."""
    if kind is None:
        return None
    return _this_page(request) or "/".join(request.rel_url.raw_path.split("/", 3)[:3])


def _this_page(request: web.Request) -> str | None:
    """The path the form was sent to when it also shows a page (the form's own), else None."""
    # The route this form was sent to: a path that also shows a page has a GET route with the
    # same pattern (a route of its own, under its own name).
    resource = request.match_info.route.resource
    if resource is not None and any(
        route.method == "GET"
        and route.resource is not None
        and route.resource.canonical == resource.canonical
        # (not a GET that only sends on to the form's page: app/views/form_addresses.py)
        and not getattr(route.handler, "page_of_a_form", False)
        for route in request.app.router.routes()
    ):
        return request.rel_url.raw_path
    return None


def _page_above(request: web.Request) -> str | None:
    """The nearest page above the path a form was sent to: /events/5 for /events/5/publish,
    /account for /account/password. Only a path of this site's own routes."""
    pages = [
        route.resource.get_info()
        for route in request.app.router.routes()
        if route.method == "GET"
        and route.resource is not None
        and not getattr(route.handler, "page_of_a_form", False)
    ]
    parts = request.rel_url.raw_path.rstrip("/").split("/")
    while len(parts) > 2:
        parts.pop()
        path = "/".join(parts)
        # (A plain route's info has its path, a route with {parts} its pattern.)
        if any(
            info.get("path") == path or (p := info.get("pattern")) and p.fullmatch(path) for info in pages
        ):
            return path
    return None


async def _refuse(request: web.Request) -> web.Response:
    log.warning("refused %s %s: CSRF token missing or wrong", request.method, redact_path(request.path))
    if wants_json(request) or request.content_type == "application/json":
        return web.json_response({"error": "csrf"}, status=403)
    kind = link_kind(request.path)
    keeps_text = request.path.startswith(LOGGED_IN_FORMS)
    context = {
        "link_kind": kind,
        "back": _page_to_return_to(request, kind),
        "log_in": None,
        "keeps_text": keeps_text,
    }
    if kind is None and request.get(USER) is None and keeps_text:
        # Logged out meanwhile (in another tab, or the session ran out): log in again, and
        # come back to the form's page when the form was sent to it, else to the page above
        # the address a button sent it to (the event's, for its Publish).
        page = _this_page(request) or _page_above(request)
        context["log_in"] = "/login" + ("?next=" + quote(page, safe="/") if page else "")
    return render(request, "account/csrf_refused.html", context, status=403)


# Where the forms of the pages behind the log-in are sent: one of them refused with nobody
# logged in was sent after a log-out (the log-in's and sign-up's own forms are not).
LOGGED_IN_FORMS = ("/account/", "/events/", "/ops/")


# Where the account links that mails carry lead (app/views/password_reset.py, colleagues.py,
# signup.py).
MAILED_LINK_PATHS = ("/password/reset/", "/invitation/", "/signup/confirm/")


def _finish(request: web.Request, response: web.StreamResponse, stale_cookie: bool) -> None:
    set_seed_cookie(request, response)
    if stale_cookie and SESSION_COOKIE not in response.cookies and not response.prepared:
        clear_session_cookie(request, response)
    # Pages for a logged-in user are personal: no shared cache may keep them. So are those
    # opened by a mailed account link (a new password, a colleague's invitation, a sign-up's
    # confirmation), which show whom the link is for, to a visitor not logged in.
    if (
        request.get(USER) is not None or request.path.startswith(MAILED_LINK_PATHS)
    ) and not response.prepared:
        response.headers.setdefault("Cache-Control", "private, no-store")


@web.middleware
async def auth_middleware(request: web.Request, handler):
    stale_cookie = await _identify(request)
    # No page at that address, or not for that method: a 404 or 405 (the router's answer),
    # not a form said to have expired.
    check = needs_check(request) and request.match_info.http_exception is None
    if check and not await form_is_readable(request):
        raise web.HTTPBadRequest(text="malformed form")
    if check and not await token_is_valid(request):
        if request.path == "/logout" and request.get(USER) is None:
            # Logged out already (in another tab, or the session ended): what was asked
            # for is done, and a forged log-out has no session to end.
            response = web.Response(status=303, headers={"Location": "/login?done=logged_out"})
            _finish(request, response, stale_cookie)
            return response
        response = await _refuse(request)
    else:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            _finish(request, error, stale_cookie)
            raise
    _finish(request, response, stale_cookie)
    return response
