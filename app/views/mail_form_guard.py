"""The limit per client on the public forms that send mail to a typed address
(app/mail_forms.py), as their handlers use it: a refused post gets a page saying when to
try again (429, Retry-After) and nothing is sent."""

from __future__ import annotations

from aiohttp import web

from app import mail_forms
from app.auth.client import client_address
from app.i18n import N_
from app.keys import DB_POOL, LANGUAGE, RENDERER, SETTINGS
from app.views.pages import link_kind, render
from app.views.waits import lock_context, retry_after

REFUSED = N_(
    "Too many mails have been asked for from your network in the last hour. Nothing was sent. "
    "Try again at %(time)s (Swedish time), in %(wait)s."
)


async def refused_mail_form(request: web.Request) -> web.Response | None:
    """None when this client may post the form now (the post is counted); else the page to
    answer with (from an invite link's page, without the account links, as its errors)."""
    per_hour = request.app[SETTINGS].limits.mail_forms_per_hour
    async with request.app[DB_POOL].acquire() as connection:
        until = await mail_forms.take_turn(connection, client_address(request), per_hour)
    if until is None:
        return None
    wait = lock_context(request, until)
    gettext = request.app[RENDERER].translations[request[LANGUAGE]].gettext
    detail = gettext(REFUSED) % {"time": wait["locked_until"], "wait": wait["locked_for"]}
    context = {"status": 429, "detail": detail, "link_kind": link_kind(request.path), "request_id": None}
    response = render(request, "error.html", context, 429)
    response.headers["Retry-After"] = retry_after(until)
    return response
