"""Request middleware: the page language, security headers, and errors as friendly pages."""
from __future__ import annotations

import logging

from aiohttp import web

from app.i18n import COOKIE, negotiate
from app.logs import redact_path
from app.keys import LANGUAGE, SETTINGS
from app.views.pages import render

log = logging.getLogger(__name__)

ERROR_TITLES = {400, 403, 404, 405, 413, 429, 500, 503}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # Camera and microphone only for this site; the call pages need them.
    "Permissions-Policy": "camera=(self), microphone=(self), geolocation=()",
}


@web.middleware
async def language_middleware(request: web.Request, handler):
    request[LANGUAGE] = negotiate(request.cookies.get(COOKIE), request.headers.get("Accept-Language"),
                                request.app[SETTINGS].app.default_language)
    return await handler(request)


def _wants_html(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or not _wants_html(request) or error.status not in ERROR_TITLES:
            raise
        response = render(request, "error.html", {"status": error.status}, status=error.status)
        for name in ("Allow", "WWW-Authenticate", "Retry-After"):
            if name in error.headers:
                response.headers[name] = error.headers[name]
    except Exception:
        # Anything unexpected is our bug: logged with its traceback, shown as a plain page.
        # redact_path: personal links carry their token in the path.
        log.exception("unhandled error in %s %s", request.method, redact_path(request.path))
        if not _wants_html(request):
            return web.json_response({"error": "internal"}, status=500)
        response = render(request, "error.html", {"status": 500}, status=500)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
