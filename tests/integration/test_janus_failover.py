"""A Janus lost in the middle of an interview (app/live/reconciler.py, README.md "Media
server failure"): noticed within seconds, whether it dies (its socket closes) or freezes
(its keepalives go unanswered); its interviews moved at once to a healthy server; with none
left, the interview's clock stops, both sides and the organizer are told, and the interview
resumes by itself, its end moved on by the time lost, when a server is back (in a new room,
or in its own when the lost server hung and answers again)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import time
import uuid

import pytest_asyncio

from app.janus.connection import JanusConnection
from app.janus.pool import JanusPool
from app.janus.rooms import room_exists
from app.keys import DB_POOL, JANUS, SETTINGS
from app.live.event_view import read_event_view
from app.live.organizer import organizer_state
from app.live.reconciler import Reconciler
from app.live.sweeper import sweep_once
from app.summary.lengths import call_length
from tests.integration.failover_support import called_in, kill, until
from tests.stopping import freeze


@pytest_asyncio.fixture
async def watched(own_janus):
    """A connection to the test's own Janus whose changes are counted; a call may take 30 s
    but a keepalive only 1 s."""
    settings, janus = own_janus
    changes: list[str] = []
    conn = JanusConnection(
        settings.janus.servers[0],
        settings.janus.admin_secret.get_secret_value(),
        call_timeout=30.0,
        keepalive_interval=0.5,
        reconnect_max_delay=0.5,
        keepalive_timeout=1.0,
        on_change=lambda: changes.append(conn.state),
    )
    task = asyncio.create_task(conn.run())
    await conn.wait_ready(10)
    try:
        yield conn, janus, changes
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await conn.close()
        if janus.running:
            os.kill(janus.process.pid, signal.SIGCONT)


async def test_a_killed_janus_is_lost_at_once_and_its_return_is_told(watched):
    conn, janus, changes = watched
    assert changes == ["ok"] and conn.down_seconds() == 0
    killed = kill(janus)
    await until(lambda: _async(conn.state != "ok" and changes[-1] != "ok"))
    print(f"killed Janus noticed after {time.monotonic() - killed:.2f} s")
    assert conn.down_seconds() > 0
    janus.start()
    await until(lambda: _async(conn.state == "ok" and changes[-1] == "ok"))
    assert conn.down_seconds() == 0


async def test_the_reconciler_knows_when_a_server_down_now_counts_as_lost(watched, own_janus):
    """A loss told while a round was due anyway (a second server lost just after the first)
    must not wait for the periodic round: the reconciler's next round is due when the server
    has been down for `janus.lost_after`."""
    conn, janus, _changes = watched
    pool = JanusPool(own_janus[0].janus.model_copy(update={"lost_after": 30.0}))
    pool.connections = {conn.name: conn}
    reconciler = Reconciler(None, pool)
    assert reconciler.next_loss_in() is None
    kill(janus)
    await until(lambda: _async(conn.state != "ok"))
    due = reconciler.next_loss_in()
    assert due is not None and 0 < due < 30
    pool.settings = pool.settings.model_copy(update={"lost_after": 0.5})
    await until(lambda: _async(reconciler.next_loss_in() is None))
    assert conn.down_seconds() >= 0.5


async def test_a_frozen_janus_is_lost_by_its_unanswered_keepalive(watched):
    """Its socket stays open; calls could wait 30 s; the 1 s keepalive tells it."""
    conn, janus, changes = watched
    freeze(janus.process.pid)
    frozen = time.monotonic()
    await until(lambda: _async(conn.state != "ok"), seconds=20)
    print(f"frozen Janus noticed after {time.monotonic() - frozen:.2f} s")
    assert "keepalive" in conn.state and changes[-1] != "ok"
    os.kill(janus.process.pid, signal.SIGCONT)
    await until(lambda: _async(conn.state == "ok"), seconds=20)


async def _async(value):
    return value


async def test_a_killed_janus_moves_its_interview_without_waiting_for_a_round(
    app_server, settings, db, own_janus
):
    solo_settings, solo = own_janus
    servers = [solo_settings.janus.servers[0], *settings.janus.servers]
    async with called_in(db, settings, servers) as call:
        candidate, lobby, interview_id = call.candidate, call.lobby, call.interview_id
        assert (await db.fetchval("SELECT janus_server FROM interview WHERE id = $1", interview_id)) == "solo"
        await candidate.request({"ticket"}, type="accept")
        marks = len(candidate.messages), len(lobby.messages)

        killed = kill(solo)
        for side, mark in zip((candidate, lobby), marks):
            await side.wait_for(lambda m: m["type"] == "room_changed", timeout=30, after=mark)
        print(f"kill → room_changed on both sides: {time.monotonic() - killed:.2f} s")
        row = await db.fetchrow(
            """SELECT janus_server, room_id, room_generation,
                                          media_lost_at, state FROM interview WHERE id = $1""",
            interview_id,
        )
        assert (row["janus_server"], row["room_generation"], row["state"]) == (
            settings.janus.servers[0].name,
            1,
            "active",
        )
        assert row["media_lost_at"] is None  # another server took it: no outage
        assert await room_exists(call.app[JANUS].connection(row["janus_server"]), row["room_id"])
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"


def _media(message: dict, value: str) -> bool:
    return message["type"] == "state" and (message.get("interview") or {}).get("media") == value


async def test_with_no_janus_left_the_clock_stops_everyone_is_told_and_it_resumes(
    app_server, settings, db, own_janus
):
    solo_settings, solo = own_janus
    async with called_in(db, settings, solo_settings.janus.servers) as call:
        app, configured, live = call.app, call.settings, call.live
        candidate, lobby, interview_id = call.candidate, call.lobby, call.interview_id
        await candidate.request({"ticket"}, type="accept")
        before = await db.fetchrow("SELECT ends_at, room_id FROM interview WHERE id = $1", interview_id)
        marks = len(candidate.messages), len(lobby.messages)

        killed = kill(solo)
        told = [
            await side.wait_for(lambda m: _media(m, "unavailable"), timeout=30, after=mark)
            for side, mark in zip((candidate, lobby), marks)
        ]
        print(f"kill → both told: {time.monotonic() - killed:.2f} s")
        lost_at = await db.fetchval("SELECT media_lost_at FROM interview WHERE id = $1", interview_id)
        assert lost_at is not None
        for state in told:  # the time left stands as of the loss
            assert dt.datetime.fromisoformat(state["interview"]["stopped_at"]) == lost_at
            assert dt.datetime.fromisoformat(state["interview"]["ends_at"]) == before["ends_at"]
        organizer = await _organizer(app, live.id)
        assert organizer["media_unavailable"] == 1
        assert organizer["interviewers"][0]["media"] == "unavailable"

        # The time box runs out while the media is down: the sweeper leaves it alone.
        await db.execute(
            "UPDATE interview SET ends_at = now() - interval '1 second' WHERE id = $1", interview_id
        )
        ends_at = await db.fetchval("SELECT ends_at FROM interview WHERE id = $1", interview_id)
        await sweep_once(app[DB_POOL], app[JANUS], configured.live)
        assert await db.fetchval("SELECT state FROM interview WHERE id = $1", interview_id) == "active"

        marks = len(candidate.messages), len(lobby.messages)
        solo.start()
        restarted = time.monotonic()
        for side, mark in zip((candidate, lobby), marks):
            await side.wait_for(lambda m: m["type"] == "room_changed", timeout=30, after=mark)
            await side.wait_for(lambda m: _media(m, "ok"), timeout=30, after=mark)
        print(f"restart → room_changed on both sides: {time.monotonic() - restarted:.2f} s")
        after = await db.fetchrow(
            """SELECT ends_at, media_lost_at, media_lost_seconds,
                                            room_generation, state FROM interview
                                     WHERE id = $1""",
            interview_id,
        )
        assert after["media_lost_at"] is None and after["state"] == "active"
        assert after["room_generation"] == 1 and after["media_lost_seconds"] > 0
        # The end moved on by exactly the time lost, so the time left is what it was.
        shift = (after["ends_at"] - ends_at).total_seconds()
        assert abs(shift - after["media_lost_seconds"]) < 0.001
        assert (await _organizer(app, live.id))["media_unavailable"] == 0
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"


async def _organizer(app, event_id: int) -> dict:
    async with app[DB_POOL].acquire() as connection:
        return organizer_state(await read_event_view(connection, event_id, app[SETTINGS]))


async def test_an_offer_does_not_expire_while_no_janus_is_left(app_server, settings, db, own_janus):
    """The candidate cannot join a room that is gone: the offer's time stands still too,
    and runs on from where it stood when a server is back."""
    solo_settings, solo = own_janus
    async with called_in(db, settings, solo_settings.janus.servers) as call:
        app, configured = call.app, call.settings
        lobby, interview_id = call.lobby, call.interview_id
        mark = len(lobby.messages)
        kill(solo)
        told = await lobby.wait_for(lambda m: _media(m, "unavailable"), timeout=30, after=mark)
        assert told["interview"]["state"] == "offered"
        await db.execute(
            "UPDATE interview SET offer_expires_at = now() - interval '1 second' WHERE id = $1", interview_id
        )
        expires = await db.fetchval("SELECT offer_expires_at FROM interview WHERE id = $1", interview_id)
        await sweep_once(app[DB_POOL], app[JANUS], configured.live)
        assert await db.fetchval("SELECT state FROM interview WHERE id = $1", interview_id) == "offered"
        solo.start()
        await until(
            lambda: db.fetchval("SELECT media_lost_at IS NULL FROM interview WHERE id = $1", interview_id)
        )
        after = await db.fetchrow(
            "SELECT offer_expires_at, ends_at, media_lost_seconds, state FROM interview WHERE id = $1",
            interview_id,
        )
        assert after["state"] == "offered" and after["ends_at"] is None
        shift = (after["offer_expires_at"] - expires).total_seconds()
        assert abs(shift - after["media_lost_seconds"]) < 0.001


async def test_a_janus_that_hung_and_answers_again_ends_the_outage_in_its_room(
    app_server, settings, db, own_janus
):
    """A hang (SIGSTOP) past `janus.lost_after`, then SIGCONT: the server comes back with the
    interview's room, so nothing moves, but the clock runs again at once, its end moved on
    by the time lost, and both pages are sent the same room again with a fresh ticket."""
    solo_settings, solo = own_janus
    async with called_in(db, settings, solo_settings.janus.servers) as call:
        candidate, lobby, interview_id = call.candidate, call.lobby, call.interview_id
        await candidate.request({"ticket"}, type="accept")
        before = await db.fetchrow("SELECT ends_at, room_id FROM interview WHERE id = $1", interview_id)
        marks = len(candidate.messages), len(lobby.messages)

        freeze(solo.process.pid)
        for side, mark in zip((candidate, lobby), marks):
            await side.wait_for(lambda m: _media(m, "unavailable"), timeout=30, after=mark)
        await asyncio.sleep(call.settings.janus.lost_after + 1)  # well past lost: the room stays

        marks = len(candidate.messages), len(lobby.messages)
        os.kill(solo.process.pid, signal.SIGCONT)
        thawed = time.monotonic()
        await until(
            lambda: db.fetchval("SELECT media_lost_at IS NULL FROM interview WHERE id = $1", interview_id),
            seconds=10,
        )
        print(f"thaw → outage over: {time.monotonic() - thawed:.2f} s")
        for side, mark in zip((candidate, lobby), marks):
            changed = await side.wait_for(lambda m: m["type"] == "room_changed", timeout=10, after=mark)
            assert changed["interview"] == interview_id and changed["ticket"]
            state = await side.wait_for(lambda m: _media(m, "ok"), timeout=10, after=mark)
            assert state["interview"]["stopped_at"] is None
        after = await db.fetchrow(
            """SELECT janus_server, room_id, room_generation, ends_at, media_lost_at,
                      media_lost_seconds, state FROM interview WHERE id = $1""",
            interview_id,
        )
        assert (after["janus_server"], after["room_id"], after["state"]) == (
            "solo",
            before["room_id"],
            "active",
        )
        assert after["room_generation"] == 1 and after["media_lost_seconds"] > call.settings.janus.lost_after
        shift = (after["ends_at"] - before["ends_at"]).total_seconds()
        assert abs(shift - after["media_lost_seconds"]) < 0.001
        assert await room_exists(call.app[JANUS].connection("solo"), before["room_id"])
        assert (await _organizer(call.app, call.live.id))["media_unavailable"] == 0
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
        # The summary counts the call to its end, not to the hang.
        ended = await db.fetchrow(
            "SELECT started_at, ended_at, end_reason, media_lost_at FROM interview WHERE id = $1",
            interview_id,
        )
        assert call_length(ended).seconds == int((ended["ended_at"] - ended["started_at"]).total_seconds())
        assert call_length(ended).seconds >= after["media_lost_seconds"]


async def test_of_processes_reconciling_at_once_one_ends_an_outage_in_place(
    app_server, settings, db, own_janus, pool
):
    """Two processes find the room back at the same moment: one ends the outage, and the
    clock moves on once, not twice."""
    solo_settings, _ = own_janus
    async with called_in(db, settings, solo_settings.janus.servers) as call:
        await call.candidate.request({"ticket"}, type="accept")
        interview_id = call.interview_id
        before = await db.fetchrow(
            # (lost after the start: else only what came after the start counts)
            """UPDATE interview SET started_at = started_at - interval '10 seconds',
                      media_lost_at = now() - interval '5 seconds'
               WHERE id = $1 RETURNING ends_at""",
            interview_id,
        )
        rounds = await asyncio.gather(
            Reconciler(call.app[DB_POOL], call.app[JANUS]).run_once(),
            Reconciler(pool, call.app[JANUS]).run_once(),
        )
        assert sorted(r.media_back for r in rounds) == [[], [interview_id]]
        assert not any(r.moved or r.media_lost for r in rounds)
        after = await db.fetchrow(
            "SELECT ends_at, media_lost_at, media_lost_seconds, room_generation FROM interview WHERE id = $1",
            interview_id,
        )
        assert after["media_lost_at"] is None and after["room_generation"] == 1
        assert 5 <= after["media_lost_seconds"] < 10
        shift = (after["ends_at"] - before["ends_at"]).total_seconds()
        assert abs(shift - after["media_lost_seconds"]) < 0.001
        assert (await call.lobby.request({"ok"}, type="end"))["type"] == "ok"


async def test_an_outage_is_not_ended_in_place_while_another_replica_finds_the_server_down(
    app_server, settings, db, own_janus
):
    """Another replica that still cannot reach the server would find the room lost, have
    nowhere to move it and mark the outage again: ended here meanwhile, the two would end and
    begin it round after round, a break in the call each time. It waits for that replica."""
    solo_settings, _ = own_janus
    async with called_in(db, settings, solo_settings.janus.servers) as call:
        await call.candidate.request({"ticket"}, type="accept")
        interview_id = call.interview_id
        await db.execute(
            "UPDATE interview SET media_lost_at = now() - interval '5 seconds' WHERE id = $1", interview_id
        )
        other = uuid.uuid4()
        # (The fleet's row of this test's own server, as a deployment's fleet has it.)
        added = await db.fetchval(
            """INSERT INTO janus_server (name, url, admin_url, public_url) VALUES ('solo', '', '', '')
               ON CONFLICT (name) DO NOTHING RETURNING name"""
        )
        await db.execute(
            """INSERT INTO janus_server_health
                   (server, replica, replica_name, last_seen_at, down_since, expires_at)
               VALUES ('solo', $1, 'another host', now() - interval '9 seconds',
                       now() - interval '8 seconds', now() + interval '1 minute')""",
            other,
        )
        reconciler = Reconciler(call.app[DB_POOL], call.app[JANUS])
        try:
            assert (await reconciler.run_once()).media_back == []
            assert await db.fetchval(
                "SELECT media_lost_at IS NOT NULL FROM interview WHERE id = $1", interview_id
            )
            # That replica reaches the server again: the outage ends at the next round.
            await db.execute(
                "UPDATE janus_server_health SET down_since = NULL, last_seen_at = now() WHERE replica = $1",
                other,
            )
            assert (await reconciler.run_once()).media_back == [interview_id]
        finally:
            await db.execute("DELETE FROM janus_server_health WHERE replica = $1", other)
            if added:  # no other test's fleet holds a server of this one's
                await db.execute("DELETE FROM janus_server WHERE name = $1", added)
        assert (await call.lobby.request({"ok"}, type="end"))["type"] == "ok"
