"""Who is logged in: the current user of a request, set by app.auth.middleware.

Pages call `require_user(request)`; templates get `user` and `csrf_token` from
app.views.pages.render.

middleware.py  per request: who is logged in and the CSRF check on state changes
sessions.py    log-in sessions: a signed cookie naming a row in user_session
csrf.py        the CSRF token of a session or of an anonymous form
client.py      where a request comes from, proxy-aware
login.py       checking a log-in under the limits on guessing
ratelimit.py   the account's password as one of the secrets the limits guard
users.py       the SQL for organizations and users
signups.py     the SQL for sign-ups waiting for their address to be confirmed
links.py       the SQL for mailed one-time links (password resets, invitations)
tokens.py      random tokens whose SHA-256 hash the database keeps
validation.py  checks for the account forms, without I/O
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
