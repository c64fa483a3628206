"""Two deployments on one Janus server leave each other's rooms and tokens alone, and
/api/join hands out TURN credentials that last as long as the ticket's interview."""

from __future__ import annotations

import random

from aiohttp import ClientSession

from app.application import create_app
from app.janus.admin import admin_session
from app.janus.pool import JanusPool
from app.janus.rooms import Room, list_rooms, room_description
from app.keys import DB_POOL, JANUS
from app.live.reconciler import Reconciler
from app.localstack.processes import free_port
from app.tickets import mint_ticket
from tests.integration.live_support import make_live_event
from tests.serving import serving


async def failed_interview(db, live) -> int:
    return await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by,
                               offer_expires_at, state, ended_at, end_reason)
        VALUES ($1, $2, $3, 'next', now(), 'failed', now(), 'room') RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
    )


async def tokens_on(server, secret: str) -> set[str]:
    async with admin_session(server.name, server.admin_url, secret, 5.0) as admin:
        return set(await admin.list_tokens())


async def test_deployments_sharing_a_janus_never_touch_each_others_rooms(app_server, settings, db):
    other_settings = settings.janus.model_copy(update={"deployment_id": "other"})
    other = JanusPool(other_settings)
    other.start()
    try:
        server = settings.janus.servers[0]
        await other.connection(server.name).wait_ready(20)
        live = await make_live_event(db, interviewers=1, candidates=1)
        theirs = await other.create_private_room(
            2, room_description("other", await failed_interview(db, live))
        )
        ours = await app_server[JANUS].create_private_room(
            2, room_description("", await failed_interview(db, live))
        )
        secret = settings.janus.admin_secret.get_secret_value()
        their_tokens = {other.janus_token(server.name, theirs.room_id, p) for p in (0, 1)}
        assert their_tokens <= await tokens_on(server, secret)

        done = await Reconciler(app_server[DB_POOL], app_server[JANUS]).run_once()
        assert (server.name, ours.room_id) in done.destroyed
        assert (server.name, theirs.room_id) not in done.destroyed
        listed = {r["room"] for r in await list_rooms(other.connection(server.name), other.admin_key)}
        assert theirs.room_id in listed and ours.room_id not in listed
        assert their_tokens <= await tokens_on(server, secret)

        # Their own reconciler does see the orphan as theirs.
        done = await Reconciler(app_server[DB_POOL], other).run_once()
        assert (server.name, theirs.room_id) in done.destroyed
        assert not their_tokens & await tokens_on(server, secret)
    finally:
        await other.stop()


async def test_join_gives_turn_credentials_for_the_interviews_time_only(settings, db, app_server):
    port = free_port()
    with_turn = settings.model_copy(
        update={
            "app": settings.app.model_copy(update={"port": port}),
            "turn": settings.turn.model_copy(
                update={
                    "urls": ["turn:127.0.0.1:3478", "turns:127.0.0.1:5349?transport=tcp"],
                    "secret": settings.janus.admin_secret,
                    "credential_margin": 600,
                }
            ),
        }
    )
    live = await make_live_event(db, interviewers=1, candidates=1, interview_minutes=10)
    room = Room("janus1", random.randrange(1, 2**53), "pin", "secret", ("a", "b"))
    interview_id, planned_end = await db.fetchrow(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                               janus_server, room_id, room_pin, room_secret, room_tokens,
                               offered_at, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'active', 'next', 'janus1', $4, 'pin', 'secret', ARRAY['a', 'b'],
                now(), now(), now(), now() + interval '7 minutes')
        RETURNING id, extract(epoch FROM ends_at)::bigint""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
        room.room_id,
    )
    ticket = mint_ticket(with_turn, room, 0, "candidate", "Ada", f"interview:{interview_id}:candidate")
    async with serving(create_app(with_turn), port) as url, ClientSession() as http:
        async with http.post(f"{url}/api/join", json={"ticket": ticket}) as response:
            assert response.status == 200
            body = await response.json()
        (turn,) = [s for s in body["ice_servers"] if "username" in s]
        expiry, holder = turn["username"].split(":")
        assert holder == f"interview-{interview_id}-candidate"
        assert abs(int(expiry) - (planned_end + 600)) <= 1
        assert "subject" not in body
        await db.execute(
            "UPDATE interview SET state = 'ended', ended_at = now(), "
            "end_reason = 'interviewer' WHERE id = $1",
            interview_id,
        )
        async with http.post(f"{url}/api/join", json={"ticket": ticket}) as response:
            body = await response.json()
        assert not [s for s in body["ice_servers"] if "username" in s]
