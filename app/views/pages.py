"""Rendering a page in the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from app.auth import current_user
from app.auth.csrf import csrf_token
from app.i18n import page_context
from app.keys import LANGUAGE, RENDERER, SETTINGS
from app.rendered_once import splicing


def _layout_context(request: web.Request) -> dict[str, Any]:
    """What base.html needs, but the CSRF token."""
    full = page_context(request)
    full["support_email"] = request.app[SETTINGS].app.support_email
    full["development"] = request.app[SETTINGS].development
    full["user"] = current_user(request)
    return full


# The paths of links sent to people without an account: a candidate's personal page, an
# invitation, an interviewer's link. Their error pages show no log-in links (those are for
# employers) and say what helps someone who followed a link from a mail.
LINK_KINDS = {"c": "candidate", "r": "invitation", "i": "interviewer"}


def link_kind(path: str) -> str | None:
    """ "candidate", "invitation" or "interviewer" for a path under /c/, /r/ or /i/, else None."""
    parts = path.split("/", 3)
    if len(parts) < 3 or parts[0]:
        return None
    return LINK_KINDS.get(parts[1])


def _page(html: str, status: int) -> web.Response:
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    full = _layout_context(request)
    full["csrf_token"] = csrf_token(request)
    full.update(context or {})
    return _page(request.app[RENDERER].render(request[LANGUAGE], template, full), status)


def render_spliced(
    request: web.Request,
    template: str,
    context: dict[str, Any],
    personal: Mapping[str, str],
    status: int = 200,
) -> web.Response:
    """render, for a page seen by many visitors who are not logged in that differs between
    them only in `personal` values it prints (and the CSRF token): rendered once per
    `context` and language, the values spliced in (app/rendered_once.py)."""
    if current_user(request) is not None:
        return render(request, template, {**context, **personal}, status)
    shared = _layout_context(request) | context
    html = splicing(request.app[RENDERER]).render(
        request[LANGUAGE], template, shared, {"csrf_token": csrf_token(request), **personal}
    )
    return _page(html, status)
