"""/r/{invite_token}: the event's public invite page and registration (no log-in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from app.addresses import readable_domain
from app.after_answer import after_answer
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
from app.candidates.rules import CLOSED, FULL, OPEN, parse_registration
from app.events.tokens import looks_like_link_token
from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import LANGUAGES, N_, negotiate, prefer_language
from app.keys import DB_POOL, LANGUAGE, MAILER, SETTINGS
from app.live.rules import checkin_open
from app.views.invite_answers import REGISTERED_PAGE, RESENT_PAGE, answer_of, show_answer
from app.views.mail_form_guard import refused_mail_form
from app.views.pages import render, render_spliced

routes = web.RouteTableDef()

FORM_FIELDS = ("name", "email", "phone", "language", "consent")
UNDELIVERABLE = N_("We cannot send mail to this address. Check it, or use another one.")

# The states in which an answer still stands; otherwise the invitation says what happened.
ANSWER_STATES = (OPEN, FULL, CLOSED)
# The query parameter of a link to the invitation that says which language to open it in.
LINKED_LANGUAGE = "lang"


def invite_token_of(request: web.Request) -> str:
    token = request.match_info["invite_token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    return token


def in_event_language(request: web.Request, event) -> None:
    """The invitation in the language the browser asks for (or chose: the cookie) when it is
    one of ours, and otherwise in the event's own (its default language, set by the
    employer), not the site's: a browser in Arabic or Polish reads an English event's
    invitation in English.

    A link that names a language (`?lang=`, from a page or mail read in it, such as a
    cancelled registration's "Register again") opens it in that one unless this browser
    chose another with the switch: the invite link is shared and cannot know who follows
    it, so the link carries what the person was reading in. The forms post it along
    (`form_query`), so an answer with an error stays in it too."""
    request[LANGUAGE] = negotiate(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language"), event["language"]
    )
    prefer_language(request, linked_language(request))


def linked_language(request: web.Request) -> str | None:
    language = request.query.get(LINKED_LANGUAGE)
    return language if language in LANGUAGES else None


def invite_page(
    request: web.Request,
    event,
    state: str,
    values: dict,
    errors: dict,
    status: int = 200,
    sent_again_to: str | None = None,
    preferred_language: str | None = None,
) -> web.Response:
    """`sent_again_to`: the address a refused registration was sent with; the page says that
    if it is registered, its link went to it again (true for a registered one, and the same
    words for anyone else). `preferred_language`: a registered person's own, which the page
    is in unless this browser chose one with the switch (app/views/register_again.py)."""
    in_event_language(request, event)
    prefer_language(request, preferred_language)
    response = render(
        request,
        "candidates/invite.html",
        {
            "event": event,
            "state": state,
            "values": values,
            "errors": errors,
            "retention_days": request.app[SETTINGS].candidates.retention_days,
            "sent_again_to": sent_again_to,
            # The linked language, as the page was opened: the same whichever language the
            # page is switched to, so the typed input is put back after a switch (forms.js
            # matches the form by its action).
            "form_query": f"?{LINKED_LANGUAGE}={linked}" if (linked := linked_language(request)) else "",
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


async def answer_page(request: web.Request, page: str) -> tuple[Mapping[str, Any], str, dt.datetime]:
    """The event, the address and the time of the answer on `page`; without one (another
    browser, a day later, the event cancelled since), the invitation, which says what there
    is to say."""
    token = invite_token_of(request)
    event, state = await current_state(request, token)
    answer = answer_of(request, page, event["id"])
    if answer is None or state not in ANSWER_STATES:
        raise web.HTTPSeeOther(f"/r/{token}")
    email, issued, chosen = answer
    in_event_language(request, event)
    prefer_language(request, chosen)  # the candidate's choice in the form
    return event, email, issued


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
    if outcome.result in (REGISTERED, ALREADY):
        # The same answer either way, and as quick: it must not tell a stranger who else has
        # registered. A registered address has its link sent again after the answer.
        if outcome.result == ALREADY:
            mailer, public_url, email = (
                request.app[MAILER],
                settings.app.public_url,
                parsed.registration.email,
            )
            after_answer(
                request, lambda connection: send_link_again(connection, mailer, public_url, token, email)
            )
        raise show_answer(
            request,
            token,
            REGISTERED_PAGE,
            outcome.event["id"],
            parsed.registration.email,
            parsed.registration.language,
        )
    # Full, closed, cancelled or over since the page was loaded: say so, keep the input.
    # Full or closed, a registered address had its link sent again: said to everyone alike.
    in_event_language(request, outcome.event)
    sent_again_to = None
    if outcome.result in (FULL, CLOSED):
        # A registered address has its link sent again, after this answer, which is then
        # the same, and as quick, for any address.
        sent_again_to = email = parsed.registration.email
        mailer, public_url = request.app[MAILER], settings.app.public_url
        after_answer(
            request, lambda connection: send_link_again(connection, mailer, public_url, token, email)
        )
    return invite_page(
        request, outcome.event, outcome.result, parsed.values, {}, status=409, sent_again_to=sent_again_to
    )


@routes.get("/r/{invite_token}/registered", name="registered")
async def registered_page(request: web.Request) -> web.Response:
    event, email, registered_at = await answer_page(request, REGISTERED_PAGE)
    response = render_spliced(
        request,
        "candidates/registered.html",
        {
            "event": shown(event),
            "reminder_coming": reminder_coming(
                event["starts_at"], registered_at, request.app[SETTINGS].candidates.reminder_hours
            ),
            # Registered on the day itself: the next step is now, not "on the day".
            "checkin_open": checkin_open(
                dt.datetime.now(dt.timezone.utc),
                event["starts_at"],
                event["duration_minutes"],
                request.app[SETTINGS].live.checkin_opens_minutes,
            ),
        },
        {"email": readable_domain(email)},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get("/r/{invite_token}/resend", name="registration_resend_page")
async def resend_link_page(request: web.Request) -> web.Response:
    event, email, _ = await answer_page(request, RESENT_PAGE)
    response = render(request, "candidates/link_sent.html", {"event": event, "email": readable_domain(email)})
    response.headers["Cache-Control"] = "no-store"
    return response


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
        event = await queries.event_by_invite_token(connection, token)
    if event is None:
        raise web.HTTPNotFound()
    in_event_language(request, event)
    if refused := await refused_mail_form(request):
        return refused
    mailer, public_url = request.app[MAILER], request.app[SETTINGS].app.public_url
    # Looked up and mailed after the answer, which then takes as long for any address.
    after_answer(request, lambda connection: send_link_again(connection, mailer, public_url, token, email))
    # The answer in the language of the page that asked (a linked one too).
    raise show_answer(request, token, RESENT_PAGE, event["id"], email, request[LANGUAGE])
