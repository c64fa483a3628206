"""Log in, log out. (Signing up: app/views/signup.py.)"""

from __future__ import annotations

import logging

from aiohttp import web

from app.auth import current_user
from app.auth.csrf import SESSION_TOKEN
from app.auth.login import check_login
from app.auth.sessions import clear_session_cookie, end_session, session_tag
from app.auth.validation import (
    ascii_domain,
    form_text,
    has_control_characters,
)
from app.i18n import N_
from app.keys import DB_POOL, SETTINGS
from app.live.organizer import account_ended
from app.views.account_support import (
    form_page,
    landing_page,
    lockout_message,
    log_in,
    login_client,
    refused_status,
    remember_device,
)

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

WRONG_LOGIN = N_("The e-mail address or the password is wrong.")
DISABLED = N_("This account has been disabled. Write to %(address)s if you think that is wrong.")
# Notices after a redirect (?done=…): only these, so the link cannot put words on the page.
LOGIN_NOTICES = {"logged_out": N_("You have logged out.")}


def login_context(
    request: web.Request,
    email: str,
    next_path: str,
    notice: str | None = None,
    problem: tuple[str, dict] | None = None,
) -> dict:
    return {"values": {"email": email}, "next": next_path, "notice": notice, "problem": problem}


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.Response:
    next_path = request.query.get("next", "")
    if current_user(request):
        raise web.HTTPSeeOther(landing_page(next_path))
    notice = LOGIN_NOTICES.get(request.query.get("done", ""))
    return form_page(request, "account/login.html", login_context(request, "", next_path, notice), {})


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    next_path = form_text(form, "next")[:2000]
    email, password = ascii_domain(form_text(form, "email").strip()), form_text(form, "password")
    errors: dict = {}
    if not email:
        errors["email"] = (N_("Enter your e-mail address."), {})
    elif len(email) > 254 or has_control_characters(email):
        # No account can have such an address, and PostgreSQL would refuse a NUL in it.
        errors["email"] = (WRONG_LOGIN, {})
    if not password:
        errors["password"] = (N_("Enter your password."), {})
    if errors:
        return form_page(request, "account/login.html", login_context(request, email, next_path), errors)
    settings = request.app[SETTINGS]
    async with request.app[DB_POOL].acquire() as connection:
        outcome = await check_login(
            connection,
            email,
            password[:1000],
            login_client(request),
            settings.app.secret_key.get_secret_value(),
            settings.limits,
        )
        if outcome.user is not None:
            redirect = web.HTTPSeeOther(landing_page(next_path))
            await log_in(request, connection, redirect, outcome.user["id"], outcome.user["language"])
            remember_device(request, redirect, outcome.device)
            raise redirect
    if outcome.refused:
        response = form_page(
            request,
            "account/login.html",
            login_context(request, email, next_path, problem=lockout_message(request, outcome)),
            {},
        )
        refused_status(response, outcome)
        return response
    problem = (
        (DISABLED, {"address": request.app[SETTINGS].app.support_email})
        if outcome.disabled
        else (WRONG_LOGIN, {})
    )
    response = form_page(
        request, "account/login.html", login_context(request, email, next_path, problem=problem), {}
    )
    response.set_status(400)
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/login?done=logged_out")
    if token := request.get(SESSION_TOKEN):
        async with request.app[DB_POOL].acquire() as connection, connection.transaction():
            await end_session(connection, token)
            if (user := current_user(request)) is not None:
                # This browser's open live views close too (the others' stay).
                await account_ended(connection, user.id, only=session_tag(token))
    clear_session_cookie(request, response)
    raise response
