"""Who is logged in: the current user of a request, set by app.auth.middleware.

Pages call `require_user(request)`; templates get `user` and `csrf_token` from
app.views.pages.render. Sessions are in app.auth.sessions, CSRF in app.auth.csrf.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from app.keys import USER


@dataclass(frozen=True)
class CurrentUser:
    id: int
    organization_id: int
    email: str
    name: str
    language: str
    # Runs the service (the operations page); granted with scripts/provision.
    operator: bool = False


def current_user(request: web.Request) -> CurrentUser | None:
    return request.get(USER)


def wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def require_user(request: web.Request) -> CurrentUser:
    """The logged-in user; otherwise pages go to the log-in page (and come back), calls get 401."""
    user = current_user(request)
    if user is not None:
        return user
    if wants_json(request):
        raise web.HTTPUnauthorized(text='{"error": "login_required"}', content_type="application/json")
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPSeeOther("/login")  # a form posted after the session ended: start over
    raise web.HTTPSeeOther("/login?next=" + quote(request.path_qs, safe="/"))
