"""The Janus fleet in the database (DEPLOYMENT.md, "The Janus fleet"), with two real Janus
servers: the session's (janus1) and one of this test's own (solo), added to the fleet while
the session's application runs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from urllib.parse import urlsplit

import pytest
import pytest_asyncio

from app.headers import CSP
from app.janus import fleet
from app.janus.errors import JanusUnavailable
from app.janus.rooms import destroy_room, room_exists
from app.keys import DB_POOL, JANUS
from app.settings import JanusServer
from app.live.reconciler import Reconciler
from app.tickets import read_ticket
from tests.integration.channel_support import candidate_and_lobby
from tests.integration.failover_support import until
from tests.integration.live_support import make_live_event
from tests.integration.test_live_channel import tokens

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def _connected(app, name: str) -> bool:
    connection = app[JANUS].connections.get(name)
    return connection is not None and connection.state == "ok"


@pytest_asyncio.fixture
async def solo(app_server, own_janus, db) -> AsyncIterator[JanusServer]:
    """The test's own Janus, added to the fleet while the application runs; janus1 active
    again and solo gone from the fleet afterwards, whatever the test did."""
    solo_settings, _janus = own_janus
    server = solo_settings.janus.servers[0]
    await fleet.add(db, server)
    await until(lambda: _connected(app_server, "solo"), seconds=30)
    try:
        yield server
    finally:
        await db.execute("UPDATE janus_server SET state = 'active' WHERE name = 'janus1'")
        await db.execute("""UPDATE interview SET state = 'ended', ended_at = now(),
                                   end_reason = 'interviewer'
                            WHERE janus_server = 'solo' AND state IN ('offered', 'active')""")
        await fleet.remove(db, "solo")
        await until(lambda: _gone(app_server, "solo"), seconds=30)


async def _gone(app, name: str) -> bool:
    return name not in app[JANUS].connections


@asynccontextmanager
async def offered(db, base_url: str, count: int):
    """`count` interviews offered by the session's application: [(candidate, lobby, id)]."""
    live = await make_live_event(db, interviewers=count, candidates=count)
    candidate_tokens, interviewer_tokens = await tokens(db, live)
    async with AsyncExitStack() as stack:
        interviews = []
        for candidate_token, interviewer_token in zip(candidate_tokens, interviewer_tokens):
            candidate, lobby = await stack.enter_async_context(
                candidate_and_lobby(base_url, candidate_token, interviewer_token)
            )
            assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
            interview = (await lobby.request({"dispatched"}, type="next"))["interview"]
            interviews.append((candidate, lobby, interview))
        yield interviews


async def _server_of(db, interview: int) -> str:
    return await db.fetchval("SELECT janus_server FROM interview WHERE id = $1", interview)


async def test_a_server_added_while_running_gets_rooms_and_browsers_may_reach_it(
    app_server, solo, db, base_url, http, settings
):
    # The replica connected to it without a restart, and the pages' CSP lets browsers in.
    origin = "ws://" + urlsplit(solo.public_url).netloc
    async with http.get(f"{base_url}/login") as response:
        assert origin in response.headers[CSP].split("connect-src ")[1].split(";")[0]
    await fleet.set_state(db, "janus1", "cordon")
    async with offered(db, base_url, 1) as [(candidate, lobby, interview)]:
        assert await _server_of(db, interview) == "solo"
        ticket = (await candidate.request({"ticket"}, type="accept"))["ticket"]
        assert read_ticket(settings, ticket).janus_url == solo.public_url
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"


async def test_cordoned_one_of_two_every_new_interview_lands_on_the_other(app_server, solo, db, base_url):
    await fleet.set_state(db, "solo", "cordon")
    async with offered(db, base_url, 3) as interviews:
        assert [await _server_of(db, i) for _, _, i in interviews] == ["janus1"] * 3
    pool = app_server[JANUS]
    rooms = [await pool.create_private_room(2, "fleet test") for _ in range(4)]
    assert {room.server for room in rooms} == {"janus1"}
    for room in rooms:
        await destroy_room(pool.connection(room.server), room.room_id, room.secret)

    # Uncordoned, the emptier server gets the next one: counted from the interviews the
    # application placed, with no Janus asked for its rooms.
    await fleet.set_state(db, "solo", "uncordon")
    await fleet.set_state(db, "janus1", "cordon")
    async with offered(db, base_url, 2) as interviews:
        assert [await _server_of(db, i) for _, _, i in interviews] == ["solo"] * 2


