"""The summary of an event as a page, a PDF and a CSV file.

Who sees it: the organization's users (/events/{id}/summary…), at any time, so it grows while
the event runs; and the event's interviewers once it has finished, either logged in with an
account linked to the event (same URLs) or through their personal link
(/i/{token}/summary…, where the link's session cookie is sent). Anyone else gets 404, like
every other event page; someone not logged in is asked to log in (or for the link's code).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from app.auth import require_user
from app.events import queries as event_queries
from app.events.rules import is_over
from app.events.tokens import looks_like_link_token
from app.i18n import N_, prefer_language
from app.keys import DB_POOL, LANGUAGE, PDF_WORKERS, RENDERER, SETTINGS
from app.live.access import is_signed_in
from app.summary.csv_file import summary_csv
from app.summary.formats import PdfBusy, PdfUnavailable, font_files
from app.summary.model import (
    INTERVIEWS_PER_PAGE,
    NAMES_SHOWN,
    SORTS,
    format_length,
    interviews_page,
    parse_sort,
)
from app.summary.queries import load_summary
from app.timefmt import in_swedish_time
from app.views.events import event_id_of
from app.views.pages import render
from app.views.roster import page_number

routes = web.RouteTableDef()
FORMATS = {"": "page", ".pdf": "pdf", ".csv": "csv"}


def finished(event) -> bool:
    return is_over(event, dt.datetime.now(dt.timezone.utc))


def sort_links(sort: str, descending: bool) -> dict[str, dict]:
    """Each column's link: the current column's flips the direction, others start ascending."""
    links = {}
    for key in SORTS:
        current = key == sort
        flip = "asc" if current and descending else ("desc" if current else "asc")
        links[key] = {
            "href": "?" + urlencode({"sort": key, "dir": flip}),
            "aria": ("descending" if descending else "ascending") if current else None,
        }
    return links


# Letters that no decomposition takes to ASCII, written as Nordic and German readers would.
_SPELT_OUT = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ł": "l",
        "Ł": "L",
        "œ": "oe",
        "Œ": "OE",
    }
)
SLUG_LENGTH = 60
# What a download is, ending its name in the reader's words (in ASCII: "anmalda").
SUMMARY_FILE = N_("summary")
REGISTERED_FILE = N_("registered")


def slug_of(text: str) -> str:
    """ASCII words of `text` joined by dashes: accents dropped, whatever is no letter or digit
    even then (a dash, a space, another script) parts words ("Örgryte–Härlanda" is
    orgryte-harlanda, not orgryteharlanda)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELT_OUT))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()


def file_name(event, extension: str, what: str = "") -> str:
    """An ASCII name for the download: the title's words, the date it was set for, and
    `what` the file is, in the reader's words ("sammanstallning", "anmalda"): two files of one
    event saved side by side are told apart, not "(1)". A long title is cut after a whole
    word."""
    slug = slug_of(event["title"])
    if len(slug) > SLUG_LENGTH:
        cut = slug[: SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_LENGTH]
    # As planned: an event ended early may have begun before its set start.
    day = in_swedish_time(event.get("planned_starts_at") or event["starts_at"])
    kind = slug_of(what)
    return f"{slug or 'event'}-{day:%Y-%m-%d}{'-' + kind if kind else ''}{extension}"


