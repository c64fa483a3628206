"""Sign up, log in, log out."""
from __future__ import annotations

import logging

from aiohttp import web

from app import guessing
from app.auth import current_user
from app.auth.csrf import SESSION_TOKEN
from app.auth.login import check_login
from app.auth.ratelimit import account_secret
from app.auth.sessions import clear_session_cookie, end_session
from app.auth.users import (
    EmailTaken,
    create_organization_with_user,
    hash_password_async,
)
from app.auth.validation import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    ascii_domain,
    clean_email,
    clean_name,
    clean_new_password,
    clean_organization,
    form_text,
    has_control_characters,
)
from app.i18n import N_
from app.keys import DB_POOL, LANGUAGE, SETTINGS
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

EMAIL_TAKEN = N_("There is already an account with this e-mail address. Log in, or reset the "
                 "password if you have forgotten it.")
WRONG_LOGIN = N_("The e-mail address or the password is wrong.")
DISABLED = N_("This account has been disabled. Write to %(address)s if you think that is wrong.")
# Notices after a redirect (?done=…): only these, so the link cannot put words on the page.
LOGIN_NOTICES = {"logged_out": N_("You have logged out.")}


def signup_context(values: dict) -> dict:
    return {"values": values, "min_password": MIN_PASSWORD, "max_password": MAX_PASSWORD}


@routes.get("/signup", name="signup")
async def signup_form(request: web.Request) -> web.Response:
    if current_user(request):
        raise web.HTTPSeeOther(landing_page(None))
    return form_page(request, "account/signup.html", signup_context({}), {})


@routes.post("/signup")
async def signup(request: web.Request) -> web.Response:
    form = await request.post()
    errors: dict = {}
    values = {
        "organization": clean_organization(form_text(form, "organization"), errors),
        "name": clean_name(form_text(form, "name"), errors),
        "email": clean_email(form_text(form, "email"), errors),
    }
    password = clean_new_password(form_text(form, "password"), form_text(form, "password_confirm"),
                                  errors, email=values["email"])
    if errors:
        return form_page(request, "account/signup.html", signup_context(values), errors)
    password_hash = await hash_password_async(password)
    language = request[LANGUAGE]
    response = web.HTTPSeeOther(landing_page(None))
    async with request.app[DB_POOL].acquire() as connection:
        try:
            async with connection.transaction():
                organization_id, user_id = await create_organization_with_user(
                    connection, values["organization"], values["email"], values["name"],
                    password_hash, language)
                await log_in(request, connection, response, user_id, language)
                # Whoever chose the password here has this browser: a known one from now on.
                device = await guessing.remember(connection, account_secret(
                    request.app[SETTINGS].app.secret_key.get_secret_value(), values["email"]),
                    login_client(request).device)
        except EmailTaken:
            return form_page(request, "account/signup.html", signup_context(values),
                             {"email": (EMAIL_TAKEN, {})})
    remember_device(request, response, device)
    log.info("signed up: organization %s, user %s", organization_id, user_id)
    raise response


def login_context(request: web.Request, email: str, next_path: str, notice: str | None = None,
                  problem: tuple[str, dict] | None = None) -> dict:
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
        return form_page(request, "account/login.html",
                         login_context(request, email, next_path), errors)
    settings = request.app[SETTINGS]
    async with request.app[DB_POOL].acquire() as connection:
        outcome = await check_login(connection, email, password[:1000], login_client(request),
                                    settings.app.secret_key.get_secret_value(), settings.limits)
        if outcome.user is not None:
            response = web.HTTPSeeOther(landing_page(next_path))
            await log_in(request, connection, response, outcome.user["id"], outcome.user["language"])
            remember_device(request, response, outcome.device)
            raise response
    if outcome.refused:
        response = form_page(request, "account/login.html", login_context(
            request, email, next_path, problem=lockout_message(request, outcome)), {})
        refused_status(response, outcome)
        return response
    problem = ((DISABLED, {"address": request.app[SETTINGS].app.support_email})
               if outcome.disabled else (WRONG_LOGIN, {}))
    response = form_page(request, "account/login.html",
                         login_context(request, email, next_path, problem=problem), {})
    response.set_status(400)
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/login?done=logged_out")
    if token := request.get(SESSION_TOKEN):
        async with request.app[DB_POOL].acquire() as connection:
            await end_session(connection, token)
    clear_session_cookie(request, response)
    raise response
