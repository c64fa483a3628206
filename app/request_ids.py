"""A request id on every log record of a request, in its response and on its error page
(README, "Logs"), so that a user's "it failed at 14:02" can be found in the logs.

The id is taken from the X-Request-ID header when a proxy in front set one we can read
(nginx's `$request_id`: config/deploy/nginx.conf), else made here. It lives in a context
variable: the records of the request's handler, of what it awaits and of the tasks it starts
carry it; records outside any request carry "-".
"""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar

from aiohttp import web

HEADER = "X-Request-ID"
NONE = "-"
# What we take from a client or proxy: short, and nothing a log line or header could be
# bent by (no spaces, quotes or line breaks).
_READABLE = re.compile(r"[A-Za-z0-9._\-]{1,64}")
current_request_id: ContextVar[str] = ContextVar("request_id", default=NONE)
REQUEST_ID = web.RequestKey("request_id", str)


def new_request_id() -> str:
    # 16 hex digits: unique enough to find one request in a day's logs.
    return secrets.token_hex(8)


def request_id_of(request: web.BaseRequest) -> str:
    given = request.headers.get(HEADER, "")
    return given if _READABLE.fullmatch(given) else new_request_id()


@web.middleware
async def request_id_middleware(request: web.Request, handler):
    """The outermost middleware: everything after it, error pages included, knows the id."""
    request_id = request[REQUEST_ID] = request_id_of(request)
    token = current_request_id.set(request_id)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers[HEADER] = request_id
        raise
    finally:
        # A kept-alive connection serves its next request in the same task: nothing written
        # between the two may carry this id. (The access log takes it from the request.)
        current_request_id.reset(token)
    if not response.prepared:  # a WebSocket or a stream has sent its headers already
        response.headers[HEADER] = request_id
    return response


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in (or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id.get()
        return True