async def test_draining_lets_a_running_interview_end_and_then_says_it_is_empty(
    app_server, solo, db, base_url
):
    await fleet.set_state(db, "janus1", "cordon")
    async with offered(db, base_url, 1) as [(candidate, lobby, interview)]:
        assert await _server_of(db, interview) == "solo"
        await candidate.request({"ticket"}, type="accept")
        await fleet.set_state(db, "janus1", "uncordon")
        await fleet.set_state(db, "solo", "drain")
        room = await db.fetchrow("SELECT room_id, room_generation FROM interview WHERE id = $1", interview)

        # A reconciler round and new dispatches leave the running interview where it is.
        await Reconciler(app_server[DB_POOL], app_server[JANUS]).run_once()
        async with offered(db, base_url, 1) as [(_, other_lobby, other)]:
            assert await _server_of(db, other) == "janus1"
            await other_lobby.request({"ok"}, type="end")
        row = await db.fetchrow(
            """SELECT state, janus_server, room_id, room_generation
                                   FROM interview WHERE id = $1""",
            interview,
        )
        assert (row["state"], row["janus_server"], row["room_id"], row["room_generation"]) == (
            "active",
            "solo",
            room["room_id"],
            room["room_generation"],
        )
        assert await room_exists(app_server[JANUS].connection("solo"), room["room_id"])

        said = janus_script("status", "solo")
        assert said.returncode == 0
        assert "solo: draining: 1 room(s) still in use" in said.stdout
        refused = janus_script("remove", "solo")
        assert refused.returncode == 1
        assert "solo still has 1 room(s) in use by interviews" in refused.stderr
        assert "wait until `scripts/janus status` says it is empty" in refused.stderr
        assert await db.fetchval("SELECT count(*) FROM janus_server WHERE name = 'solo'") == 1

        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
    said = janus_script("status", "solo")
    assert "solo: drained: no room in use, safe to stop" in said.stdout, said


async def test_the_fleet_seed_keeps_an_operators_state(app_server, db, settings):
    await fleet.set_state(db, "janus1", "cordon")
    try:
        await fleet.seed(db, settings.janus.servers)
        row = await db.fetchrow("SELECT state, from_settings FROM janus_server WHERE name = 'janus1'")
        assert (row["state"], row["from_settings"]) == ("cordoned", True)
    finally:
        await fleet.set_state(db, "janus1", "uncordon")


