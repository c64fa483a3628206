"""Our Janus wrapper against a real Janus that we stop, freeze and kill."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
import pytest_asyncio

from app.janus.connection import JanusConnection, JanusUnavailable
from app.janus.pool import JanusPool
from app.janus.rooms import destroy_room, kick, list_participants, list_rooms, room_exists
from tests.janus_probe import JanusProbe, added_token

CALL_TIMEOUT = 2.0


@pytest_asyncio.fixture
async def connection(own_janus):
    settings, janus = own_janus
    server = settings.janus.servers[0]
    conn = JanusConnection(
        server,
        settings.janus.admin_secret.get_secret_value(),
        call_timeout=CALL_TIMEOUT,
        keepalive_interval=1.0,
        reconnect_max_delay=0.5,
    )
    task = asyncio.create_task(conn.run())
    await conn.wait_ready(10)
    try:
        yield conn, settings, janus
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await conn.close()
        if janus.process is not None and janus.process.poll() is None:
            os.kill(janus.process.pid, signal.SIGCONT)


async def test_room_lifecycle(connection):
    conn, settings, _ = connection
    pool = JanusPool(settings.janus)
    pool.connections = {conn.name: conn}
    room = await pool.create_private_room(participants=2)
    assert await room_exists(conn, room.room_id)
    # With the bitrate cap of the settings (janus.room_bitrate).
    listed = {r["room"]: r for r in await list_rooms(conn, pool.admin_key)}
    assert listed[room.room_id]["bitrate"] == settings.janus.room_bitrate > 0
    assert listed[room.room_id]["bitrate_cap"] is True
    assert await list_participants(conn, room.room_id) == []
    assert await destroy_room(conn, room.room_id, room.secret) is True
    assert not await room_exists(conn, room.room_id)
    # A room Janus no longer has (after a restart, say) is not an error to destroy.
    assert await destroy_room(conn, room.room_id, room.secret) is False


async def test_a_frozen_janus_times_out_instead_of_hanging(connection):
    conn, _, janus = connection
    os.kill(janus.process.pid, signal.SIGSTOP)
    started = asyncio.get_running_loop().time()
    with pytest.raises(JanusUnavailable, match="no answer"):
        await conn.request({"request": "exists", "room": 1})
    assert asyncio.get_running_loop().time() - started < CALL_TIMEOUT + 1


async def test_a_pending_call_fails_when_the_connection_drops(connection):
    conn, _, janus = connection
    os.kill(janus.process.pid, signal.SIGSTOP)  # the request will sit unanswered …
    pending = asyncio.create_task(conn.request({"request": "exists", "room": 1}))
    await asyncio.sleep(0.3)
    started = asyncio.get_running_loop().time()
    janus.process.kill()  # … until the connection drops under it
    with pytest.raises(JanusUnavailable, match="connection lost"):
        await pending
    assert asyncio.get_running_loop().time() - started < CALL_TIMEOUT
    janus.process.wait()


async def test_reconnects_with_a_new_session_after_a_restart(connection):
    conn, _, janus = connection
    await asyncio.to_thread(janus.stop)
    with pytest.raises(JanusUnavailable):
        await conn.request({"request": "exists", "room": 1})
    await asyncio.to_thread(janus.start)
    await conn.wait_ready(10)
    assert await conn.request({"request": "exists", "room": 1}) == {
        "videoroom": "success",
        "room": 1,
        "exists": False,
    }


async def test_list_participants_and_kick(connection):
    conn, settings, _ = connection
    pool = JanusPool(settings.janus)
    pool.connections = {conn.name: conn}
    room = await pool.create_private_room(participants=1)
    token = await added_token(settings)
    async with JanusProbe(conn.server.url, token) as probe:
        await probe.open_videoroom()
        joined = await probe.videoroom(
            {
                "request": "join",
                "ptype": "publisher",
                "room": room.room_id,
                "pin": room.pin,
                "token": room.participant_tokens[0],
                "display": "Åsa",
            }
        )
        participants = await list_participants(conn, room.room_id)
        assert [(p["id"], p["display"]) for p in participants] == [(joined["id"], "Åsa")]
        await kick(conn, room.room_id, room.secret, joined["id"])
        assert await list_participants(conn, room.room_id) == []