def private(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def not_yet(request: web.Request, event, fmt: str, back: str) -> web.StreamResponse:
    """An interviewer before the end: a page that says when; the files simply do not exist."""
    ends_at = event["starts_at"] + dt.timedelta(minutes=event["duration_minutes"])
    return private(
        render(
            request,
            "summary/not_yet.html",
            {"event": event, "back": back, "ends_at": ends_at},
            status=200 if fmt == "page" else 404,
        )
    )


async def respond(
    request: web.Request, event, fmt: str, *, base: str, back: str, personal: bool
) -> web.StreamResponse:
    sort, descending = parse_sort(request.query)
    language = request[LANGUAGE]
    async with request.app[DB_POOL].acquire() as connection:
        summary = await load_summary(
            connection,
            event["id"],
            language=language,
            sort=sort,
            descending=descending,
            gettext=request.app[RENDERER].gettext(language),
        )
    query = "?" + urlencode({"sort": sort, "dir": "desc" if descending else "asc"})
    # Candidates' e-mail and phone for the organization's own users only (not an
    # interviewer's copy through their link): on the page and in the PDF and CSV alike.
    contacts = not personal and bool(event.get("editable"))
    context = {
        "event": event,
        "contacts": contacts,
        "summary": summary,
        # The summary's own reading, so the notice and whether those who never checked in
        # are called no-shows agree.
        "finished": summary.over,
        "started": dt.datetime.now(dt.timezone.utc) >= event["starts_at"],
        "length": format_length,
        "local": in_swedish_time,
        "base": base,
        "back": back,
        "query": query,
        "personal": personal,
    }
    if fmt == "page":
        context["sort_links"] = sort_links(sort, descending)
        context["interviews"] = interviews_page(
            summary.groups, page_number(request.query.get("page", "")) or 1
        )
        context["names_shown"] = NAMES_SHOWN
        context["interviews_per_page"] = INTERVIEWS_PER_PAGE
        return private(render(request, "summary/page.html", context))
    if fmt == "csv":
        words = request.app[RENDERER].gettext(language)
        body = summary_csv(summary, words, language, contacts=contacts)
        # The same file is the event page's list of everyone registered: named as it was asked for.
        what = words(REGISTERED_FILE if request.query.get("file") == "registered" else SUMMARY_FILE)
        return private(
            web.Response(
                body=body,
                content_type="text/csv",
                charset="utf-8",
                headers={"Content-Disposition": f'attachment; filename="{file_name(event, ".csv", what)}"'},
            )
        )
    try:
        context.update(
            fonts=font_files(),
            page=Markup("<pdf:pagenumber>"),
            pages=Markup("<pdf:pagecount>"),
            lang=language,
            made_at=dt.datetime.now(dt.timezone.utc),
            public_url=request.app[SETTINGS].app.public_url,
        )
        html = request.app[RENDERER].render(language, "summary/pdf.html", context)
        body = await request.app[PDF_WORKERS].render(html)
    except PdfBusy:
        raise web.HTTPServiceUnavailable(headers={"Retry-After": "10"}) from None
    except PdfUnavailable:
        raise web.HTTPServiceUnavailable() from None
    pdf_name = file_name(event, ".pdf", request.app[RENDERER].gettext(language)(SUMMARY_FILE))
    return private(
        web.Response(
            body=body,
            content_type="application/pdf",
            # Saved, as the button says ("Download PDF"), not opened in the tab.
            headers={"Content-Disposition": f'attachment; filename="{pdf_name}"'},
        )
    )


@routes.get(r"/events/{event_id}/summary{format:(?:\.pdf|\.csv)?}", name="summary")
async def employer_summary(request: web.Request) -> web.StreamResponse:
    fmt = FORMATS[request.match_info["format"]]
    user = require_user(request)
    event_id = event_id_of(request)
    async with request.app[DB_POOL].acquire() as connection:
        event = await event_queries.get_for_user(connection, event_id, user.id, user.organization_id)
    if event is None:
        raise web.HTTPNotFound()
    back = f"/events/{event_id}"
    # The organization sees it grow; an interviewer with an account only once it is over,
    # and never for a cancelled event (as through the personal link).
    if not event["editable"]:
        if event["state"] == "cancelled":
            raise web.HTTPNotFound()
        if not finished(event):
            return not_yet(request, event, fmt, back)
    return await respond(request, event, fmt, base=f"{back}/summary", back=back, personal=False)


@routes.get(r"/i/{token}/summary{format:(?:\.pdf|\.csv)?}", name="interviewer_summary")
async def interviewer_summary(request: web.Request) -> web.StreamResponse:
    fmt = FORMATS[request.match_info["format"]]
    token = request.match_info["token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    async with request.app[DB_POOL].acquire() as connection:
        event = await event_queries.by_interviewer_token(connection, token)
    if event is None or event["state"] == "cancelled" or event["deleted_at"] is not None:
        raise web.HTTPNotFound()
    prefer_language(request, event["interviewer_account_language"])  # as their meeting web
    back = f"/i/{token}"
    if not is_signed_in(request, event["interviewer_id"], event["interviewer_user_id"]):
        raise web.HTTPSeeOther(back)  # the link's page asks for the code
    if not finished(event):
        return not_yet(request, event, fmt, back)
    return await respond(request, event, fmt, base=f"{back}/summary", back=back, personal=True)
