"""/metrics (README, "Metrics"): only for the scraper with the token, every figure named,
and the figures move with what happens."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import asyncpg
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families

from app.build_info import build_info
from app.keys import DB_POOL, SETTINGS
from app.localstack.processes import free_port
from app import metrics
from app.metrics import metrics_page

from tests.accounts import sign_up
from tests.candidate_support import make_event, register
from tests.mails import unique_email

NAMES = {
    "snabb_next_to_offer_seconds",
    "snabb_join_seconds",
    "snabb_fanout_round_seconds",
    "snabb_event_view_read_seconds",
    "snabb_errors",
    "snabb_janus_call_failures",
    "snabb_janus_reconnects",
    "snabb_mails_sent",
    "snabb_mails_retried",
    "snabb_mails_failed",
    "snabb_queue_entries",
    "snabb_interviews",
    "snabb_live_sockets",
    "snabb_janus_rooms",
    "snabb_interviews_media_down",
    "snabb_mail_outbox_backlog",
    "snabb_mail_outbox_oldest_age_seconds",
    "snabb_live_events_without_interviewers",
    "snabb_janus_servers",
    "snabb_janus_server_up",
    "snabb_pdf_renders_queued",
    "snabb_build_info",
    "snabb_mails_failed_last_day",
    "snabb_database_up",
}


async def scrape(http, base_url, settings) -> dict[str, dict[tuple, float]]:
    token = settings.app.metrics_token.get_secret_value()
    async with http.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    figures: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            figures.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
        figures.setdefault(family.name, {})
    return figures


async def test_without_the_token_there_is_no_such_page(app_server, settings, http, base_url):
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": settings.app.metrics_token.get_secret_value()},
        {"Authorization": f"Basic {settings.app.metrics_token.get_secret_value()}"},
        {"Authorization": f"Bearer  {settings.app.metrics_token.get_secret_value()}"},
    ):
        async with http.get(f"{base_url}/metrics", headers=headers) as response:
            assert response.status == 404
            assert "snabb_" not in await response.text()


async def test_the_schemes_name_is_read_in_any_case(app_server, settings, http, base_url):
    """A scraper that writes "bearer" (the scheme's name is case-insensitive) is let in."""
    token = settings.app.metrics_token.get_secret_value()
    async with http.get(f"{base_url}/metrics", headers={"Authorization": f"bearer {token}"}) as response:
        assert response.status == 200
        assert "snabb_" in await response.text()


async def test_every_figure_is_named_and_the_figures_move(app_server, settings, http, base_url, db):
    before = await scrape(http, base_url, settings)
    assert NAMES <= set(before), sorted(NAMES - set(before))
    # The fleet's states, as every replica reports them (app/janus/fleet.py).
    assert before["snabb_janus_servers"][(("state", "active"),)] >= 1
    assert {state for ((_, state),) in before["snabb_janus_servers"]} == {
        "active",
        "cordoned",
        "draining",
        "down",
    }
    assert before["snabb_janus_rooms"][(("server", "janus1"),)] >= 0
    built = build_info()  # what runs, as Prometheus's *_info figures say it
    assert before["snabb_build_info"] == {(("commit", built.commit), ("version", built.version)): 1.0}

    await sign_up(http, base_url, settings)  # a confirmation mail goes out
    live = await make_event(db, state="live", starts_in=-dt.timedelta(minutes=1))
    published = await make_event(db)
    status, _ = await register(http, base_url, published["invite_token"], email=unique_email())
    assert status in (200, 303)

    # The mail is counted once its row says sent, a moment after the SMTP server has it.
    for _ in range(100):
        after = await scrape(http, base_url, settings)
        if after["snabb_mails_sent_total"][()] > before["snabb_mails_sent_total"][()]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the mail sent was not counted")
    assert after["snabb_live_events_without_interviewers"][()] >= 1
    assert after["snabb_mail_outbox_oldest_age_seconds"][()] >= 0
    await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", live["id"])
    finished = await scrape(http, base_url, settings)
    assert (
        finished["snabb_live_events_without_interviewers"][()]
        == after["snabb_live_events_without_interviewers"][()] - 1
    )


def test_the_alerts_and_the_dashboard_name_only_figures_that_exist():
    import json
    from pathlib import Path

    import yaml

    folder = Path(__file__).resolve().parents[2] / "config" / "deploy" / "monitoring"
    rules = yaml.safe_load((folder / "alerts.yml").read_text())["groups"][0]["rules"]
    dashboard = json.loads((folder / "grafana-dashboard.json").read_text())
    expressions = [rule["expr"] for rule in rules] + [
        target["expr"] for panel in dashboard["panels"] for target in panel["targets"]
    ]
    named = {name for expression in expressions for name in re.findall(r"\bsnabb_[a-z_]+", expression)}
    known = NAMES | {f"{name}_total" for name in NAMES} | {f"{name}_bucket" for name in NAMES}
    assert named and named <= known, sorted(named - known)
    assert {
        "MailOutboxStuck",
        "JanusDown",
        "DispatchSlow",
        "LiveEventWithoutInterviewers",
        "InterviewsWithoutVideoWhileJanusUp",
        "NoActiveJanusServer",
        "ServerErrors",
    } <= {rule["alert"] for rule in rules}


async def test_a_mail_given_up_is_counted_for_a_day(app_server, settings, http, base_url, db):
    before = (await scrape(http, base_url, settings))["snabb_mails_failed_last_day"][()]
    await db.execute("""
        INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                                 text_body, html_body, failed_at, last_error)
        VALUES ('<given-up@test>', 'gone@example.se', '', 'sv', 'test', 'hej', '', '', now(),
                'SMTPRecipientRefused: 550'),
               ('<long-ago@test>', 'gone@example.se', '', 'sv', 'test', 'hej', '', '',
                now() - interval '2 days', 'SMTPRecipientRefused: 550')""")
    try:
        after = await scrape(http, base_url, settings)
        assert after["snabb_mails_failed_last_day"][()] == before + 1  # not the one of two days ago
        assert after["snabb_database_up"][()] == 1
    finally:
        await db.execute("DELETE FROM mail_outbox WHERE message_id IN ('<given-up@test>', '<long-ago@test>')")


async def scrape_against(settings, database_url: str) -> str:
    """/metrics of an app process whose database is at `database_url`."""
    nobody = await asyncpg.create_pool(database_url, min_size=0)
    app = web.Application()
    app[SETTINGS] = settings
    app[DB_POOL] = nobody
    app.router.add_get("/metrics", metrics_page)
    token = settings.app.metrics_token.get_secret_value()
    try:
        async with TestServer(app, host="127.0.0.1") as server, ClientSession() as client:
            url = server.make_url("/metrics")
            async with client.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
                assert response.status == 200
                return await response.text()
    finally:
        nobody.terminate()


async def test_with_the_database_away_the_process_still_answers_and_says_so(settings):
    """A replica whose database is away is not a replica down: its own figures are served,
    with snabb_database_up at 0 (config/deploy/monitoring/alerts.yml, DatabaseUnavailable)."""
    text = await scrape_against(settings, f"postgresql://snabb@127.0.0.1:{free_port()}/none")
    assert "snabb_database_up 0.0" in text
    assert "snabb_pdf_renders_queued" in text
    assert "snabb_queue_entries" not in text  # the database's figures are not made up


async def test_a_database_that_hangs_does_not_hang_the_scrape(settings, monkeypatch):
    """A PostgreSQL that takes connections and never answers: the scrape answers without its
    figures once the wait is up, before a scraper would give up on the replica."""
    monkeypatch.setattr(metrics, "DATABASE_WAIT_SECONDS", 0.5)
    held: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # kept open, never answered

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        text = await scrape_against(settings, f"postgresql://snabb@127.0.0.1:{port}/none")
    finally:
        server.close()
        for writer in held:
            writer.close()
    assert "snabb_database_up 0.0" in text and "snabb_queue_entries" not in text


async def test_interviews_without_video_are_counted_by_server(app_server, settings, http, base_url, db):
    """An interview whose room was lost with no server to take it (media_lost_at): counted
    under the server its room was on, one that has left the fleet too; every server of the
    fleet has the figure, 0 when none (config/deploy/monitoring/alerts.yml,
    InterviewsWithoutVideoWhileJanusUp)."""
    from tests.integration.live_support import end_media_down_interview, media_down_interview

    event_id, interview = await media_down_interview(db, "janus-left", "Utan bild")
    try:
        figures = (await scrape(http, base_url, settings))["snabb_interviews_media_down"]
        assert figures[(("server", "janus-left"),)] == 1
        assert (("server", "janus1"),) in figures
        rooms = (await scrape(http, base_url, settings))["snabb_janus_rooms"]
        assert rooms[(("server", "janus-left"),)] == 1  # still a room in use there
    finally:
        await end_media_down_interview(db, event_id, interview)
    figures = (await scrape(http, base_url, settings))["snabb_interviews_media_down"]
    assert (("server", "janus-left"),) not in figures
