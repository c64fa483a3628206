"""The ids in paths (`/events/7/candidates/12/erase`): plain ASCII digits only, without
leading zeros, so that "07", "+7", " 7", "7_0", a full-width "７" or an Arabic-Indic "٧" (all
of which int() reads as 7, and a route's `\\d` matches) are not other names of the same row:
404, as for an id that does not exist."""

from __future__ import annotations

from aiohttp import web

BIGINT_END = 2**63  # ids are PostgreSQL bigints


def path_id(request: web.Request, name: str) -> int:
    text = request.match_info[name]
    if not (text.isascii() and text.isdigit() and len(text) <= 19) or text.startswith("0"):
        raise web.HTTPNotFound()
    value = int(text)
    if not 0 < value < BIGINT_END:
        raise web.HTTPNotFound()
    return value
