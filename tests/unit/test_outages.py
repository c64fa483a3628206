"""The database's absence told apart from other failures, and logged once per outage
(app/outages.py)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest

from app import outages
from app.localstack.processes import free_port
from app.outages import Outage, ProcessOutage, from_the_database

LOG = logging.getLogger("test.outages.process")


async def test_a_refused_connection_in_asyncpg_is_the_database_a_hang_up_elsewhere_is_not():
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(f"postgresql://snabb@127.0.0.1:{free_port()}/snabb", timeout=5)
    assert from_the_database(refused.value)
    # A browser that hung up mid-answer raises the same kind of error in other code.
    try:
        raise ConnectionResetError("reset by peer")
    except ConnectionResetError as elsewhere:
        assert not from_the_database(elsewhere)
    assert from_the_database(asyncpg.TooManyConnectionsError("too many"))
    assert not from_the_database(ValueError("a bug"))


async def test_a_time_out_around_asyncpg_is_the_database():
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)  # never answers
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(TimeoutError) as timed_out:
            async with asyncio.timeout(0.2):
                await asyncpg.connect(f"postgresql://snabb@127.0.0.1:{port}/snabb")
        assert from_the_database(timed_out.value)
    finally:
        server.close()
    with pytest.raises(TimeoutError) as elsewhere:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)
    assert not from_the_database(elsewhere.value)


def test_an_outage_is_logged_once_and_once_over(caplog):
    outage = Outage(logging.getLogger("test.outages"), "loop", "trying again", process=ProcessOutage(LOG))
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            outage.seen(ConnectionRefusedError())
        outage.over()
        outage.over()
    assert caplog.text.count("loop: the database is unavailable (ConnectionRefusedError); trying again") == 1
    assert caplog.text.count("loop: the database is back for this part after") == 1
    # The start is a warning; this part's end is news, not a fault.
    levels = [(r.levelname, r.getMessage().split(";")[0]) for r in caplog.records if r.name == "test.outages"]
    assert [level for level, _ in levels] == ["WARNING", "INFO"], levels


def test_without_a_back_line_a_quiet_spell_ends_the_outage(caplog, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    outage = Outage(
        logging.getLogger("test.outages"),
        "pages",
        "answering 503",
        quiet_ends_it=60.0,
        process=ProcessOutage(LOG),
    )
    with caplog.at_level(logging.WARNING, logger="test.outages"):
        for step in (0, 30, 30, 30):  # failures 30 s apart: one outage
            clock[0] += step
            outage.seen(ConnectionRefusedError())
        clock[0] += 61  # a minute without one: the next is another outage
        outage.seen(ConnectionRefusedError())
    assert caplog.text.count("pages: the database is unavailable") == 2


def test_the_back_line_says_milliseconds_under_a_second(caplog, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    outage = Outage(logging.getLogger("test.outages"), "loop", "trying again", process=ProcessOutage(LOG))
    with caplog.at_level(logging.INFO, logger="test.outages"):
        outage.seen(ConnectionResetError())
        clock[0] += 0.004
        outage.over()
        outage.seen(ConnectionRefusedError())
        clock[0] += 41.3
        outage.over()
    assert "loop: the database is back for this part after 4 ms of its own failed tries" in caplog.text
    assert "loop: the database is back for this part after 41.3 s of its own failed tries" in caplog.text


def test_one_hang_met_by_four_parts_each_says_what_it_measured_and_the_process_how_long_it_was(
    caplog, monkeypatch
):
    """A 24 s hang of PostgreSQL (SIGSTOP), met by four parts, each after its own time-out
    and back at its own next try: the parts said "back after 16.4 s", "2.7 s", "2.4 s" and
    "555 ms", as if each were how long the database had been away. Each part's line now says
    it is that part's own tries; one line says the outage as the process saw it."""
    clock = [1000.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    process = ProcessOutage(LOG)
    parts = {
        who: Outage(logging.getLogger("test.outages"), who, "trying again", process=process)
        for who in ("live heartbeat", "live listener", "Janus fleet", "mail outbox")
    }

    def at(seconds: float) -> None:
        clock[0] = 1000.0 + seconds

    with caplog.at_level(logging.INFO):
        at(-0.5)
        for part in parts.values():
            part.over()  # the last answers before the hang, at 999.5 at the latest
        # The hang begins at 0; each part fails when its own time-out ends its try.
        at(7.6)
        parts["live heartbeat"].seen(TimeoutError())
        at(21.3)
        parts["live listener"].seen(TimeoutError())
        at(21.6)
        parts["Janus fleet"].seen(TimeoutError())
        at(23.445)
        parts["mail outbox"].seen(TimeoutError())
        at(24.0)  # the database answers again: the parts find it at their next tries
        parts["live heartbeat"].over()
        at(24.0)
        parts["live listener"].over()
        parts["Janus fleet"].over()
        parts["mail outbox"].over()
    lines = [record.getMessage() for record in caplog.records]
    assert "live heartbeat: the database is back for this part after 16.4 s of its own failed tries" in lines
    assert "live listener: the database is back for this part after 2.7 s of its own failed tries" in lines
    assert "Janus fleet: the database is back for this part after 2.4 s of its own failed tries" in lines
    assert "mail outbox: the database is back for this part after 555 ms of its own failed tries" in lines
    whole = [line for line in lines if line.startswith("the database answers this process again")]
    assert whole == [
        "the database answers this process again: the outage lasted 16.4 s to 24.5 s (from the first "
        "failure, met by live heartbeat, or from the last answer any part had before it)"
    ]
    assert [r.levelname for r in caplog.records if r.getMessage() in whole] == ["WARNING"]


def test_an_outage_from_the_start_says_only_how_long_since_the_first_failure(caplog, monkeypatch):
    clock = [50.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    process = ProcessOutage(LOG)
    outage = Outage(logging.getLogger("test.outages"), "live sweep", "trying again", process=process)
    with caplog.at_level(logging.INFO):
        outage.seen(ConnectionRefusedError())
        clock[0] += 3.0
        outage.over()
        clock[0] += 60.0
        outage.over()  # a success with no outage under way: no line
    assert caplog.text.count("the database answers this process again") == 1
    assert (
        "the outage lasted at least 3.0 s (from the first failure, met by live sweep; "
        "no part had reached it before)" in caplog.text
    )


def test_an_outage_met_at_once_says_one_figure(caplog, monkeypatch):
    """A restarted PostgreSQL refuses at once: the first failure comes with the last answer
    (the same tenth of a second), and "5.2 s to 5.2 s" said nothing twice."""
    clock = [10.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    outage = Outage(
        logging.getLogger("test.outages"), "mail outbox", "trying again", process=ProcessOutage(LOG)
    )
    with caplog.at_level(logging.INFO):
        outage.over()
        clock[0] += 0.02
        outage.seen(ConnectionRefusedError())
        clock[0] += 5.2
        outage.over()
    assert "the database answers this process again: the outage lasted 5.2 s (first met by mail outbox)" in (
        caplog.text
    )


def test_a_try_sent_during_an_outage_that_fails_after_it_is_not_a_new_outage(caplog, monkeypatch):
    """A 24 s hang: the reminders' statement, sent during it, timed out 0.2 s after the
    process had said the database answers again, and a second process line followed, "the
    outage lasted 3 ms to 190 ms". A try that began before the outage ended is part of it;
    one that began after it is a new outage."""
    clock = [100.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    process = ProcessOutage(LOG)
    heartbeat, reminders = (
        Outage(logging.getLogger("test.outages"), who, "trying again", process=process)
        for who in ("live heartbeat", "candidate reminders")
    )
    with caplog.at_level(logging.INFO):
        heartbeat.over()
        reminders_began = clock[0] + 14.0  # its statement, sent into the hang
        clock[0] += 10.0
        heartbeat.seen(TimeoutError(), began=clock[0] - 10.0)
        clock[0] += 14.0
        heartbeat.over()  # back: the process says so
        clock[0] += 0.2
        reminders.seen(TimeoutError(), began=reminders_began)
        clock[0] += 0.19
        heartbeat.over()
        reminders.over()
        assert caplog.text.count("the database answers this process again") == 1
        # A new hang later, met first by a try that began after the last one ended: logged.
        clock[0] += 30.0
        reminders.seen(TimeoutError(), began=clock[0] - 10.0)
        clock[0] += 5.0
        reminders.over()
    assert caplog.text.count("the database answers this process again") == 2
    assert "candidate reminders: the database is unavailable (TimeoutError)" in caplog.text
