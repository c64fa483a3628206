"""/account: who you are, change your password, choose your language."""

from __future__ import annotations

import logging

from aiohttp import web

from app.auth import require_user
from app.auth.csrf import SESSION_TOKEN
from app.auth.login import check_current_password
from app.auth.sessions import end_other_sessions, session_tag
from app.auth.users import (
    hash_password_async,
    organization_name,
    set_language,
    set_password_hash,
)
from app.auth.validation import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    clean_language,
    clean_new_password,
    form_text,
)
from app.i18n import N_
from app.keys import DB_POOL, SETTINGS
from app.live.organizer import account_ended
from app.views.account_support import (
    form_page,
    lockout_message,
    login_client,
    refused_status,
)
from app.views.language import remember_language

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

NOTICES = {
    "password": N_(
        "Your password has been changed. Other browsers where you were logged in have been logged out."
    ),
    "reset": N_("Your new password is saved, and you are logged in."),
    "language": N_("Your language has been saved. Mails to you will be in this language."),
}


async def account_context(request: web.Request, user, **extra) -> dict:
    async with request.app[DB_POOL].acquire() as connection:
        organization = await organization_name(connection, user.organization_id)
    return {
        "organization": organization,
        "min_password": MIN_PASSWORD,
        "max_password": MAX_PASSWORD,
        "notice": None,
        "chosen_language": user.language,
        **extra,
    }


@routes.get("/account", name="account")
async def account(request: web.Request) -> web.Response:
    user = require_user(request)
    notice = NOTICES.get(request.query.get("done", ""))
    return form_page(request, "account/account.html", await account_context(request, user, notice=notice), {})


@routes.post("/account/password", name="change_password")
async def change_password(request: web.Request) -> web.Response:
    user = require_user(request)
    form = await request.post()
    errors: dict = {}
    current = form_text(form, "current_password")
    if not current:
        errors["current_password"] = (N_("Enter your current password."), {})
    password = clean_new_password(
        form_text(form, "password"), form_text(form, "password_confirm"), errors, email=user.email
    )
    outcome = None
    if not errors:
        settings = request.app[SETTINGS]
        async with request.app[DB_POOL].acquire() as connection:
            outcome = await check_current_password(
                connection,
                user.id,
                user.email,
                current[:1000],
                login_client(request),
                settings.app.secret_key.get_secret_value(),
                settings.limits,
            )
        if outcome.refused:
            errors["current_password"] = lockout_message(request, outcome)
        elif outcome.user is None:
            errors["current_password"] = (N_("That is not your current password."), {})
    if errors:
        response = form_page(request, "account/account.html", await account_context(request, user), errors)
        if outcome is not None and outcome.refused:
            refused_status(response, outcome)
        return response
    password_hash = await hash_password_async(password)
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            await set_password_hash(connection, user.id, password_hash)
            ended = await end_other_sessions(connection, user.id, request.get(SESSION_TOKEN))
            # The other browsers' open live views close with their sessions.
            await account_ended(connection, user.id, keep=session_tag(request.get(SESSION_TOKEN)))
    log.info("user %s changed their password; %d other session(s) ended", user.id, ended)
    raise web.HTTPSeeOther("/account?done=password")


@routes.post("/account/language", name="account_language")
async def choose_language(request: web.Request) -> web.Response:
    user = require_user(request)
    form = await request.post()
    errors: dict = {}
    language = clean_language(form_text(form, "language"), errors)
    if errors:
        return form_page(request, "account/account.html", await account_context(request, user), errors)
    async with request.app[DB_POOL].acquire() as connection:
        await set_language(connection, user.id, language)
    response = web.HTTPSeeOther("/account?done=language")
    # The pages follow at once; the language switch in the header still changes them alone.
    remember_language(request, response, language)
    raise response
