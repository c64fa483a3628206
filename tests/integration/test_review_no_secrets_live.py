"""Secrets never reach a log (docs/architecture.md, "Rules") on the live paths, which
test_no_secrets_in_logs.py does not walk: sign-in with PIN and code (and a wrong code),
check-in, dispatch with a real Janus room, accept, POST /api/join, Janus's media events,
the reconciler moving a lost room (new pin, secret, tokens and tickets), save, end,
feedback, and the summary. Everything is logged at DEBUG, captured from the logging
framework and from the process's stdout/stderr."""

from __future__ import annotations

import base64
import json
import logging

from app.janus.rooms import destroy_room
from app.keys import DB_POOL, JANUS
from app.live.reconciler import Reconciler
from app.logs import secret_values
from app.tickets import read_ticket
from tests.accounts import log_in, make_user
from tests.integration.channel_support import (
    CANDIDATE_PIN,
    INTERVIEWER_CODE,
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event


async def room_secrets(db, interview_id: int) -> list[str]:
    row = await db.fetchrow(
        "SELECT room_pin, room_secret, room_tokens FROM interview WHERE id = $1", interview_id
    )
    return [row["room_pin"], row["room_secret"], *row["room_tokens"]]


async def test_the_live_event_day_logs_no_secret(app_server, settings, db, base_url, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate_token = await db.fetchval(
        "SELECT access_token FROM candidate WHERE id = $1", live.candidates[0]
    )
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    secrets = [*secret_values(settings), CANDIDATE_PIN, INTERVIEWER_CODE, candidate_token, interviewer_token]
    async with new_client() as candidate_http, new_client() as interviewer_http:
        assert (
            await sign_in_interviewer(interviewer_http, base_url, interviewer_token, code="000111") != 303
        )  # a wrong code first
        assert await sign_in_interviewer(interviewer_http, base_url, interviewer_token) == 303
        await sign_in_candidate(candidate_http, base_url, candidate_token)
        for jar in (candidate_http.cookie_jar, interviewer_http.cookie_jar):
            secrets += [cookie.value for cookie in jar if len(cookie.value) >= 8]
        async with (
            recording(candidate_http, f"{base_url}/c/{candidate_token}/ws") as candidate,
            recording(interviewer_http, f"{base_url}/i/{interviewer_token}/ws") as lobby,
        ):
            assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
            dispatched = await lobby.request({"dispatched"}, type="next")
            assert dispatched["type"] == "dispatched", dispatched
            interview_id = dispatched["interview"]
            await candidate.wait_for(lambda m: m["type"] == "offer")
            accepted = await candidate.request({"ticket"}, type="accept")
            assert accepted["type"] == "ticket", accepted
            tickets = [dispatched["ticket"], accepted["ticket"]]
            secrets += await room_secrets(db, interview_id)

            # The reconciler finds the room gone (Janus lost it) and moves the interview.
            old = await db.fetchrow(
                "SELECT janus_server, room_id, room_secret FROM interview WHERE id = $1", interview_id
            )
            await destroy_room(
                app_server[JANUS].connection(old["janus_server"]), old["room_id"], old["room_secret"]
            )
            assert interview_id in (await Reconciler(app_server[DB_POOL], app_server[JANUS]).run_once()).moved
            tickets.append((await candidate.wait_for(lambda m: m["type"] == "room_changed"))["ticket"])
            tickets.append((await lobby.wait_for(lambda m: m["type"] == "room_changed"))["ticket"])
            secrets += await room_secrets(db, interview_id)

            for ticket in tickets:
                async with candidate_http.post(f"{base_url}/api/join", json={"ticket": ticket}) as response:
                    assert response.status == 200
                join = read_ticket(settings, ticket)
                secrets += [ticket, join.janus_token, join.pin, join.room_token, join.opaque_id]
                # Janus's event handler reports media with the tag and the Janus token in it.
                auth = base64.b64encode(
                    f"janus:{settings.janus.event_secret.get_secret_value()}".encode()
                ).decode()
                event = {
                    "type": 32,
                    "subtype": 1,
                    "opaque_id": join.opaque_id,
                    "session_id": 1,
                    "handle_id": 2,
                    "timestamp": 1_700_000_000_000_000,
                    "event": {"receiving": True, "token": join.janus_token},
                }
                async with candidate_http.post(
                    f"{base_url}/janus/events",
                    data=json.dumps([event]),
                    headers={"Authorization": f"Basic {auth}"},
                ) as posted:
                    assert posted.status == 204
            saved = await lobby.request(
                {"saved"}, type="save", notes="Bra svar", questions_covered=[], ratings={}
            )
            assert saved["type"] == "saved", saved
            assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
            answered = await candidate.request({"ok"}, type="feedback", interested=True, comment="Tack!")
            assert answered["type"] == "ok", answered
    # The summary, by the organization.
    async with new_client() as organizer:
        organization_id = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", live.id)
        await log_in(organizer, base_url, (await make_user(db, organization_id=organization_id))["email"])
        async with organizer.get(f"{base_url}/events/{live.id}/summary.csv") as response:
            assert response.status == 200

    captured = capfd.readouterr()
    everything = caplog.text + captured.out + captured.err
    assert "POST /api/join" in caplog.text  # the access log was captured
    assert f"interview {interview_id} moved from" in caplog.text  # and the reconciler's
    leaked = [secret[:12] + "…" for secret in secrets if secret and secret in everything]
    assert not leaked, leaked
