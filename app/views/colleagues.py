"""Colleagues: invite one by mail into your organization; the link creates their account."""

from __future__ import annotations

import logging

from aiohttp import web

from app.auth import current_user, require_user
from app.mail.outbox import PreparedMail
from app.auth.links import (
    INVITATION_LIFETIME,
    INVITATIONS_PER_DAY,
    create_invitation,
    invitations_today,
    mark_invitation_accepted,
    open_invitations,
    usable_invitation,
    withdraw_invitation,
)
from app.auth.users import (
    EmailTaken,
    create_user,
    email_is_taken,
    hash_password_async,
    member,
    organization_members,
    organization_name,
    set_member_disabled,
    user_by_email,
)
from app.auth.validation import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    clean_email,
    clean_language,
    clean_name,
    clean_new_password,
    form_text,
)
from app.i18n import N_, prefer_language
from app.keys import DB_POOL, LANGUAGE, MAILER, SETTINGS
from app.live.organizer import account_ended
from app.views.account_support import form_page, landing_page, log_in
from app.views.pages import render
from app.views.path_ids import path_id

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

NOTICES = {
    "invited": N_("The invitation has been sent."),
    "withdrawn": N_("The invitation has been withdrawn; its link no longer works."),
    "disabled": N_("The account is disabled: its owner has been logged out and can no longer log in."),
    "enabled": N_("The account can be used again: its owner can log in."),
}
ALREADY_MEMBER = N_("This person is already a member of your organization.")


async def colleagues_page(
    request: web.Request, user, values: dict, errors: dict, notice: str | None = None
) -> web.Response:
    async with request.app[DB_POOL].acquire() as connection:
        context = {
            "organization": await organization_name(connection, user.organization_id),
            "members": await organization_members(connection, user.organization_id, request[LANGUAGE]),
            "invitations": await open_invitations(connection, user.organization_id),
            "values": values,
            "notice": notice,
        }
    return form_page(request, "account/colleagues.html", context, errors)


def invitation_mail(
    request: web.Request, user, organization: str, values: dict, token: str, holder
) -> PreparedMail:
    """The invitation with its link; or, to an address that already has an account in
    another organization, a mail saying what to do instead (an address belongs to one
    organization), in the language of that account. Both are rendered whichever is sent:
    rendering one or the other took different times, which told an inviter timing the
    answer whether the address had an account elsewhere."""
    mailer, public_url = request.app[MAILER], request.app[SETTINGS].app.public_url
    context = {"inviter_name": user.name, "organization_name": organization}
    invitation = mailer.prepare(
        to_address=values["email"],
        to_name="",
        language=values["language"],
        template="colleague_invitation",
        context={
            **context,
            "accept_url": f"{public_url}/invitation/{token}",
            "valid_days": INVITATION_LIFETIME.days,
        },
    )
    recipient = holder or {"email": values["email"], "name": "", "language": values["language"]}
    elsewhere = mailer.prepare_to(
        recipient,
        "colleague_invitation_existing",
        {**context, "name": recipient["name"], "login_url": f"{public_url}/login"},
    )
    return invitation if holder is None else elsewhere


@routes.get("/account/colleagues", name="colleagues")
async def colleagues(request: web.Request) -> web.Response:
    user = require_user(request)
    return await colleagues_page(
        request, user, {"language": request[LANGUAGE]}, {}, NOTICES.get(request.query.get("done", ""))
    )


@routes.post("/account/colleagues")
async def invite(request: web.Request) -> web.Response:
    user = require_user(request)
    form = await request.post()
    errors: dict = {}
    values = {
        "email": clean_email(form_text(form, "email"), errors),
        "language": clean_language(form_text(form, "language"), errors),
    }
    if errors:
        return await colleagues_page(request, user, values, errors)
    async with request.app[DB_POOL].acquire() as connection:
        async with connection.transaction():
            holder = await user_by_email(connection, values["email"])
            if holder is not None and holder["organization_id"] == user.organization_id:
                # The members are listed on this very page: saying so reveals nothing.
                errors["email"] = (ALREADY_MEMBER, {})
            elif await invitations_today(connection, user.organization_id) >= INVITATIONS_PER_DAY:
                errors["email"] = (
                    N_(
                        "Your organization has sent %(count)s invitations today, "
                        "the most allowed in one day. Try again tomorrow."
                    ),
                    {"count": INVITATIONS_PER_DAY},
                )
            else:
                # Made and listed whether or not the address has an account elsewhere, so
                # the inviter cannot tell; only the mail differs (README "Accounts"), and
                # both are rendered.
                token = await create_invitation(
                    connection, user.organization_id, user.id, values["email"], values["language"]
                )
                organization = await organization_name(connection, user.organization_id)
                mail = invitation_mail(request, user, organization, values, token, holder)
                await request.app[MAILER].insert(connection, mail)
    if errors:
        return await colleagues_page(request, user, values, errors)
    log.info("user %s invited a colleague to organization %s", user.id, user.organization_id)
    raise web.HTTPSeeOther("/account/colleagues?done=invited")


