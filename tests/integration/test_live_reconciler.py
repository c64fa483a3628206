"""The reconciler against real Janus servers: a killed Janus's interview moves to a new room
on the other server and both sides get new tickets; rooms nothing owns are destroyed."""

from __future__ import annotations

import asyncio

from app.janus.rooms import create_room, destroy_room, list_rooms, new_room, room_exists
from app.keys import DB_POOL, JANUS
from app.live import hub
from app.live.reconciler import Reconciler
from app.tickets import read_ticket
from tests.integration.channel_support import (
    candidate_and_lobby,
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.failover_support import failover_app
from tests.integration.live_support import make_live_event
from tests.integration.test_live_channel import tokens


def app_with_two_janus(settings, solo_settings):
    """An application process that knows the session's Janus and a Janus of this test's own,
    the own one first: with equal loads, new rooms go there. The test runs the rounds."""
    return failover_app(
        settings, [solo_settings.janus.servers[0], *settings.janus.servers], reconcile_interval=0
    )


async def until_moved(reconciler: Reconciler, interview_id: int, rounds: int = 40) -> None:
    for _ in range(rounds):
        if interview_id in (await reconciler.run_once()).moved:
            return
        await asyncio.sleep(0.25)
    raise AssertionError("the interview never moved")


async def test_killing_janus_moves_the_interview_and_reissues_tickets(app_server, settings, db, own_janus):
    solo_settings, solo = own_janus
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_token,), (interviewer_token,) = await tokens(db, live)
    async with (
        app_with_two_janus(settings, solo_settings) as (app, url, both),
        new_client() as candidate_http,
        new_client() as interviewer_http,
    ):
        await sign_in_candidate(candidate_http, url, candidate_token)
        assert await sign_in_interviewer(interviewer_http, url, interviewer_token) == 303
        async with (
            recording(candidate_http, f"{url}/c/{candidate_token}/ws") as candidate,
            recording(interviewer_http, f"{url}/i/{interviewer_token}/ws") as lobby,
        ):
            assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
            dispatched = await lobby.request({"dispatched"}, type="next")
            interview_id = dispatched["interview"]
            old = await db.fetchrow("SELECT janus_server, room_id FROM interview WHERE id = $1", interview_id)
            # Equal loads send the room to "solo", the first.
            assert old["janus_server"] == "solo", old
            await candidate.request({"ticket"}, type="accept")

            solo.process.kill()  # SIGKILL: no goodbye to anyone
            solo.process.wait(10)
            reconciler = Reconciler(app[DB_POOL], app[JANUS])
            await until_moved(reconciler, interview_id)

            new = await db.fetchrow(
                """SELECT janus_server, room_id, room_generation, state
                                       FROM interview WHERE id = $1""",
                interview_id,
            )
            assert new["janus_server"] == settings.janus.servers[0].name
            assert (new["room_generation"], new["state"]) == (1, "active")
            assert await room_exists(app[JANUS].connection(new["janus_server"]), new["room_id"])

            moved = await candidate.wait_for(lambda m: m["type"] == "room_changed")
            mine = await lobby.wait_for(lambda m: m["type"] == "room_changed")
            for message, role in ((moved, "candidate"), (mine, "interviewer")):
                assert message["interview"] == interview_id
                join = read_ticket(both, message["ticket"])
                assert (join.room, join.role) == (new["room_id"], role)
                async with candidate_http.post(
                    f"{url}/api/join", json={"ticket": message["ticket"]}
                ) as response:
                    assert response.status == 200
            # The old server coming back later does not bring the old room back into use.
            assert (await reconciler.run_once()).moved == []
            assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
    assert not await room_exists(app_server[JANUS].connection(new["janus_server"]), new["room_id"])


