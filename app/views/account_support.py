"""What the account pages share: starting a session in a response, messages, lock-out text."""
from __future__ import annotations

import datetime as dt

import asyncpg
from aiohttp import web

from app.auth.client import is_https
from app.auth.csrf import SESSION_TOKEN
from app.auth.sessions import create_session, end_session, set_session_cookie
from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import COOKIE_MAX_AGE, N_, safe_next
from app.keys import LANGUAGE
from app.timefmt import in_swedish_time
from app.views.pages import render

# Where a user lands after log-in when the page asked for nothing else.
HOME = "/events"
# Validation errors come back with the form: 400, so nothing caches them as a success.
FORM_ERROR_STATUS = 400


def landing_page(next_path: str | None) -> str:
    """A local path to continue to, never another site; the events list by default."""
    target = safe_next(next_path) if next_path else HOME
    return HOME if target == "/" or target.startswith(("/login", "/logout", "/signup")) else target


def form_page(request: web.Request, template: str, context: dict, errors: dict) -> web.Response:
    """The form again, with what was typed and the errors beside their fields."""
    return render(request, template, dict(context, errors=errors),
                  status=FORM_ERROR_STATUS if errors else 200)


async def log_in(request: web.Request, connection: asyncpg.Connection, response: web.StreamResponse,
                 user_id: int, language: str) -> None:
    """A fresh session for the user in `response`; the browser's earlier session ends.
    A new session id at every log-in means a planted cookie never becomes a logged-in one."""
    if previous := request.get(SESSION_TOKEN):
        await end_session(connection, previous)
    token, expires_at = await create_session(connection, user_id)
    set_session_cookie(request, response, token, expires_at)
    if LANGUAGE_COOKIE not in request.cookies:
        # A language chosen in this browser wins; otherwise the one saved on the account.
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=False, secure=is_https(request), path="/")


def lockout_message(until: dt.datetime) -> tuple[str, dict]:
    return (N_("Too many failed log-in attempts. For your security, log-in is paused until "
               "%(time)s (Swedish time). Try again then, or reset your password."),
            {"time": in_swedish_time(until).strftime("%H:%M")})


def retry_after(until: dt.datetime) -> str:
    seconds = (until - dt.datetime.now(dt.timezone.utc)).total_seconds()
    return str(max(1, int(seconds) + 1))


def prefer_language(request: web.Request, language: str) -> None:
    """A page reached from a mail opens in the mail's language, unless this browser chose one."""
    if LANGUAGE_COOKIE not in request.cookies and language in ("sv", "en"):
        request[LANGUAGE] = language
