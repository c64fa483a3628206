"""create_app(settings): the one place the aiohttp application is put together."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from app.after_answer import after_answers
from app.auth.middleware import auth_middleware
from app.candidates.reminders import candidate_reminders
from app.db import database_pool
from app.gc_tuning import setup_garbage_collector
from app.health_listener import health_listener
from app.i18n import Renderer
from app.janus.pool import janus_pool
from app.live.connections import live_connections
from app.live.drain import setup_drain
from app.live.hub import live_hub
from app.live.pings import live_pings
from app.live.media import record_media_events
from app.live.reconciler import room_reconciler
from app.live.sweeper import live_sweeper
from app.keys import MAILER, RENDERER, SETTINGS
from app.logs import AccessLogger, http_server_logger
from app.mail import Mailer
from app.mail.worker import mail_worker
from app import headers
from app import metrics
from app.views import join_time, ops_page
from app.middleware import (
    body_size_middleware,
    charset_middleware,
    error_middleware,
    language_middleware,
    trailing_slash_middleware,
)
from app.request_ids import request_id_middleware
from app.paths import STATIC_DIR
from app.retention import retention_worker
from app.settings import Settings
from app.summary.formats import pdf_workers
from app.views import (
    dev_mail,
    event_changes,
    event_ending,
    events,
    health,
    interviewer_link,
    janus_events,
    join,
    landing,
    language,
)
from app.views import account_page, accounts, colleagues, password_reset, signup
from app.views import (
    candidate_actions,
    candidate_admin,
    candidate_erasure,
    candidate_page,
    candidate_pin,
    live_sockets,
    register_again,
    registration,
)
from app.views import help as help_page, texts
from app.views import summary
from app.views import organizer_live
from app.views import link_locks_admin
from app.views import form_addresses, roster
from app.views.janus_events import EVENT_SUBSCRIBERS
from app import unreadable_requests

# How aiohttp's server runs the application, for `python -m app` and the tests alike.
# auto_decompress off: browsers never compress what they send, and a body that says
# "Content-Encoding: gzip" but is not would otherwise fail inside aiohttp's reading of it,
# outside every handler and middleware, as a 500 or a logged traceback. Left as it is, such
# a body is simply a malformed form or JSON, refused like any other.
SERVER_OPTIONS: dict[str, Any] = {
    "access_log_class": AccessLogger,
    "auto_decompress": False,
    "logger": http_server_logger(),
}


def create_app(settings: Settings) -> web.Application:
    unreadable_requests.install()
    # auth inside error: a refused or failed request still gets a friendly page. The charset
    # check before auth: the CSRF check is the first to read a form.
    # The request id first: every record and every error page of the request carries it.
    app = web.Application(
        middlewares=[
            request_id_middleware,
            language_middleware,
            error_middleware,
            body_size_middleware,
            trailing_slash_middleware,
            charset_middleware,
            auth_middleware,
        ],
        client_max_size=1024 * 1024,
    )
    app[SETTINGS] = settings
    headers.install(app)
    app[RENDERER] = Renderer()
    app[MAILER] = Mailer(settings, app[RENDERER])
    app[EVENT_SUBSCRIBERS] = [record_media_events]
    app.cleanup_ctx.append(database_pool)
    app.cleanup_ctx.append(after_answers)  # after the pool: finishes before it closes
    app.cleanup_ctx.append(janus_pool)
    # The process's identity and heartbeat before the mail worker: its claims carry it.
    app.cleanup_ctx.append(live_connections)
    if settings.mail.worker_in_app:  # else `python -m app.mail` sends (DEPLOYMENT.md)
        app.cleanup_ctx.append(mail_worker)  # after the pool: stops before it closes
    app.cleanup_ctx.append(candidate_reminders)
    app.cleanup_ctx.append(retention_worker)
    app.cleanup_ctx.append(live_sweeper)
    app.cleanup_ctx.append(room_reconciler)
    app.cleanup_ctx.append(live_hub)
    app.cleanup_ctx.append(live_pings)
    app.cleanup_ctx.append(pdf_workers)
    # Last: its probes read the Janus pool and the drain flag; it stops before they do.
    app.cleanup_ctx.append(health_listener)
    # After every resource above has started, and after they have all stopped.
    setup_garbage_collector(app)
    setup_drain(app)  # SIGTERM: live sockets are sent elsewhere before the rest stops
    # The live sockets' routes first: aiohttp tries the routes under /c and /i in the order
    # they were added, and a reconnect storm is thousands of these at once.
    app.router.add_routes(live_sockets.routes)
    for module in (
        landing,
        language,
        health,
        janus_events,
        join,
        events,
        event_changes,
        event_ending,
        interviewer_link,
        accounts,
        signup,
        account_page,
        password_reset,
        colleagues,
    ):
        app.router.add_routes(module.routes)
    for module in (
        registration,
        candidate_page,
        candidate_pin,
        candidate_actions,
        register_again,
        candidate_admin,
        candidate_erasure,
        texts,
        help_page,
    ):
        app.router.add_routes(module.routes)
    app.router.add_routes(summary.routes)
    app.router.add_routes(metrics.routes)
    app.router.add_routes(ops_page.routes)
    app.router.add_routes(join_time.routes)
    app.router.add_routes(organizer_live.routes)
    app.router.add_routes(link_locks_admin.routes)
    app.router.add_routes(roster.routes)
    # After every form's own route: a GET on a form's address goes to the form's page.
    app.router.add_routes(form_addresses.routes)
    if settings.development:
        app.router.add_routes(dev_mail.routes)
    app.router.add_static("/static", STATIC_DIR, name="static", append_version=True)
    return app
