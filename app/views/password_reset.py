"""Forgotten password: a mailed link (one hour, once) to a page that sets a new one.

The answer to "send me a link" is the same whether or not the address has an account, so the
form cannot be used to find out who has one.
"""

from __future__ import annotations

import logging

import asyncpg
from aiohttp import web

from app.after_answer import after_answer, database_answers

from app.auth.links import RESET_LIFETIME, create_password_reset, usable_password_reset
from app.auth.ratelimit import account_secret, proven
from app.auth.sessions import end_other_sessions
from app.auth.users import hash_password_async, set_password_hash, user_by_email
from app.auth.validation import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    clean_email,
    clean_new_password,
    form_text,
)
from app.i18n import prefer_language
from app.keys import DB_POOL, MAILER, SETTINGS
from app.live.organizer import account_ended
from app.views.account_support import (
    form_page,
    log_in,
    login_client,
    remember_device,
)
from app.views.mail_form_guard import refused_mail_form
from app.views.pages import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


@routes.get("/password/forgot", name="forgot_password")
async def forgot_form(request: web.Request) -> web.Response:
    sent = request.query.get("sent") == "1"
    return form_page(request, "account/forgot.html", {"values": {}, "sent": sent}, {})


@routes.post("/password/forgot")
async def forgot(request: web.Request) -> web.Response:
    form = await request.post()
    errors: dict = {}
    email = clean_email(form_text(form, "email"), errors)
    if errors:
        return form_page(request, "account/forgot.html", {"values": {"email": email}, "sent": False}, errors)
    if refused := await refused_mail_form(request):
        return refused
    mailer, public_url = request.app[MAILER], request.app[SETTINGS].app.public_url

    async def mail_a_reset(connection: asyncpg.Connection) -> None:
        async with connection.transaction():
            user = await user_by_email(connection, email)
            if user is None or user["disabled"]:
                return
            token = await create_password_reset(connection, user["id"])
            if token is None:
                log.info("password reset for user %s not sent: hourly limit reached", user["id"])
                return
            await mailer.enqueue(
                connection,
                to_address=user["email"],
                to_name=user["name"],
                language=user["language"],
                template="password_reset",
                context={
                    "name": user["name"],
                    "reset_url": f"{public_url}/password/reset/{token}",
                    "valid_minutes": int(RESET_LIFETIME.total_seconds() // 60),
                },
            )
            log.info("password reset mail queued for user %s", user["id"])

    await database_answers(request)
    # After the answer, which then takes as long whether or not the account exists.
    after_answer(request, mail_a_reset)
    raise web.HTTPSeeOther("/password/forgot?sent=1")


def link_invalid(request: web.Request) -> web.Response:
    return render(request, "account/link_invalid.html", {"kind": "reset"}, status=404)


def reset_context(reset, values: dict | None = None) -> dict:
    return {
        "email": reset["email"],
        "min_password": MIN_PASSWORD,
        "max_password": MAX_PASSWORD,
        "values": values or {},
    }


@routes.get("/password/reset/{token}", name="reset_password")
async def reset_form(request: web.Request) -> web.Response:
    async with request.app[DB_POOL].acquire() as connection:
        reset = await usable_password_reset(connection, request.match_info["token"])
    if reset is None:
        return link_invalid(request)
    prefer_language(request, reset["language"])
    return form_page(request, "account/reset.html", reset_context(reset), {})


@routes.post("/password/reset/{token}")
async def reset(request: web.Request) -> web.Response:
    form = await request.post()
    token = request.match_info["token"]
    async with request.app[DB_POOL].acquire() as connection:
        reset = await usable_password_reset(connection, token)
        if reset is None:
            return link_invalid(request)
        prefer_language(request, reset["language"])
        errors: dict = {}
        password = clean_new_password(
            form_text(form, "password"), form_text(form, "password_confirm"), errors, email=reset["email"]
        )
        if errors:
            return form_page(request, "account/reset.html", reset_context(reset), errors)
        password_hash = await hash_password_async(password)
        response = web.HTTPSeeOther("/account?done=reset")
        async with connection.transaction():
            # Locked and checked again: two tabs posting the same link change it only once.
            reset = await usable_password_reset(connection, token, lock=True)
            if reset is None:
                return link_invalid(request)
            await set_password_hash(connection, reset["user_id"], password_hash)
            ended = await end_other_sessions(connection, reset["user_id"])
            # Every browser's open live views close with their sessions, as after a new
            # password set on the account page (the one logged in below has none yet).
            await account_ended(connection, reset["user_id"])
            # Proving the mailbox is as good as the password: the account opens to new
            # browsers again, and this one is known from now on.
            secret_key = request.app[SETTINGS].app.secret_key.get_secret_value()
            device = await proven(
                connection, account_secret(secret_key, reset["email"]), login_client(request)
            )
            remember_device(request, response, device)
            await log_in(request, connection, response, reset["user_id"], reset["language"])
    log.info("user %s reset their password; %d session(s) ended", reset["user_id"], ended)
    raise response