def janus_script(*args: str, environ: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [os.path.join(ROOT, "scripts", "janus"), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=environ or SCRIPT_ENVIRON,
    )


SCRIPT_ENVIRON: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _script_environ(stack):
    SCRIPT_ENVIRON.clear()
    SCRIPT_ENVIRON.update(
        {k: v for k, v in os.environ.items() if not k.startswith("SNABB_") and k != "DATABASE_URL"}
    )
    SCRIPT_ENVIRON.update(stack.environ)


async def test_scripts_janus_end_to_end(app_server, own_janus, db):
    solo_settings, _ = own_janus
    server = solo_settings.janus.servers[0]
    helped = janus_script("--help")
    assert helped.returncode == 0
    for command in ("list", "add", "cordon", "uncordon", "drain", "remove", "status"):
        assert command in helped.stdout
    added = janus_script(
        "add", "solo", "--url", server.url, "--admin-url", server.admin_url, "--weight", "2", "--cordoned"
    )
    assert added.returncode == 0, added.stderr
    assert "Added solo (cordoned, weight 2)" in added.stdout
    try:
        await until(lambda: _connected(app_server, "solo"), seconds=30)
        listed = janus_script("list")
        assert listed.returncode == 0
        assert "solo: cordoned, weight 2, 0 room(s) in use" in listed.stdout
        assert "janus1: active" in listed.stdout
        assert "admin_secret" not in listed.stdout + listed.stderr

        again = janus_script("add", "solo", "--url", server.url, "--admin-url", server.admin_url)
        assert (again.returncode, again.stderr.strip()) == (
            1,
            "janus: there is already a Janus server named solo",
        )
        bad = janus_script("add", "x", "--url", "http://nowhere", "--admin-url", server.url)
        assert bad.returncode == 1 and "must start with ws:// or wss://" in bad.stderr
        heavy = janus_script("weight", "solo", "0")
        assert heavy.returncode == 1 and "from 1 to 1000" in heavy.stderr
        unknown = janus_script("cordon", "nowhere")
        assert (unknown.returncode, unknown.stderr.strip()) == (1, "janus: no Janus server is named nowhere")
        assert janus_script("cordon").returncode == 2  # usage: no name

        uncordoned = janus_script("uncordon", "solo")
        assert "solo: active: takes new rooms; 0 room(s) in use" in uncordoned.stdout
        drained = janus_script("drain", "solo")
        assert "solo: drained: no room in use, safe to stop" in drained.stdout
        assert await db.fetchval("SELECT state FROM janus_server WHERE name = 'solo'") == "draining"
    finally:
        removed = janus_script("remove", "solo")
    assert removed.returncode == 0, removed.stderr
    assert "Removed solo from the fleet" in removed.stdout
    await until(lambda: _gone(app_server, "solo"), seconds=30)
    assert "solo" not in janus_script("list").stdout


async def test_a_lost_server_is_down_and_comes_back_in_the_operators_state(app_server, solo, own_janus, db):
    _, janus = own_janus

    async def shown() -> str:
        return {s.name: s.shown_state for s in await fleet.read_fleet(db)}["solo"]

    await asyncio.to_thread(janus.stop)
    await until(lambda: _is(shown, "down"), seconds=30)
    assert "solo: down, weight 1" in janus_script("list").stdout
    # Active but down: no room goes there (janus1 cordoned, so none goes anywhere).
    await fleet.set_state(db, "janus1", "cordon")
    with pytest.raises(JanusUnavailable):
        await app_server[JANUS].create_private_room(2, "fleet test")
    await fleet.set_state(db, "janus1", "uncordon")

    # The operator cordons it while it is down; back, it is in that state.
    await fleet.set_state(db, "solo", "cordon")
    assert await shown() == "down"
    await asyncio.to_thread(janus.start)
    await until(lambda: _is(shown, "cordoned"), seconds=30)
    row = next(s for s in await fleet.read_fleet(db) if s.name == "solo")
    assert row.state == "cordoned" and row.down_since is None
    assert row.last_seen_at is not None


async def _is(read, expected: str) -> bool:
    return await read() == expected


async def test_every_replica_follows_the_fleet_without_a_restart(app_server, own_janus, db, settings):
    """A second replica: a server added while both run gets a connection from each, and
    its public URL in each one's CSP; removed, both close theirs."""
    from aiohttp import ClientSession

    from app.application import create_app
    from app.localstack.processes import free_port
    from tests.serving import serving

    solo_settings, _ = own_janus
    server = solo_settings.janus.servers[0]
    port = free_port()
    other = create_app(settings.model_copy(update={"app": settings.app.model_copy(update={"port": port})}))
    async with serving(other, port) as other_url, ClientSession() as http:
        await until(lambda: _connected(other, "janus1"), seconds=30)
        assert "solo" not in other[JANUS].connections
        await fleet.add(db, server)
        try:
            for replica in (app_server, other):
                await until(lambda replica=replica: _connected(replica, "solo"), seconds=30)
            async with http.get(f"{other_url}/login") as response:
                assert "ws://" + urlsplit(server.public_url).netloc in response.headers[CSP]
        finally:
            await fleet.remove(db, "solo")
        for replica in (app_server, other):
            await until(lambda replica=replica: _gone(replica, "solo"), seconds=30)
        async with http.get(f"{other_url}/login") as response:
            assert urlsplit(server.public_url).netloc not in response.headers[CSP]
