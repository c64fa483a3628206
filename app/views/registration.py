"""/r/{invite_token}: the event's public invite page and registration (no log-in)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from app.candidates import queries
from app.candidates.mails import shown
from app.candidates.reminders import reminder_coming
from app.auth.validation import clean_email, form_text
from app.candidates.registration import (
    ALREADY,
    REGISTERED,
    UndeliverableAddress,
    register,
    send_link_again,
    state_of,
)
from app.candidates.rules import parse_registration
from app.events.tokens import looks_like_link_token
from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import N_, negotiate
from app.keys import DB_POOL, LANGUAGE, MAILER, SETTINGS
from app.views.pages import render, render_spliced

routes = web.RouteTableDef()

FORM_FIELDS = ("name", "email", "phone", "language", "consent")
UNDELIVERABLE = N_("We cannot send mail to this address. Check it, or use another one.")


def invite_token_of(request: web.Request) -> str:
    token = request.match_info["invite_token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    return token


def in_event_language(request: web.Request, event) -> None:
    """The invitation in the language the browser asks for (or chose: the cookie) when it is
    one of ours, and otherwise in the event's own (its default language, set by the
    employer), not the site's: a browser in Arabic or Polish reads an English event's
    invitation in English."""
    request[LANGUAGE] = negotiate(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language"), event["language"]
    )


def invite_page(
    request: web.Request, event, state: str, values: dict, errors: dict, status: int = 200
) -> web.Response:
    in_event_language(request, event)
    response = render(
        request,
        "candidates/invite.html",
        {
            "event": event,
            "state": state,
            "values": values,
            "errors": errors,
            "retention_days": request.app[SETTINGS].candidates.retention_days,
        },
        status=status,
    )
    # The page shows how many places are left: never from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


async def current_state(request: web.Request, token: str):
    async with request.app[DB_POOL].acquire() as connection:
        event = await queries.event_by_invite_token(connection, token)
        if event is None:
            raise web.HTTPNotFound()
        registered = await queries.count_registered(connection, event["id"])
    return event, state_of(event, registered, dt.datetime.now(dt.timezone.utc))


@routes.get("/r/{invite_token}", name="invite")
async def invite(request: web.Request) -> web.Response:
    event, state = await current_state(request, invite_token_of(request))
    in_event_language(request, event)
    blank = dict.fromkeys(FORM_FIELDS, "") | {"language": request[LANGUAGE]}
    return invite_page(request, event, state, blank, {})


@routes.post("/r/{invite_token}", name="register")
async def register_candidate(request: web.Request) -> web.Response:
    token = invite_token_of(request)
    form = await request.post()
    parsed = parse_registration({name: form_text(form, name) for name in FORM_FIELDS}, request[LANGUAGE])
    if parsed.registration is None:
        event, state = await current_state(request, token)
        return invite_page(request, event, state, parsed.values, parsed.errors, status=422)
    settings = request.app[SETTINGS]
    try:
        async with request.app[DB_POOL].acquire() as connection:
            outcome = await register(
                connection, request.app[MAILER], settings.app.public_url, token, parsed.registration
            )
    except UndeliverableAddress:
        event, state = await current_state(request, token)
        return invite_page(request, event, state, parsed.values, {"email": (UNDELIVERABLE, {})}, status=422)
    if outcome is None:
        raise web.HTTPNotFound()
    in_event_language(request, outcome.event)
    if outcome.result in (REGISTERED, ALREADY):
        # The same page either way: it must not tell a stranger who else has registered.
        response = render_spliced(
            request,
            "candidates/registered.html",
            {
                "event": shown(outcome.event),
                "reminder_coming": reminder_coming(
                    outcome.event["starts_at"],
                    dt.datetime.now(dt.timezone.utc),
                    settings.candidates.reminder_hours,
                ),
            },
            {"email": parsed.registration.email},
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    # Full, closed, cancelled or over since the page was loaded: say so, keep the input.
    return invite_page(request, outcome.event, outcome.result, parsed.values, {}, status=409)


@routes.get("/r/{invite_token}/resend", name="registration_resend_page")
async def resend_link_page(request: web.Request) -> web.Response:
    """The address of the page that answers the form below, loaded again (its language
    switch, a reload): the invitation, where the form is."""
    raise web.HTTPSeeOther(f"/r/{invite_token_of(request)}")


@routes.post("/r/{invite_token}/resend", name="registration_resend")
async def resend_link(request: web.Request) -> web.Response:
    """For a registered candidate who lost the mail while the form is not shown (full, closed)."""
    token = invite_token_of(request)
    errors: dict = {}
    email = clean_email(form_text(await request.post(), "email"), errors, "resend_email")
    if errors:
        event, state = await current_state(request, token)
        values = dict.fromkeys(FORM_FIELDS, "") | {"language": request[LANGUAGE], "resend_email": email}
        return invite_page(request, event, state, values, errors, status=422)
    async with request.app[DB_POOL].acquire() as connection:
        event = await send_link_again(
            connection, request.app[MAILER], request.app[SETTINGS].app.public_url, token, email
        )
    if event is None:
        raise web.HTTPNotFound()
    in_event_language(request, event)
    response = render(request, "candidates/link_sent.html", {"event": event, "email": email})
    response.headers["Cache-Control"] = "no-store"
    return response
