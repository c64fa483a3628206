"""Rendering a page in the request's language."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from app.auth import current_user
from app.auth.csrf import csrf_token
from app.i18n import page_context
from app.keys import LANGUAGE, RENDERER, SETTINGS


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    full = page_context(request)
    full["support_email"] = request.app[SETTINGS].app.support_email
    full["development"] = request.app[SETTINGS].development
    full["user"] = current_user(request)
    full["csrf_token"] = csrf_token(request)
    full.update(context or {})
    html = request.app[RENDERER].render(request[LANGUAGE], template, full)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
