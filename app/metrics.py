"""Metrics for the people who run the service, at /metrics in Prometheus's text format
(README, "Metrics"). Not public: the scraper sends `Authorization: Bearer <app.metrics_token>`;
without the token, or with none configured, /metrics is a 404 like any unknown page.

Two kinds of figures:
- what this process measures as it works (histograms of times, counters of errors, Janus
  failures and mails), kept in `METRICS` for the life of the process;
- what the database says at the moment of the scrape (queues, interviews, sockets, the mail
  outbox, events without interviewers): read when /metrics is asked, so every replica
  reports the same whole-service figures and a dead replica's leftovers show too.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.build_info import build_info
from app.keys import DB_POOL, JANUS, PDF_WORKERS, SETTINGS
from app.mail.store import outbox_counts
from app.outages import from_the_database

# From a few milliseconds (a dispatch on an idle database) to the time-outs of a call.
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The figures this process measures. One per process: Prometheus scrapes processes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.next_to_offer = Histogram(
            "snabb_next_to_offer_seconds",
            "An interviewer's Next or Pick received until the offer is sent to the candidate.",
            registry=r,
            buckets=SECONDS,
        )
        self.join = Histogram(
            "snabb_join_seconds",
            "Join pressed until the other side's video shows, as the pages report it.",
            ["role"],
            registry=r,
            buckets=SECONDS,
        )
        self.fanout_round = Histogram(
            "snabb_fanout_round_seconds",
            "One refresh round of an event's sockets.",
            registry=r,
            buckets=SECONDS,
        )
        self.event_view_read = Histogram(
            "snabb_event_view_read_seconds", "One read of an event's live view.", registry=r, buckets=SECONDS
        )
        self.errors = Counter(
            "snabb_errors_total",
            "Errors answered, by code (live channel error codes; http_500 for pages, http_503 for pages while the database is away).",
            ["code"],
            registry=r,
        )
        self.paced = Counter(
            "snabb_live_messages_paced_total",
            "Realtime messages read only after a wait: their socket sent faster than a page does (app/live/pace.py).",
            registry=r,
        )
        self.janus_failures = Counter(
            "snabb_janus_call_failures_total", "Janus requests that failed.", ["server"], registry=r
        )
        self.janus_reconnects = Counter(
            "snabb_janus_reconnects_total",
            "Connections to a Janus server made again after one was lost.",
            ["server"],
            registry=r,
        )
        self.mails_sent = Counter("snabb_mails_sent_total", "Mails the SMTP server took.", registry=r)
        self.mails_retried = Counter(
            "snabb_mails_retried_total",
            "Mail attempts that failed for now and will be tried again.",
            registry=r,
        )
        self.mails_failed = Counter("snabb_mails_failed_total", "Mails given up for good.", registry=r)

    @contextmanager
    def timed(self, histogram, **labels) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            (histogram.labels(**labels) if labels else histogram).observe(time.perf_counter() - started)


METRICS = Metrics()


class ScrapeTimeFigures(Collector):
    """Gauges from a snapshot that the /metrics handler reads just before it renders."""

    def __init__(self) -> None:
        self.families: list[GaugeMetricFamily] = []

    def collect(self):
        yield from self.families


_SCRAPED = ScrapeTimeFigures()
# How long a scrape waits for the database's figures before it answers without them.
DATABASE_WAIT_SECONDS = 5.0
METRICS.registry.register(_SCRAPED)


def _gauge(name: str, documentation: str, labels: list[str], rows) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for *values, figure in rows:
        family.add_metric([str(v) for v in values], float(figure))
    return family


async def _database_figures(connection: asyncpg.Connection) -> list[GaugeMetricFamily]:
    queue = await connection.fetch("""
        SELECT e.state::text, q.state, count(*) FROM queue_entry q JOIN event e ON e.id = q.event_id
        WHERE q.state IN ('waiting', 'offered', 'interviewing', 'away')
        GROUP BY 1, 2 ORDER BY 1, 2""")
    interviews = await connection.fetch("""
        SELECT e.state::text, i.state, count(*) FROM interview i JOIN event e ON e.id = i.event_id
        WHERE i.state IN ('offered', 'active') GROUP BY 1, 2 ORDER BY 1, 2""")
    sockets = await connection.fetch("""
        SELECT CASE WHEN candidate_id IS NOT NULL THEN 'candidate' ELSE 'interviewer' END,
               count(*) FROM live_connection GROUP BY 1 ORDER BY 1""")
    # Every server of the fleet (app/janus/fleet.py), one with no room too; a server that
    # left the fleet while it still had rooms as well. With the rooms, those among them
    # whose video is down (the room lost, no server to take it: app/live/reconciler.py):
    # the same few live rows (interview_live_server_idx), read once.
    rooms = await connection.fetch("""
        SELECT coalesce(s.name, i.janus_server), count(i.id),
               count(i.id) FILTER (WHERE i.media_lost_at IS NOT NULL)
        FROM janus_server s
        FULL JOIN (SELECT id, janus_server, media_lost_at FROM interview
                   WHERE state IN ('offered', 'active') AND janus_server IS NOT NULL) i
          ON i.janus_server = s.name
        GROUP BY 1 ORDER BY 1""")
    # Down: every replica whose report holds finds it lost (migration 0025).
    fleet_states = await connection.fetch("""
        SELECT CASE WHEN h.down THEN 'down' ELSE s.state END, count(*)
        FROM janus_server s JOIN janus_server_seen h ON h.server = s.name GROUP BY 1""")
    by_state = {"active": 0, "cordoned": 0, "draining": 0, "down": 0} | dict(fleet_states)
    outbox = await outbox_counts(connection)
    # As the operations page's flag (app/ops.py LiveEvent.unattended): an event is live from
    # when check-in opens, before its start, when nobody is interviewing yet as a rule.
    unattended = await connection.fetchval("""
        SELECT count(*) FROM event e WHERE e.state = 'live'
          AND (e.starts_at <= now() OR EXISTS (
                 SELECT 1 FROM queue_entry q WHERE q.event_id = e.id AND q.state = 'waiting'))
          AND NOT EXISTS (
            SELECT 1 FROM interviewer_presence p WHERE p.event_id = e.id AND p.connected)""")
    return [
        _gauge(
            "snabb_queue_entries",
            "Candidates in queues, by event state and place state.",
            ["event_state", "state"],
            queue,
        ),
        _gauge(
            "snabb_interviews",
            "Interviews offered or running, by event state.",
            ["event_state", "state"],
            interviews,
        ),
        _gauge(
            "snabb_live_sockets",
            "Open event-day sockets of candidates and interviewers (all processes).",
            ["role"],
            sockets,
        ),
        _gauge(
            "snabb_janus_rooms",
            "Rooms of offered and running interviews per Janus server.",
            ["server"],
            [(server, in_use) for server, in_use, _ in rooms],
        ),
        _gauge(
            "snabb_interviews_media_down",
            "Interviews offered or running whose video is down: their room on this Janus server "
            "was lost and no server could take them (their clocks stand still).",
            ["server"],
            [(server, down) for server, _, down in rooms],
        ),
        _gauge(
            "snabb_janus_servers",
            "Janus servers of the fleet by state: active, cordoned, "
            "draining, or down while every replica that reports it finds it lost.",
            ["state"],
            sorted(by_state.items()),
        ),
        _gauge("snabb_mail_outbox_backlog", "Mails waiting to be sent.", [], [(outbox.backlog,)]),
        _gauge(
            "snabb_mail_outbox_oldest_age_seconds",
            "Age of the oldest mail waiting.",
            [],
            [(outbox.oldest_seconds,)],
        ),
        _gauge(
            "snabb_mails_failed_last_day",
            "Mails given up in the last 24 hours (the relay refused them for good).",
            [],
            [(outbox.failed_last_day,)],
        ),
        _gauge(
            "snabb_live_events_without_interviewers",
            "Live events that have started or have candidates waiting, with no interviewer connected.",
            [],
            [(unattended,)],
        ),
    ]


def _process_figures(app: web.Application) -> list[GaugeMetricFamily]:
    servers = app[JANUS].health() if JANUS in app else {}
    pdf = app[PDF_WORKERS].pending if PDF_WORKERS in app else 0
    built = build_info()
    return [
        _gauge(
            "snabb_janus_server_up",
            "1 when this process's connection to the Janus server is ok.",
            ["server"],
            [(name, state == "ok") for name, state in sorted(servers.items())],
        ),
        _gauge("snabb_pdf_renders_queued", "Summary PDFs being made or waiting.", [], [(pdf,)]),
        _gauge(
            "snabb_build_info",
            "Always 1: the version and git commit this process runs (app/build_info.py).",
            ["version", "commit"],
            [(built.version, built.commit, 1)],
        ),
    ]


def _authorized(request: web.Request) -> bool:
    token = request.app[SETTINGS].app.metrics_token.get_secret_value()
    # The scheme's name in any case (RFC 9110 11.1: "bearer" is Bearer), the token exactly.
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


async def metrics_page(request: web.Request) -> web.Response:
    if not _authorized(request):
        raise web.HTTPNotFound()
    # While the database is away the process's own figures are still served, with
    # snabb_database_up at 0: a scrape that failed or timed out would read as the replica
    # itself down. Bounded well inside a scraper's own time-out (Prometheus: 10 s).
    try:
        async with asyncio.timeout(DATABASE_WAIT_SECONDS):
            async with request.app[DB_POOL].acquire() as connection:
                families = await _database_figures(connection)
        reached = True
    except Exception as error:
        # Away, hung, or refusing this process (a password changed under it).
        refused = isinstance(error, asyncpg.InvalidAuthorizationSpecificationError)
        if not (isinstance(error, TimeoutError) or refused or from_the_database(error)):
            raise
        families, reached = [], False
    database_up = _gauge(
        "snabb_database_up", "1 when this process reached the database for this scrape.", [], [(reached,)]
    )
    _SCRAPED.families = families + _process_figures(request.app) + [database_up]
    body = generate_latest(METRICS.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


routes = web.RouteTableDef()
routes.get("/metrics")(metrics_page)
