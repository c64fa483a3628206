"""create_app(settings): the one place the aiohttp application is put together."""
from __future__ import annotations

from aiohttp import web

from app.db import database_pool
from app.i18n import ROOT, Renderer
from app.janus.pool import janus_pool
from app.keys import RENDERER, SETTINGS
from app.middleware import error_middleware, language_middleware
from app.settings import Settings
from app.views import dev_mail, health, janus_events, join, landing, language
from app.views.janus_events import EVENT_SUBSCRIBERS

STATIC_DIR = ROOT / "web" / "static"


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[language_middleware, error_middleware],
                          client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[RENDERER] = Renderer()
    app[EVENT_SUBSCRIBERS] = []
    app.cleanup_ctx.append(database_pool)
    app.cleanup_ctx.append(janus_pool)
    for module in (landing, language, health, janus_events, join):
        app.router.add_routes(module.routes)
    if settings.development:
        app.router.add_routes(dev_mail.routes)
    app.router.add_static("/static", STATIC_DIR, name="static", append_version=True)
    return app
