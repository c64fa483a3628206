"""The join info in the `ticket` and `dispatched` replies (PROTOCOL.md, "Join info"): what
POST /api/join answers for the reply's ticket, TURN credentials included, to the ticket's
holder only, and never in a log. The test stack runs coturn, so TURN is configured here."""

from __future__ import annotations

import logging

from app.logs import secret_values
from tests.integration.channel_support import candidate_and_lobby
from tests.integration.live_support import make_live_event


async def traded(http, base_url: str, ticket: str) -> dict:
    async with http.post(f"{base_url}/api/join", json={"ticket": ticket}) as response:
        assert response.status == 200
        return await response.json()


def relay_users(join: dict) -> list[str]:
    return [server["username"] for server in join["ice_servers"] if "username" in server]


async def test_the_replies_carry_what_api_join_answers_for_their_ticket(
    app_server, base_url, settings, db, http, caplog
):
    caplog.set_level(logging.DEBUG)
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate_link = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
    interviewer_link = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    async with candidate_and_lobby(base_url, candidate_link, interviewer_link) as (candidate, lobby):
        await candidate.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        await lobby.wait_for(lambda m: m["type"] == "state" and m["queue"])

        dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert dispatched["type"] == "dispatched", dispatched
        interviewer_join = dispatched["join"]
        assert interviewer_join == await traded(http, base_url, dispatched["ticket"])
        assert interviewer_join["role"] == "interviewer"

        await candidate.wait_for(lambda m: m["type"] == "offer")
        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket", ticket
        candidate_join = ticket["join"]
        assert candidate_join == await traded(http, base_url, ticket["ticket"])
        assert candidate_join["role"] == "candidate" and candidate_join["room"] == interviewer_join["room"]
        # Relay access of their own, until the interview's planned end and the margin.
        interview_id = dispatched["interview"]
        assert [user.split(":")[1] for user in relay_users(candidate_join)] == [
            f"interview-{interview_id}-candidate"
        ]
        assert [user.split(":")[1] for user in relay_users(interviewer_join)] == [
            f"interview-{interview_id}-interviewer"
        ]
        ends_at = await db.fetchval(
            "SELECT extract(epoch FROM ends_at)::bigint FROM interview WHERE id = $1", interview_id
        )
        (user,) = relay_users(candidate_join)
        assert abs(int(user.split(":")[0]) - (ends_at + settings.turn.credential_margin)) <= 1

        # The candidate's socket never carries the interviewer's way in, nor the reverse.
        for text in candidate.raw:
            assert interviewer_join["janus_token"] not in text
            assert interviewer_join["room_token"] not in text
        for text in lobby.raw:
            assert candidate_join["janus_token"] not in text
            assert candidate_join["room_token"] not in text

    credentials = [
        server["credential"]
        for join in (candidate_join, interviewer_join)
        for server in join["ice_servers"]
        if "credential" in server
    ]
    assert credentials
    for secret in [
        *secret_values(settings),
        *credentials,
        *(
            join[key]
            for join in (candidate_join, interviewer_join)
            for key in ("janus_token", "room_token", "pin")
        ),
        ticket["ticket"],
        dispatched["ticket"],
    ]:
        assert secret not in caplog.text
