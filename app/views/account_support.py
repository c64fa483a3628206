"""What the account pages share: starting a session in a response, messages, the limits' words."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from app import guessing, known_devices
from app.auth.client import client_address
from app.auth.csrf import SESSION_TOKEN
from app.auth.login import LoginOutcome
from app.auth.sessions import create_session, end_session, set_session_cookie
from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import N_, safe_next
from app.views.pages import render
from app.views.waits import lock_context, retry_after
from app.views.language import remember_language

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
    return render(
        request, template, dict(context, errors=errors), status=FORM_ERROR_STATUS if errors else 200
    )


async def log_in(
    request: web.Request,
    connection: asyncpg.Connection,
    response: web.StreamResponse,
    user_id: int,
    language: str,
) -> None:
    """A fresh session for the user in `response`; the browser's earlier session ends.
    A new session id at every log-in means a planted cookie never becomes a logged-in one."""
    if previous := request.get(SESSION_TOKEN):
        await end_session(connection, previous)
    token, expires_at = await create_session(connection, user_id)
    set_session_cookie(request, response, token, expires_at)
    if LANGUAGE_COOKIE not in request.cookies:
        # A language chosen in this browser wins; otherwise the one saved on the account.
        remember_language(request, response, language)


def login_client(request: web.Request) -> guessing.Client:
    return guessing.Client(client_address(request), known_devices.nonce_of(request))


def lockout_message(request: web.Request, outcome: LoginOutcome) -> tuple[str, dict]:
    """Why the password was not even checked, and how long to wait: the same words whether
    or not the address has an account."""
    if outcome.closed or outcome.locked_until is None:
        return (
            N_(
                "Too many failed log-in attempts from new browsers for this e-mail address. "
                "For your security, log-in from a new browser is paused until the password "
                "is reset. Reset it, or log in from a browser you have logged in with "
                "before."
            ),
            {},
        )
    context = lock_context(request, outcome.locked_until)
    return (
        N_(
            "Too many failed log-in attempts. For your security, log-in from this browser "
            "is paused for %(wait)s, until %(time)s (Swedish time). Try again then, or "
            "reset your password."
        ),
        {"wait": context["locked_for"], "time": context["locked_until"]},
    )


def refused_status(response: web.Response, outcome: LoginOutcome) -> None:
    response.set_status(429)
    if outcome.locked_until is not None:
        response.headers["Retry-After"] = retry_after(outcome.locked_until)


def remember_device(request: web.Request, response: web.StreamResponse, device: str | None) -> None:
    if device:
        known_devices.remember(request, response, device)
