"""create_app(settings): the one place the aiohttp application is put together."""
from __future__ import annotations

from aiohttp import web

from app.auth.middleware import auth_middleware
from app.candidates.reminders import candidate_reminders
from app.db import database_pool
from app.i18n import Renderer
from app.janus.pool import janus_pool
from app.live.connections import live_connections
from app.live.drain import setup_drain
from app.live.hub import live_hub
from app.live.media import record_media_events
from app.live.reconciler import room_reconciler
from app.live.sweeper import live_sweeper
from app.keys import MAILER, RENDERER, SETTINGS
from app.mail import Mailer
from app.mail.worker import mail_worker
from app.middleware import error_middleware, language_middleware
from app.paths import STATIC_DIR
from app.settings import Settings
from app.summary.formats import pdf_workers
from app.views import (dev_mail, event_changes, events, health, interviewer_link, janus_events,
                       join, landing, language)
from app.views import account_page, accounts, colleagues, password_reset
from app.views import candidate_admin, candidate_page, live_sockets, registration
from app.views import help as help_page, texts
from app.views import summary
from app.views import organizer_live
from app.views.janus_events import EVENT_SUBSCRIBERS


def create_app(settings: Settings) -> web.Application:
    # auth inside error: a refused or failed request still gets a friendly page.
    app = web.Application(middlewares=[language_middleware, error_middleware, auth_middleware],
                          client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[RENDERER] = Renderer()
    app[MAILER] = Mailer(settings, app[RENDERER])
    app[EVENT_SUBSCRIBERS] = [record_media_events]
    app.cleanup_ctx.append(database_pool)
    app.cleanup_ctx.append(janus_pool)
    app.cleanup_ctx.append(mail_worker)  # after the pool: stops before it closes
    app.cleanup_ctx.append(candidate_reminders)
    app.cleanup_ctx.append(live_connections)
    app.cleanup_ctx.append(live_sweeper)
    app.cleanup_ctx.append(room_reconciler)
    app.cleanup_ctx.append(live_hub)
    app.cleanup_ctx.append(pdf_workers)
    setup_drain(app)  # SIGTERM: live sockets are sent elsewhere before the rest stops
    for module in (landing, language, health, janus_events, join, events, event_changes,
                   interviewer_link, accounts, account_page, password_reset, colleagues):
        app.router.add_routes(module.routes)
    for module in (registration, candidate_page, candidate_admin, live_sockets, texts, help_page):
        app.router.add_routes(module.routes)
    app.router.add_routes(summary.routes)
    app.router.add_routes(organizer_live.routes)
    if settings.development:
        app.router.add_routes(dev_mail.routes)
    app.router.add_static("/static", STATIC_DIR, name="static", append_version=True)
    return app
