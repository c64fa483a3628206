"""Sign up: the form, the mailed confirmation, and the account the link creates.

The form answers the same whether or not the address already has an account (the same
redirect to "check your mail", after a password hash either way, so not even the time
tells): a new address gets a link that creates the organization and the account; the
owner of an existing one gets a mail saying that someone tried, with the ways to log in
or reset the password. README "Accounts" describes it.
"""

from __future__ import annotations

import logging

from aiohttp import web

from app import guessing
from app.auth import current_user
from app.auth.ratelimit import account_secret
from app.auth.signups import (
    EXISTING_TEMPLATE,
    MAILS_PER_HOUR,
    SIGNUP_LIFETIME,
    create_signup,
    forget_signup,
    mails_this_hour,
    usable_signup,
)
from app.auth.users import (
    EmailTaken,
    create_organization_with_user,
    hash_password_async,
    user_by_email,
    verify_password_async,
)
from app.auth.validation import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    clean_email,
    clean_name,
    clean_new_password,
    clean_organization,
    form_text,
)
from app.i18n import N_, prefer_language
from app.keys import DB_POOL, LANGUAGE, MAILER, SETTINGS
from app.views.account_support import (
    form_page,
    landing_page,
    log_in,
    login_client,
    remember_device,
)
from app.views.mail_form_guard import refused_mail_form
from app.views.pages import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


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
    password = clean_new_password(
        form_text(form, "password"), form_text(form, "password_confirm"), errors, email=values["email"]
    )
    if errors:
        return form_page(request, "account/signup.html", signup_context(values), errors)
    if refused := await refused_mail_form(request):
        return refused
    # Hashed whether or not it is used: the answer takes as long either way.
    password_hash = await hash_password_async(password)
    public_url = request.app[SETTINGS].app.public_url
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            if await mails_this_hour(connection, values["email"]) >= MAILS_PER_HOUR:
                pass  # enough mail to this address for now; the page says the same
            elif (owner := await user_by_email(connection, values["email"])) is not None:
                await request.app[MAILER].enqueue(
                    connection,
                    to_address=owner["email"],
                    to_name=owner["name"],
                    language=owner["language"],
                    template=EXISTING_TEMPLATE,
                    context={
                        "name": owner["name"],
                        "login_url": f"{public_url}/login",
                        "forgot_url": f"{public_url}/password/forgot",
                    },
                )
            else:
                token = await create_signup(
                    connection, password_hash=password_hash, language=request[LANGUAGE], **values
                )
                await request.app[MAILER].enqueue(
                    connection,
                    to_address=values["email"],
                    to_name=values["name"],
                    language=request[LANGUAGE],
                    template="signup_confirm",
                    context={
                        "name": values["name"],
                        "organization": values["organization"],
                        "confirm_url": f"{public_url}/signup/confirm/{token}",
                        "valid_hours": int(SIGNUP_LIFETIME.total_seconds() // 3600),
                    },
                )
    raise web.HTTPSeeOther("/signup/sent")


@routes.get("/signup/sent", name="signup_sent")
async def signup_sent(request: web.Request) -> web.Response:
    return render(
        request, "account/signup_sent.html", {"valid_hours": int(SIGNUP_LIFETIME.total_seconds() // 3600)}
    )


def link_invalid(request: web.Request, reason: str = "invalid") -> web.Response:
    return render(request, "account/link_invalid.html", {"kind": "signup", "reason": reason}, status=404)


@routes.get("/signup/confirm/{token}", name="signup_confirm")
async def confirm_form(request: web.Request) -> web.Response:
    # Only a page with a button: mail scanners that open every link create nothing.
    async with request.app[DB_POOL].acquire() as connection:
        pending = await usable_signup(connection, request.match_info["token"])
    if pending is None:
        return link_invalid(request)
    prefer_language(request, pending["language"])
    return render(request, "account/signup_confirm.html", {"pending": pending, "errors": {}})


# Asked again on the confirmation page: whoever filled in the form chose the password, and
# only the mailbox's owner has the link. Without it, someone could sign up another person's
# address with a password of their own and wait for that person to press the button.
PASSWORD_NOT_CHOSEN = N_("That is not the password chosen when the account was asked for.")


@routes.post("/signup/confirm/{token}")
async def confirm(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther(landing_page(None))
    form = await request.post()
    password = form.get("password")
    async with request.app[DB_POOL].acquire() as connection:
        try:
            async with connection.transaction():
                pending = await usable_signup(connection, request.match_info["token"], lock=True)
                if pending is None:
                    return link_invalid(request)
                if not isinstance(password, str) or not await verify_password_async(
                    pending["password_hash"], password
                ):
                    prefer_language(request, pending["language"])
                    errors: dict[str, tuple[str, dict]] = {"password": (PASSWORD_NOT_CHOSEN, {})}
                    return render(
                        request,
                        "account/signup_confirm.html",
                        {"pending": pending, "errors": errors},
                        status=400,
                    )
                await forget_signup(connection, pending["id"])
                organization_id, user_id = await create_organization_with_user(
                    connection,
                    pending["organization_name"],
                    pending["email"],
                    pending["name"],
                    pending["password_hash"],
                    pending["language"],
                )
                await log_in(request, connection, response, user_id, pending["language"])
                # Whoever opened the mailed link here has this browser: a known one from now
                # on (README "Limits on guessing").
                device = await guessing.remember(
                    connection,
                    account_secret(request.app[SETTINGS].app.secret_key.get_secret_value(), pending["email"]),
                    login_client(request).device,
                )
        except EmailTaken:  # the address got an account meanwhile (an invitation, say)
            assert pending is not None, "checked before the account was made"
            async with connection.transaction():
                await forget_signup(connection, pending["id"])
            return link_invalid(request, "has_account")
    remember_device(request, response, device)
    log.info("signed up: organization %s, user %s", organization_id, user_id)
    raise response
