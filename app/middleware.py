"""Request middleware: the page language, errors as friendly pages (the database away as a
503 that says to try again, logged once per outage), a page asked for with a
slash after it sent to its address, and bodies in a character set nobody can read refused
before anything reads them. Security headers: app/headers.py."""

from __future__ import annotations

import logging

from aiohttp import web
from yarl import URL

from app.i18n import COOKIE, N_, negotiate
from app.keys import LANGUAGE, RENDERER, SETTINGS
from app.logs import redact_path
from app.metrics import METRICS
from app.outages import Outage, from_the_database
from app.request_ids import REQUEST_ID
from app.views.pages import link_kind, render

log = logging.getLogger(__name__)

ERROR_TITLES = {400, 403, 404, 405, 413, 429, 500, 503}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
UNKNOWN_CHARSET = N_(
    "The text was sent in a character encoding this service does not know. Send it as UTF-8."
)


@web.middleware
async def trailing_slash_middleware(request: web.Request, handler):
    """A page asked for with a slash after its address (a personal link as some mail readers
    and copy-paste leave it: /c/…/) is sent to the address without it, when that is a page.
    GET and HEAD only: a form or an API call to a wrong address is answered as it is."""
    path = request.rel_url.raw_path
    if (
        request.method in ("GET", "HEAD")
        and request.match_info.http_exception is not None
        and len(path) > 1
        and path.endswith("/")
        and not path.startswith(("//", "/\\"))  # never a redirect that could leave the site
    ):
        stripped = URL.build(
            path=path.rstrip("/") or "/", query_string=request.rel_url.raw_query_string, encoded=True
        )
        match = await request.app.router.resolve(request.clone(rel_url=stripped))
        if match.http_exception is None:
            raise web.HTTPMovedPermanently(str(stripped))
    return await handler(request)


@web.middleware
async def language_middleware(request: web.Request, handler):
    request[LANGUAGE] = negotiate(
        request.cookies.get(COOKIE),
        request.headers.get("Accept-Language"),
        request.app[SETTINGS].app.default_language,
    )
    return await handler(request)


def _wants_html(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


# Errors that may pass by themselves: the page offers to try again.
PASSING = {429, 500, 503}


def _error_context(request: web.Request, status: int) -> dict:
    # The reference lets support find the request's log lines from what the user reports.
    context = {"status": status, "request_id": request.get(REQUEST_ID), "link_kind": link_kind(request.path)}
    if status in PASSING:
        # The same page again, with one leading slash ("//host", or a backslash for either
        # slash, would be another site); a form sent is not sent again by a link, so the
        # person is told to go back to it.
        context["retry"] = "/" + request.path_qs.lstrip("/\\") if request.method in ("GET", "HEAD") else ""
    return context


# How long a browser or client is asked to wait before it tries again.
RETRY_AFTER_OUTAGE = "5"
# Most pages never ask the database, so an answered page does not show it is back: the
# outage is taken as over after a minute with no page meeting it.
PAGES_OUTAGE = Outage(log, "pages", "answering 503, try again", quiet_ends_it=60.0)


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or not _wants_html(request) or error.status not in ERROR_TITLES:
            raise
        response = render(request, "error.html", _error_context(request, error.status), status=error.status)
        for name in ("Allow", "WWW-Authenticate", "Retry-After"):
            if name in error.headers:
                response.headers[name] = error.headers[name]
    except Exception as error:
        if isinstance(error, ConnectionResetError) and (
            request.transport is None or request.transport.is_closing()
        ):
            # The client went away while sending its body (a phone off the network mid-form):
            # nothing of ours failed, and nobody is left to answer. (A reset of our own, the
            # database's say, goes on below.)
            log.info("the client went away during %s %s", request.method, redact_path(request.path))
            return web.Response(status=400, text="connection lost")
        if from_the_database(error):
            return _database_away(request, error)
        # Anything unexpected is our bug: logged with its traceback, shown as a plain page.
        # redact_path: personal links carry their token in the path.
        log.exception("unhandled error in %s %s", request.method, redact_path(request.path))
        METRICS.errors.labels(code="http_500").inc()
        if not _wants_html(request):
            return web.json_response({"error": "internal", "request_id": request.get(REQUEST_ID)}, status=500)
        response = render(request, "error.html", _error_context(request, 500), status=500)
    return response


def _database_away(request: web.Request, error: Exception) -> web.Response:
    """The database away (restarting, unreachable, cut off): not our bug, and it passes.
    Logged once per outage, not a traceback per page; the page says to try again."""
    PAGES_OUTAGE.seen(error)
    METRICS.errors.labels(code="http_503").inc()
    headers = {"Retry-After": RETRY_AFTER_OUTAGE}
    if not _wants_html(request):
        body = {"error": "unavailable", "request_id": request.get(REQUEST_ID)}
        return web.json_response(body, status=503, headers=headers)
    response = render(request, "error.html", _error_context(request, 503), status=503)
    response.headers.update(headers)
    return response


@web.middleware
async def body_size_middleware(request: web.Request, handler):
    """A body declared larger than any page takes (the application's client_max_size) is
    refused at once, not waited for and then refused."""
    declared = request.content_length
    if declared is not None and declared > request.client_max_size:
        raise web.HTTPRequestEntityTooLarge(max_size=request.client_max_size, actual_size=declared)
    return await handler(request)


def charset_is_known(name: str) -> bool:
    """Whether bytes can be decoded as text in `name`: the very call aiohttp's form and JSON
    readers make, on one byte (an empty string is not decoded at all). Unknown names and
    codecs that are not text ("rot13", "base64") raise LookupError, "undefined" raises
    UnicodeError; a real charset at most finds the byte incomplete (UTF-16)."""
    try:
        b"a".decode(name)
    except UnicodeDecodeError:
        return True
    except (LookupError, ValueError):
        return False
    return True


@web.middleware
async def charset_middleware(request: web.Request, handler):
    """A body declared in a character set Python cannot decode is a 400 with a clear message
    here, before the CSRF check or any handler reads it (they would fail with LookupError)."""
    charset = request.charset
    if (
        charset is None
        or charset_is_known(charset)
        or (not request.body_exists and request.method in SAFE_METHODS)
    ):
        return await handler(request)
    message = request.app[RENDERER].gettext(request[LANGUAGE])(UNKNOWN_CHARSET)
    if _wants_html(request):
        return render(request, "error.html", dict(_error_context(request, 400), detail=message), status=400)
    return web.json_response({"error": "unknown_charset", "message": message}, status=400)