async def test_a_move_before_the_pages_saw_their_room_in_a_state_still_tells_both(
    app_server, settings, db, monkeypatch
):
    """The interviewer's state after *Next* comes with the hub's round; a room lost and moved
    before that round (a quick reconciler, a slow round) must still reach the page that holds
    the `dispatched` reply's ticket for the old room."""
    # Every round of this test comes after the move: the first after a quiet spell too.
    monkeypatch.setattr(hub, "DEBOUNCE", 3.0)
    start_refresh = hub.Hub._start_refresh

    def later(self, event_id):
        asyncio.get_running_loop().call_later(3.0, start_refresh, self, event_id)

    monkeypatch.setattr(hub.Hub, "_start_refresh", later)
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_token,), (interviewer_token,) = await tokens(db, live)
    url = f"http://{settings.app.host}:{settings.app.port}"
    async with candidate_and_lobby(url, candidate_token, interviewer_token) as (candidate, lobby):
        await lobby.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        mark = len(lobby.messages)
        dispatched = await lobby.request({"dispatched"}, type="next")
        interview_id = dispatched["interview"]
        await candidate.wait_for(lambda m: m["type"] == "offer")
        assert (await candidate.request({"ticket"}, type="accept"))["type"] == "ticket"
        old = await db.fetchrow(
            "SELECT janus_server, room_id, room_secret FROM interview WHERE id = $1", interview_id
        )
        await destroy_room(
            app_server[JANUS].connection(old["janus_server"]), old["room_id"], old["room_secret"]
        )
        assert interview_id in (await Reconciler(app_server[DB_POOL], app_server[JANUS]).run_once()).moved
        # No state of the interview reached the interviewer's page before the move.
        assert not any(m["type"] == "state" and m.get("interview") for m in lobby.messages[mark:]), (
            lobby.messages[mark:]
        )

        new_room_id = await db.fetchval("SELECT room_id FROM interview WHERE id = $1", interview_id)
        for socket, role in ((candidate, "candidate"), (lobby, "interviewer")):
            moved = await socket.wait_for(lambda m: m["type"] == "room_changed")
            join = read_ticket(settings, moved["ticket"])
            assert (moved["interview"], join.room, join.role) == (interview_id, new_room_id, role)
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"


async def test_rooms_that_no_live_interview_owns_are_destroyed(app_server, settings, db):
    janus = app_server[JANUS]
    connection = janus.connection(settings.janus.servers[0].name)
    live = await make_live_event(db, interviewers=1, candidates=1)
    # A room whose process died before writing it down (its interview failed meanwhile),
    # and a room that is not ours at all.
    ended = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by,
                               offer_expires_at, state, ended_at, end_reason)
        VALUES ($1, $2, $3, 'next', now(), 'failed', now(), 'room') RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
    )
    orphan = await janus.create_private_room(2, f"interview {ended}")
    foreign = await create_room(
        connection, janus.admin_key, new_room(connection.name, 1), "someone else's room"
    )

    done = await Reconciler(app_server[DB_POOL], janus).run_once()
    assert (connection.name, orphan.room_id) in done.destroyed
    listed = {room["room"] for room in await list_rooms(connection, janus.admin_key)}
    assert orphan.room_id not in listed and foreign.room_id in listed
    await connection.request({"request": "destroy", "room": foreign.room_id, "secret": foreign.secret})


async def test_a_room_being_attached_is_left_alone(app_server, settings, db):
    """Between a dispatch's commit and its room being written down, the room exists on
    Janus but not in the database: it must not be taken for an orphan."""
    janus = app_server[JANUS]
    live = await make_live_event(db, interviewers=1, candidates=1)
    offered = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by,
                               offer_expires_at)
        VALUES ($1, $2, $3, 'next', now() + interval '1 minute') RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
    )
    room = await janus.create_private_room(2, f"interview {offered}")
    done = await Reconciler(app_server[DB_POOL], janus).run_once()
    assert (room.server, room.room_id) not in done.destroyed
    assert await room_exists(janus.connection(room.server), room.room_id)
    await janus.connection(room.server).request(
        {"request": "destroy", "room": room.room_id, "secret": room.secret}
    )
    await db.execute(
        "UPDATE interview SET state = 'failed', ended_at = now(), end_reason = 'room' WHERE id = $1", offered
    )
