"""The Janus fleet seen from two replicas on one database (DEPLOYMENT.md, "The Janus fleet"):
health is each replica's own report, and a replica that has not heard of a server yet
still serves the rooms another one placed there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from pydantic import SecretStr
from aiohttp import ClientSession, CookieJar, encode_basic_auth, web

from app import provision
from app.application import create_app
from app.janus import fleet
from app.janus.errors import JanusUnavailable
from app.janus.rooms import destroy_room, room_exists
from app.keys import DB_POOL, JANUS
from app.live.reconciler import Reconciler
from app.localstack.processes import free_port
from app.settings import JanusServer, Settings
from app.tickets import media_tag, read_ticket
from tests.accounts import sign_up
from tests.integration.channel_support import (
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.failover_support import until
from tests.integration.live_support import make_live_event
from tests.integration.test_live_channel import tokens
from tests.integration.test_janus_fleet import _script_environ, janus_script  # noqa: F401 (its fixture: the script's settings)
from tests.serving import serving


@asynccontextmanager
async def replica(settings: Settings, **janus: object) -> AsyncIterator[tuple[web.Application, str]]:
    """Another replica of the service on the session's database, with `janus` settings of
    its own; its reconciler runs only when a test asks."""
    port = free_port()
    app = create_app(
        settings.model_copy(
            update={
                "app": settings.app.model_copy(update={"port": port}),
                "janus": settings.janus.model_copy(update=janus),
                "live": settings.live.model_copy(update={"reconcile_interval": 0}),
            }
        )
    )
    async with serving(app, port) as url:
        yield app, url


async def _janus1(db) -> fleet.FleetServer:
    return next(s for s in await fleet.read_fleet(db) if s.name == "janus1")


# --- health: each replica's own report --------------------------------------------------


async def test_one_replica_that_cannot_reach_a_server_fakes_no_outage_for_the_others(
    app_server, settings, db, base_url
):
    # A replica whose Admin API secret every Janus refuses: it reaches none of them, as if
    # a firewall stood between it and the media servers. Its reports are renewed every
    # 2 s; it moves no interview (lost_after: an hour).
    async with replica(
        settings, admin_secret=SecretStr("not-the-secret"), fleet_refresh=2, lost_after=3600
    ) as (
        other,
        _,
    ):

        async def seen_by_both() -> fleet.FleetServer | None:
            server = await _janus1(db)
            return server if (server.replicas, server.replicas_lost) == (2, 1) else None

        server = await until(seen_by_both, seconds=60)
        assert server.shown_state == "active" and not server.down
        assert server.lost_for == (1, 2) and server.last_seen_at is not None

        # Each replica places by what it sees itself.
        with pytest.raises(JanusUnavailable):
            await other[JANUS].create_private_room(2, "fleet replicas test")
        room = await app_server[JANUS].create_private_room(2, "fleet replicas test")
        assert room.server == "janus1"
        await destroy_room(app_server[JANUS].connection("janus1"), room.room_id, room.secret)

        # (In a thread: the event loop runs on, and with it the replicas' reports.)
        said = await asyncio.to_thread(janus_script, "status", "janus1")
        assert said.returncode == 0, said.stderr
        assert "janus1: active: takes new rooms" in said.stdout
        assert "DOWN: down for 1 of 2 replicas since" in said.stdout
        assert other[JANUS].replica.name in said.stdout
        listed = (await asyncio.to_thread(janus_script, "list")).stdout
        assert "janus1: active, weight" in listed and "down for 1 of 2 replicas" in listed

        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
            account = await sign_up(http, base_url, settings, language="en")
            await provision.set_operator(db, account["email"], True)
            async with http.get(f"{base_url}/ops") as response:
                page = await response.text()
        assert "Down for 1 of 2 web servers" in page

    # Stopped cleanly, the replica takes its reports with it at once.
    server = await _janus1(db)
    assert (server.replicas, server.lost_for) == (1, None)
    assert "DOWN" not in janus_script("status", "janus1").stdout


async def test_a_replica_that_stopped_reporting_drops_out_by_itself(app_server, db):
    """A replica that died without a word: its last report holds for a few rounds only."""
    crashed = fleet.Replica.this_process()
    now = dt.datetime.now(dt.UTC)
    await fleet.record_health(db, crashed, [], {"janus1": now}, valid_for=2)
    server = await _janus1(db)
    assert server.replicas_lost == 1 and server.replicas >= 2 and not server.down
    await until(lambda: _lost_by_none(db), seconds=30)

    # And the next report of a replica that runs clears it away.
    async def cleared() -> bool:
        return not await db.fetchval(
            "SELECT count(*) FROM janus_server_health WHERE replica = $1", crashed.id
        )

    await until(cleared, seconds=60)


async def _lost_by_none(db) -> bool:
    return (await _janus1(db)).lost_for is None


async def test_down_only_when_every_reporting_replica_finds_it_lost(app_server, db):
    """Two replicas (one of them a report only) both find a server lost: it is down."""
    spare = JanusServer(
        name="spare2",
        url=f"ws://127.0.0.1:{free_port()}",
        admin_url=f"ws://127.0.0.1:{free_port()}",
        public_url="wss://spare2.example.org/janus",
    )
    await fleet.add(db, spare)  # nothing answers there
    try:
        other = fleet.Replica.this_process()
        await fleet.record_health(db, other, [], {"spare2": dt.datetime.now(dt.UTC)}, valid_for=60)

        async def down() -> bool:
            server = next(s for s in await fleet.read_fleet(db) if s.name == "spare2")
            return server.down and server.shown_state == "down" and server.lost_for == (2, 2)

        await until(down, seconds=60)
        assert "spare2: down, weight 1" in janus_script("list").stdout
        assert "lost for all 2 replicas" in janus_script("list").stdout
    finally:
        await fleet.remove(db, "spare2")
    assert await db.fetchval("SELECT count(*) FROM janus_server_health WHERE server = 'spare2'") == 0


# --- a room on a server this replica has not heard of yet -------------------------------


@asynccontextmanager
async def placed_on_a_server_the_other_replica_does_not_know(app_server, settings, db, base_url, own_janus):
    """The session's application (replica A) places an interview on `solo`, a server added
    to the fleet whose notification has not reached replica B yet: B follows the fleet
    like any replica, but the change is written without NOTIFY and B re-reads the fleet
    only every 10 minutes. Yields (B, B's URL, the candidate's socket on B, the lobby on A,
    the interview, solo)."""
    solo_settings, _janus = own_janus
    solo = solo_settings.janus.servers[0]
    async with AsyncExitStack() as stack:
        other, other_url = await stack.enter_async_context(replica(settings, fleet_refresh=600))
        await other[JANUS].connections["janus1"].wait_ready(20)

        async def following() -> bool:  # B's follower has read the fleet (then it reports)
            return bool(
                await db.fetchval(
                    "SELECT count(*) FROM janus_server_health WHERE replica = $1", other[JANUS].replica.id
                )
            )

        await until(following, seconds=30)
        await db.execute(
            "INSERT INTO janus_server (name, url, admin_url, public_url) VALUES ($1, $2, $3, $4)",
            solo.name,
            solo.url,
            solo.admin_url,
            solo.public_url,
        )
        stack.push_async_callback(_without_solo, app_server, db)
        await app_server[JANUS].refresh_fleet()  # A heard of it; B did not
        await until(lambda: _connected(app_server, "solo"), seconds=30)
        await db.execute("UPDATE janus_server SET state = 'cordoned' WHERE name = 'janus1'")

        live = await make_live_event(db, interviewers=1, candidates=1)
        [candidate_token], [interviewer_token] = await tokens(db, live)
        candidate_http = await stack.enter_async_context(new_client())
        interviewer_http = await stack.enter_async_context(new_client())
        await sign_in_candidate(candidate_http, other_url, candidate_token)
        assert await sign_in_interviewer(interviewer_http, base_url, interviewer_token) == 303
        candidate = await stack.enter_async_context(
            recording(candidate_http, f"{other_url}/c/{candidate_token}/ws")
        )
        lobby = await stack.enter_async_context(
            recording(interviewer_http, f"{base_url}/i/{interviewer_token}/ws")
        )
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        interview = (await lobby.request({"dispatched"}, type="next"))["interview"]
        assert await db.fetchval("SELECT janus_server FROM interview WHERE id = $1", interview) == "solo"
        assert "solo" not in other[JANUS].connections
        yield other, other_url, candidate, lobby, interview, solo


async def _connected(app, name: str) -> bool:
    connection = app[JANUS].connections.get(name)
    return connection is not None and connection.state == "ok"


async def _without_solo(app_server, db) -> None:
    await db.execute("UPDATE janus_server SET state = 'active' WHERE name = 'janus1'")
    await db.execute("""UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'interviewer'
                        WHERE janus_server IN ('solo', 'ghost') AND state IN ('offered', 'active')""")
    await fleet.remove(db, "solo")  # announced: every replica closes its connection
    await until(lambda: _gone(app_server, "solo"), seconds=30)


async def _gone(app, name: str) -> bool:
    return name not in app[JANUS].connections


async def test_a_replica_that_has_not_heard_of_a_server_leaves_its_rooms_alone(
    app_server, settings, db, base_url, own_janus
):
    async with placed_on_a_server_the_other_replica_does_not_know(
        app_server, settings, db, base_url, own_janus
    ) as (other, other_url, candidate, _lobby, interview, solo):
        room = await db.fetchrow("SELECT room_id, room_generation FROM interview WHERE id = $1", interview)
        # Janus's event handler may report the room's media to any replica: B takes it.
        event = {
            "emitter": "solo",
            "type": 32,
            "subtype": 1,
            "timestamp": int(dt.datetime.now(dt.UTC).timestamp() * 1e6),
            "opaque_id": media_tag(settings, f"interview:{interview}:candidate"),
            "event": {"media": "video", "receiving": True},
        }
        async with ClientSession() as http:
            async with http.post(
                f"{other_url}/janus/events",
                data=json.dumps(event),
                headers=_event_auth(settings),
            ) as response:
                assert response.status == 204
        assert await db.fetchval(
            "SELECT candidate_media_started_at IS NOT NULL FROM interview WHERE id = $1", interview
        )

        # A round of B's reconciler, janus1 taking rooms again: the interview stays in its
        # room on solo (before, B took a server it had not heard of for one removed, and
        # moved the interview to janus1, or with no room anywhere stopped its clock).
        await db.execute("UPDATE janus_server SET state = 'active' WHERE name = 'janus1'")
        assert "solo" not in other[JANUS].connections
        done = await Reconciler(other[DB_POOL], other[JANUS]).run_once()
        assert interview not in done.moved and interview not in done.media_lost
        assert await db.fetchval("SELECT media_lost_at FROM interview WHERE id = $1", interview) is None
        row = await db.fetchrow(
            "SELECT janus_server, room_id, room_generation FROM interview WHERE id = $1", interview
        )
        assert (row["janus_server"], row["room_id"], row["room_generation"]) == (
            "solo",
            room["room_id"],
            room["room_generation"],
        )
        assert await room_exists(app_server[JANUS].connection("solo"), room["room_id"])
        assert "solo" in other[JANUS].connections  # it read the fleet afresh


def _event_auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": encode_basic_auth("janus", settings.janus.event_secret.get_secret_value())}


async def test_a_candidate_on_a_replica_that_has_not_heard_of_the_server_joins(
    app_server, settings, db, base_url, own_janus
):
    async with placed_on_a_server_the_other_replica_does_not_know(
        app_server, settings, db, base_url, own_janus
    ) as (other, other_url, candidate, _lobby, interview, solo):
        # Accepted on B: its ticket for solo (the first join carries the room's own Janus
        # token, which needs no word with Janus).
        reply = await candidate.request({"ticket", "error"}, type="accept")
        assert reply["type"] == "ticket", reply
        info = read_ticket(settings, reply["ticket"])
        assert info.janus_url == solo.public_url and reply["join"]["janus_url"] == solo.public_url
        # Joined again (a reload): a new Janus token, renewed on solo (before, B had no
        # connection named solo: `room_unavailable`).
        reply = await candidate.request({"ticket", "error"}, type="accept")
        assert reply["type"] == "ticket", reply
        assert read_ticket(settings, reply["ticket"]).janus_url == solo.public_url
        assert "solo" in other[JANUS].connections
        async with ClientSession() as http:
            async with http.post(f"{other_url}/api/join", json={"ticket": reply["ticket"]}) as response:
                assert response.status == 200
                assert (await response.json())["janus_url"] == solo.public_url

        # A room on a server that is in no fleet at all: a retryable refusal, not a crash;
        # the reconciler moves such an interview to a server that works.
        await db.execute("UPDATE interview SET janus_server = 'ghost' WHERE id = $1", interview)
        reply = await candidate.request({"ticket", "error"}, type="accept")
        assert (reply["type"], reply["code"]) == ("error", "room_unavailable")
        assert "ghost" not in other[JANUS].connections
        await db.execute("UPDATE interview SET janus_server = 'solo' WHERE id = $1", interview)


async def test_scripts_janus_weight_takes_the_same_numbers_as_the_page(app_server, db):
    try:
        said = await asyncio.to_thread(janus_script, "weight", "janus1", "4")
        assert (said.returncode, said.stdout.strip()) == (0, "janus1: weight 4")
        assert "janus1: active, weight 4" in (await asyncio.to_thread(janus_script, "list")).stdout
        for bad in ("0", "1001"):
            refused = await asyncio.to_thread(janus_script, "weight", "janus1", bad)
            assert refused.returncode == 1 and "from 1 to 1000" in refused.stderr
        assert (await asyncio.to_thread(janus_script, "weight", "janus1", "2.5")).returncode == 2  # usage
        assert (await _janus1(db)).weight == 4
        helped = (await asyncio.to_thread(janus_script, "--help")).stdout
        assert "share of new rooms, a whole number from 1 to 1000" in " ".join(helped.split())
    finally:
        await db.execute("UPDATE janus_server SET weight = 1 WHERE name = 'janus1'")
