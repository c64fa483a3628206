"""Our Janus wrapper against a real Janus that we stop, freeze and kill."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal

import pytest
import pytest_asyncio

from app.janus.admin import AdminLink, JanusAdmin
from app.janus.connection import JanusConnection, JanusError, JanusUnavailable
from app.janus.pool import JanusPool
from app.janus.rooms import destroy_room, kick, list_participants, list_rooms, room_exists
from tests.janus_probe import JanusProbe, added_token
from tests.stopping import freeze

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
    freeze(janus.process.pid)
    started = asyncio.get_running_loop().time()
    with pytest.raises(JanusUnavailable, match="no answer"):
        await conn.request({"request": "exists", "room": 1})
    assert asyncio.get_running_loop().time() - started < CALL_TIMEOUT + 1


async def test_a_pending_call_fails_when_the_connection_drops(connection):
    conn, _, janus = connection
    freeze(janus.process.pid)  # the request will sit unanswered …
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


# --- the kept Admin API connection (app/janus/admin.py) ---------------------------------------


async def test_admin_calls_share_one_kept_connection_each_answered_by_its_own_reply(connection):
    conn, _, _ = connection
    link = conn.admin_link
    opened = link.handshakes  # the supervisor's own token went over it already
    tokens = [f"t.kept-{secrets.token_hex(8)}" for _ in range(30)]
    async with conn.admin() as admin:
        await admin.add_tokens(tokens)
        # Thirty calls at once, answered in whatever order: each gets its own reply.
        removed = await asyncio.gather(*(admin.remove_token(t) for t in [*tokens, *tokens]))
        assert sorted(removed) == [False] * 30 + [True] * 30
        assert not set(tokens) & set(await admin.list_tokens())
    assert link.handshakes == opened


async def test_an_admin_call_to_a_frozen_janus_times_out_and_the_next_one_gets_through(connection):
    conn, _, janus = connection
    token = f"t.frozen-{secrets.token_hex(8)}"
    freeze(janus.process.pid)
    started = asyncio.get_running_loop().time()
    with pytest.raises(JanusUnavailable, match="no answer") as refused:
        async with conn.admin() as admin:
            await admin.add_token(token)
    assert asyncio.get_running_loop().time() - started < CALL_TIMEOUT + 1
    assert token not in str(refused.value) and "secret" not in str(refused.value).lower()
    os.kill(janus.process.pid, signal.SIGCONT)
    async with conn.admin() as admin:
        await admin.add_token(token)
        assert token in await admin.list_tokens()
        assert await admin.remove_token(token)


async def test_a_pending_admin_call_fails_at_once_when_janus_dies_and_a_restart_is_reached(connection):
    conn, _, janus = connection
    async with conn.admin() as admin:
        await admin.list_tokens()  # the kept connection is open
        freeze(janus.process.pid)
        pending = asyncio.create_task(admin.list_tokens())
        await asyncio.sleep(0.3)
        started = asyncio.get_running_loop().time()
        janus.process.kill()
        with pytest.raises(JanusUnavailable, match="closed"):
            await pending
        assert asyncio.get_running_loop().time() - started < CALL_TIMEOUT
        janus.process.wait()
        await asyncio.to_thread(janus.start)
        await conn.wait_ready(10)  # which added the control token over a new connection
        token = f"t.back-{secrets.token_hex(8)}"
        await admin.add_token(token)
        assert token in await admin.list_tokens()


async def test_a_refused_admin_call_names_neither_the_token_nor_the_secret(own_janus):
    settings, _ = own_janus
    server = settings.janus.servers[0]
    link = AdminLink(server.name, server.admin_url, "not-the-secret-" + secrets.token_hex(8), CALL_TIMEOUT)
    token = f"t.refused-{secrets.token_hex(8)}"
    try:
        with pytest.raises(JanusError) as refused:
            await JanusAdmin(link).add_token(token)
        assert token not in str(refused.value) and "not-the-secret" not in str(refused.value)
    finally:
        await link.close()