@routes.post("/account/colleagues/{invitation_id:\\d{1,18}}/withdraw", name="withdraw_invitation")
async def withdraw(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        if not await withdraw_invitation(connection, user.organization_id, path_id(request, "invitation_id")):
            raise web.HTTPNotFound()
    raise web.HTTPSeeOther("/account/colleagues?done=withdrawn")


async def colleague_of(request: web.Request, connection, user):
    """The colleague the path names: another account of the user's organization (404 for
    one's own, which is not disabled from here, or another organization's)."""
    colleague = await member(connection, user.organization_id, path_id(request, "user_id"))
    if colleague is None or colleague["id"] == user.id:
        raise web.HTTPNotFound()
    return colleague


@routes.get("/account/colleagues/{user_id:\\d{1,18}}/disable", name="disable_colleague_confirm")
async def disable_confirm(request: web.Request) -> web.Response:
    """A colleague who has left keeps no access to the organization's events, candidates and
    summaries: asked first, since they are logged out at once."""
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        colleague = await colleague_of(request, connection, user)
    if colleague["disabled"]:
        raise web.HTTPSeeOther("/account/colleagues")
    return render(request, "account/disable_colleague.html", {"colleague": colleague})


@routes.post("/account/colleagues/{user_id:\\d{1,18}}/disable", name="disable_colleague")
async def disable(request: web.Request) -> web.Response:
    return await _set_disabled(request, True)


@routes.post("/account/colleagues/{user_id:\\d{1,18}}/enable", name="enable_colleague")
async def enable(request: web.Request) -> web.Response:
    return await _set_disabled(request, False)


async def _set_disabled(request: web.Request, disabled: bool) -> web.Response:
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        colleague = await colleague_of(request, connection, user)
        await set_member_disabled(connection, user.organization_id, colleague["id"], disabled)
        if disabled:
            await account_ended(connection, colleague["id"])  # their open live views close
    log.info("user %s %s user %s", user.id, "disabled" if disabled else "enabled", colleague["id"])
    raise web.HTTPSeeOther(f"/account/colleagues?done={'disabled' if disabled else 'enabled'}")


def invitation_context(request: web.Request, invitation, values: dict) -> dict:
    return {
        "invitation": invitation,
        "values": values,
        "min_password": MIN_PASSWORD,
        "max_password": MAX_PASSWORD,
        "logged_in_as": current_user(request),
    }


def link_invalid(request: web.Request, reason: str = "invalid") -> web.Response:
    return render(request, "account/link_invalid.html", {"kind": "invitation", "reason": reason}, status=404)


@routes.get("/invitation/{token}", name="invitation")
async def invitation_form(request: web.Request) -> web.Response:
    async with request.app[DB_POOL].acquire() as connection:
        invitation = await usable_invitation(connection, request.match_info["token"])
        if invitation is None:
            return link_invalid(request)
        if await email_is_taken(connection, invitation["email"]):
            return link_invalid(request, "has_account")
    prefer_language(request, invitation["language"])
    return form_page(request, "account/invitation.html", invitation_context(request, invitation, {}), {})


@routes.post("/invitation/{token}")
async def accept_invitation(request: web.Request) -> web.Response:
    form = await request.post()
    token = request.match_info["token"]
    errors: dict = {}
    async with request.app[DB_POOL].acquire() as connection:
        invitation = await usable_invitation(connection, token)
        if invitation is None:
            return link_invalid(request)
        prefer_language(request, invitation["language"])
        values = {"name": clean_name(form_text(form, "name"), errors)}
        password = clean_new_password(
            form_text(form, "password"),
            form_text(form, "password_confirm"),
            errors,
            email=invitation["email"],
        )
        if errors:
            return form_page(
                request, "account/invitation.html", invitation_context(request, invitation, values), errors
            )
        password_hash = await hash_password_async(password)
        language = request[LANGUAGE]
        response = web.HTTPSeeOther(landing_page(None))
        try:
            async with connection.transaction():
                # Locked and checked again: the link makes one account, however often it is sent.
                invitation = await usable_invitation(connection, token, lock=True)
                if invitation is None:
                    return link_invalid(request)
                user_id = await create_user(
                    connection,
                    invitation["organization_id"],
                    invitation["email"],
                    values["name"],
                    password_hash,
                    language,
                )
                await mark_invitation_accepted(connection, invitation["id"], user_id)
                await log_in(request, connection, response, user_id, language)
        except EmailTaken:
            return link_invalid(request, "has_account")
    log.info(
        "invitation %s accepted: user %s joined organization %s",
        invitation["id"],
        user_id,
        invitation["organization_id"],
    )
    raise response
