"""Typed keys for what the application shares between handlers (docs/architecture.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg
from aiohttp import web

from app.settings import Settings

if TYPE_CHECKING:
    from app.auth import CurrentUser  # noqa: F401 (named in the RequestKey below)
    from app.i18n import Renderer  # noqa: F401 (named in the AppKey below)
    from app.janus.pool import JanusPool  # noqa: F401
    from app.live.hub import Hub  # noqa: F401
    from app.live.pings import PingSweep  # noqa: F401
    from app.mail.outbox import Mailer  # noqa: F401
    from app.summary.formats import PdfWorkers  # noqa: F401

SETTINGS = web.AppKey("settings", Settings)
DB_POOL = web.AppKey("db_pool", asyncpg.Pool)
# A few connections of their own for the live actions that move an interview (next, accept,
# end ...: app/live/actions.py), so that they never wait behind the reads of a busy event.
URGENT_POOL = web.AppKey("urgent_pool", asyncpg.Pool)
JANUS: web.AppKey[JanusPool] = web.AppKey("janus")
RENDERER: web.AppKey[Renderer] = web.AppKey("renderer")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
LIVE_HUB: web.AppKey[Hub] = web.AppKey("live_hub")
LIVE_PINGS: web.AppKey[PingSweep] = web.AppKey("live_pings")  # every live socket's pings
PDF_WORKERS: web.AppKey[PdfWorkers] = web.AppKey("pdf_workers")  # the summary's PDF rendering processes

# Per request: the page language, "sv" or "en".
LANGUAGE = web.RequestKey("lang", str)
# Per request: the logged-in user, or None (set by app.auth.middleware).
USER: web.RequestKey[CurrentUser | None] = web.RequestKey("user")
