"""The realtime channel against the real stack: PostgreSQL LISTEN/NOTIFY between two app
instances, real Janus rooms, aiohttp's WebSocket client as the browser."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from app.keys import LIVE_HUB
from app.live import queue
from app.live.hub import APPLICATION_NAME, RETRY_SECONDS
from tests.accounts import log_in, make_user
from tests.forms import csrf_from
from tests.integration.channel_support import (
    Page,
    Recorder,
    new_client,
    recording,
    second_instance,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import age, make_live_event

SECRETS = ("HEMLIG-FRÅGA", "HEMLIG-EGENSKAP", "HEMLIG-ANTECKNING")
FORBIDDEN_KEYS = {"questions", "attributes", "notes", "ratings", "questions_covered"}


async def tokens(db, live) -> tuple[list[str], list[str]]:
    candidates = [
        await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", c) for c in live.candidates
    ]
    interviewers = [
        await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", i)
        for i in live.interviewers
    ]
    return candidates, interviewers


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def assert_nothing_private(recorder: Recorder) -> None:
    """Privacy (docs/architecture.md): questions, attributes, ratings and notes never reach a candidate."""
    assert recorder.raw, "the candidate received nothing"
    for text in recorder.raw:
        assert not any(secret in text for secret in SECRETS), text
    assert not keys_of(recorder.messages) & FORBIDDEN_KEYS


@asynccontextmanager
async def on_two_processes(
    base_url: str, settings, candidate_token: str, interviewer_token: str
) -> AsyncIterator[tuple[aiohttp.ClientSession, Recorder, Recorder]]:
    """The candidate signed in with their socket on this process, the interviewer with
    theirs on a second one: what one side does reaches the other only through NOTIFY.
    Yields the candidate's client, their socket and the interviewer's."""
    async with (
        new_client() as candidate_http,
        new_client() as interviewer_http,
        second_instance(settings) as other_url,
    ):
        await sign_in_candidate(candidate_http, base_url, candidate_token)
        assert await sign_in_interviewer(interviewer_http, other_url, interviewer_token) == 303
        async with (
            recording(candidate_http, f"{base_url}/c/{candidate_token}/ws") as candidate,
            recording(interviewer_http, f"{other_url}/i/{interviewer_token}/ws") as lobby,
        ):
            yield candidate_http, candidate, lobby


async def test_next_on_one_instance_offers_on_the_other(app_server, base_url, settings, db):
    live = await make_live_event(db, interviewers=1, candidates=2)
    await db.execute(
        """INSERT INTO event_question (event_id, position, text)
                        VALUES ($1, 1, 'HEMLIG-FRÅGA')""",
        live.id,
    )
    await db.execute(
        """INSERT INTO event_attribute (event_id, position, text)
                        VALUES ($1, 1, 'HEMLIG-EGENSKAP')""",
        live.id,
    )
    (candidate_token, _), (interviewer_token,) = await tokens(db, live)
    async with on_two_processes(base_url, settings, candidate_token, interviewer_token) as (
        candidate_http,
        candidate,
        lobby,
    ):
        first = await candidate.wait_for(lambda m: m["type"] == "state")
        assert first["queue"]["state"] == "not_checked_in"
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        state = candidate.messages[-2]
        assert state["type"] == "state" and state["queue"]["position"] == 1
        assert state["queue"]["state"] == "waiting"

        # The interviewer's lobby, on the other instance, learns of it through NOTIFY.
        seen = await lobby.wait_for(lambda m: m["type"] == "state" and m["queue"])
        assert seen["queue"][0]["candidate"] == live.candidates[0]
        # Counts, not a row per registered candidate (those are read page by page).
        assert "candidates" not in seen
        assert seen["counts"] == {"registered": 2, "checked_in": 1, "waiting": 1, "talking": 0, "away": 0}

        dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert dispatched["type"] == "dispatched", dispatched
        assert dispatched["candidate"] == live.candidates[0] and dispatched["ticket"]
        offer = await candidate.wait_for(lambda m: m["type"] == "offer")
        assert offer["interview"] == dispatched["interview"] and offer["expires_at"]

        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket", ticket
        async with candidate_http.post(f"{base_url}/api/join", json={"ticket": ticket["ticket"]}) as response:
            assert response.status == 200
            assert (await response.json())["role"] == "candidate"
        active = await candidate.wait_for(lambda m: m["type"] == "state" and m["interview"] is not None)
        assert active["interview"]["ends_at"] and active["offer"] is None
        # The call view says whom the candidate talks with (the one interviewer here).
        assert active["interview"]["interviewer_name"] == "Intervjuare 0"
        mine = await lobby.wait_for(
            lambda m: m["type"] == "state" and m["interview"] and m["interview"]["state"] == "active"
        )
        assert mine["interview"]["ticket"] and mine["talking"][0]["candidate_name"]

        saved = await lobby.request(
            {"saved"}, type="save", notes="HEMLIG-ANTECKNING", questions_covered=[1], ratings={"1": 4}
        )
        assert saved["type"] == "saved", saved
        assert (await lobby.request({"ok"}, type="extend"))["type"] == "ok"
        # Up to live.extend_limit_minutes in all (10 by default; each adds 2): the last adds
        # what is left, and one more is refused with the end time as it was.
        limit, step = settings.live.extend_limit_minutes, settings.live.extend_minutes
        for _ in range(step, limit, step):
            assert (await lobby.request({"ok"}, type="extend"))["type"] == "ok"
        held = "SELECT extended_minutes, ends_at FROM interview WHERE id = $1"
        row = await db.fetchrow(held, mine["interview"]["id"])
        assert row["extended_minutes"] == limit
        refused = await lobby.request({"error"}, type="extend")
        assert refused["code"] == "extend_limit", refused
        assert await db.fetchrow(held, mine["interview"]["id"]) == row
        assert (await lobby.request({"ok"}, type="message", text="Vi är tio minuter sena"))["type"] == "ok"
        await candidate.wait_for(lambda m: m["type"] == "state" and m["messages"])
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
        asked = await candidate.wait_for(lambda m: m["type"] == "state" and m["feedback_open"])
        assert asked["feedback_open"] == dispatched["interview"]
        answer = await candidate.request({"ok"}, type="feedback", interested=True, comment="Spännande")
        assert answer["type"] == "ok", answer
        assert_nothing_private(candidate)
    row = await db.fetchrow("SELECT * FROM interview WHERE id = $1", dispatched["interview"])
    assert row["state"] == "ended" and row["notes"] == "HEMLIG-ANTECKNING"
    assert (
        await db.fetchval(
            "SELECT interested FROM interview_feedback WHERE interview_id = $1", dispatched["interview"]
        )
        is True
    )


async def test_wrong_codes_are_refused_and_lock_the_link(app_server, base_url, settings, db):
    live = await make_live_event(db, interviewers=1, candidates=0)
    _, (token,) = await tokens(db, live)
    async with new_client() as http:
        assert await sign_in_interviewer(http, base_url, token, code="12") == 422
        csrf = await csrf_from(http, f"{base_url}/i/{token}")
        statuses = [
            await sign_in_interviewer(http, base_url, token, code="000000")
            for _ in range(settings.limits.free_failures)
        ]
        assert statuses == [422] * (settings.limits.free_failures - 1) + [429]
        # This device waits: even the right code is not compared now (and the page has no form).
        async with http.post(
            f"{base_url}/i/{token}", allow_redirects=False, data={"code": "123456", "csrf_token": csrf}
        ) as response:
            assert response.status == 429 and response.headers["Retry-After"]
        async with http.get(f"{base_url}/i/{token}") as response:
            assert 'id="code-locked"' in await response.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{base_url}/i/{token}/ws")
        assert refused.value.status == 403


async def test_the_accounts_own_link_needs_no_code(app_server, base_url, http, db):
    live = await make_live_event(db, interviewers=1, candidates=0)
    user = await make_user(db)
    await db.execute(
        "UPDATE event_interviewer SET user_id = $1 WHERE id = $2", user["id"], live.interviewers[0]
    )
    _, (token,) = await tokens(db, live)
    await log_in(http, base_url, user["email"])
    async with http.get(f"{base_url}/i/{token}") as response:
        assert 'id="interviewer-signed-in"' in await response.text()
    async with recording(http, f"{base_url}/i/{token}/ws") as lobby:
        state = await lobby.wait_for(lambda m: m["type"] == "state")
        assert state["paused"] is False and state["queue"] == []
        assert (await lobby.request({"ok"}, type="pause"))["type"] == "ok"
        assert await lobby.wait_for(lambda m: m["type"] == "state" and m["paused"])


@pytest.mark.parametrize(
    "path",
    ["/c/{c}/ws", "/i/{i}/ws", "/c/nonexistent-token-xyz/ws", "/i/nonexistent-token-xyz/ws", "/c/%2e%2e/ws"],
)
async def test_sockets_without_a_session_are_refused(app_server, base_url, http, db, path):
    live = await make_live_event(db, interviewers=1, candidates=1)
    (c,), (i,) = await tokens(db, live)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(base_url + path.format(c=c, i=i))
    assert refused.value.status in (401, 403, 404)


async def test_the_sockets_address_without_the_upgrade_says_whether_it_would_let_in(
    app_server, base_url, http, db
):
    """For a page whose handshakes keep failing (a browser does not say why): 204, or the
    handshake's refusal (PROTOCOL.md, "Let in?")."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    (c,), (i,) = await tokens(db, live)

    async def status(client, path: str) -> int:
        async with client.get(base_url + path, allow_redirects=False) as response:
            return response.status

    assert await status(http, f"/c/{c}/ws") == 403  # no session
    assert await status(http, f"/i/{i}/ws") == 403
    assert await status(http, "/c/nonexistent-token-xyz/ws") == 404
    await sign_in_candidate(http, base_url, c)
    assert await sign_in_interviewer(http, base_url, i) == 303
    assert await status(http, f"/c/{c}/ws") == 204
    assert await status(http, f"/i/{i}/ws") == 204
    await db.execute("UPDATE candidate SET cancelled_at = now() WHERE id = $1", live.candidates[0])
    await db.execute("UPDATE event SET deleted_at = now() WHERE id = $1", live.id)
    for _ in range(50):  # the arrivals' lookups may be a moment old
        if (await status(http, f"/c/{c}/ws"), await status(http, f"/i/{i}/ws")) == (403, 404):
            break
        await asyncio.sleep(0.1)
    assert (await status(http, f"/c/{c}/ws"), await status(http, f"/i/{i}/ws")) == (403, 404)


async def test_a_socket_from_another_site_is_refused(app_server, base_url, http, db):
    live = await make_live_event(db, interviewers=0, candidates=1)
    (token,), _ = await tokens(db, live)
    await sign_in_candidate(http, base_url, token)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(f"{base_url}/c/{token}/ws", origin="https://evil.example")
    assert refused.value.status == 403


async def test_bad_messages_get_errors_and_ping_gets_pong(app_server, base_url, http, db):
    live = await make_live_event(db, interviewers=0, candidates=1)
    (token,), _ = await tokens(db, live)
    await sign_in_candidate(http, base_url, token)
    async with recording(http, f"{base_url}/c/{token}/ws") as candidate:
        await candidate.wait_for(lambda m: m["type"] == "state")
        for text, code in [
            ("{not json", "malformed"),
            ("[1, 2]", "malformed"),
            ('{"type": 5}', "malformed"),
            ('{"type": "next"}', "unknown_type"),
            ('{"type": "feedback", "interested": "ja"}', "invalid_fields"),
            ('{"type": "accept"}', "offer_gone"),
        ]:
            mark = len(candidate.messages)
            await candidate.ws.send_str(text)
            reply = await candidate.wait_for(lambda m: m["type"] in ("error", "ok"), after=mark)
            assert reply == {**reply, "type": "error", "code": code}, (text, reply)
        mark = len(candidate.messages)
        await candidate.ws.send_bytes(b"\x00")
        await candidate.wait_for(lambda m: m == {"type": "error", "code": "malformed"}, after=mark)
        pong = await candidate.request({"pong"}, type="ping")
        # The server's time, to measure a page's clock by (PROTOCOL.md, Heartbeats).
        assert pong["type"] == "pong"
        assert abs((dt.datetime.fromisoformat(pong["now"]) - dt.datetime.now(dt.UTC)).total_seconds()) < 60
        assert not candidate.ws.closed


async def test_a_dropped_candidate_keeps_the_place(app_server, base_url, settings, db):
    live = await make_live_event(db, interviewers=0, candidates=2)
    tokens_, _ = await tokens(db, live)
    clients = [new_client() for _ in tokens_]
    try:
        for client, token in zip(clients, tokens_):
            await sign_in_candidate(client, base_url, token)
        async with recording(clients[0], f"{base_url}/c/{tokens_[0]}/ws") as first:
            await first.request({"ok"}, type="check_in")
        # The socket closed: the grace period runs, the place is kept. (The server records
        # the close a moment after the client sees it closed.)
        for _ in range(400):  # within 20 s: a loaded machine records it late
            entry = await db.fetchrow("SELECT * FROM queue_entry WHERE candidate_id = $1", live.candidates[0])
            if entry["disconnected_at"] is not None:
                break
            await asyncio.sleep(0.05)
        assert entry["disconnected_at"] is not None and entry["state"] == "waiting"
        async with recording(clients[1], f"{base_url}/c/{tokens_[1]}/ws") as second:
            await second.request({"ok"}, type="check_in")
            assert second.messages[-2]["queue"]["position"] == 2
            # Past the grace period: away, and the second candidate moves up...
            await age(
                db,
                "queue_entry",
                "disconnected_at",
                settings.live.grace_seconds + 1,
                "candidate_id = $2",
                live.candidates[0],
            )
            await queue.mark_away(db, settings.live)
            page = Page(second)  # a state, or the shared queue message (PROTOCOL.md)
            await page.reaches(1)
            # ...until the first comes back, to the old place, without checking in again. Their
            # first state is theirs even while the process has not yet heard the notification of
            # their return (a loaded machine) and holds a view read before it: the hub's
            # listening connection is held from reading meanwhile.
            listening = app_server[LIVE_HUB]._connection._transport
            listening.pause_reading()
            try:
                async with recording(clients[0], f"{base_url}/c/{tokens_[0]}/ws") as back:
                    state = await back.wait_for(lambda m: m["type"] == "state")
                    assert state["queue"] == {**state["queue"], "state": "waiting", "position": 1}
                    listening.resume_reading()
                    await page.reaches(2)
            finally:
                listening.resume_reading()
    finally:
        for client in clients:
            await client.close()


async def test_the_listener_listens_again_after_losing_the_database(app_server, base_url, settings, db):
    live = await make_live_event(db, interviewers=0, candidates=1)
    (token,), _ = await tokens(db, live)
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        async with recording(http, f"{base_url}/c/{token}/ws") as candidate:
            await candidate.wait_for(lambda m: m["type"] == "state")
            killed = await db.fetchval(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name = $1""",
                APPLICATION_NAME,
            )
            assert killed >= 1
            # A change made elsewhere (another process) after the drop still arrives.
            await asyncio.sleep(RETRY_SECONDS + 0.5)
            mark = len(candidate.messages)
            await queue.check_in(db, live.candidates[0], settings.live)
            await candidate.wait_for(
                lambda m: m["type"] == "state" and m["queue"]["position"] == 1, after=mark
            )


async def test_pick_takes_one_out_of_order_and_refusals_are_coded(app_server, base_url, settings, db):
    live = await make_live_event(db, interviewers=1, candidates=2)
    for candidate_id in live.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    _, (token,) = await tokens(db, live)
    async with new_client() as http:
        assert await sign_in_interviewer(http, base_url, token) == 303
        async with recording(http, f"{base_url}/i/{token}/ws") as lobby:
            state = await lobby.wait_for(lambda m: m["type"] == "state")
            assert [w["candidate"] for w in state["queue"]] == live.candidates
            assert (await lobby.request({"dispatched"}, type="pick", candidate=10**12)) == {
                "type": "error",
                "code": "candidate_not_waiting",
                "for": "pick",
            }
            picked = await lobby.request({"dispatched"}, type="pick", candidate=live.candidates[1])
            assert picked["type"] == "dispatched" and picked["candidate"] == live.candidates[1]
            busy = await lobby.request({"dispatched", "queue_empty"}, type="next")
            assert busy["code"] == "interviewer_busy"
            assert (await lobby.request({"ok"}, type="message", text=" "))["code"] == "invalid_fields"
            assert (await lobby.request({"ok"}, type="end"))["code"] == "not_active"


async def test_an_answer_on_one_page_takes_the_question_off_the_others(app_server, base_url, db):
    """The same candidate on a phone and a laptop: answered on one, the other thanks too,
    rather than go on asking and take a second answer over the first."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    (token,), _ = await tokens(db, live)
    interview = await db.fetchval(
        """INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by, offered_at,
                                  offer_expires_at, started_at, ends_at, ended_at, end_reason)
           VALUES ($1, $2, $3, 'ended', 'next', now() - interval '9 minutes', now() - interval '8 minutes',
                   now() - interval '8 minutes', now() + interval '2 minutes', now(), 'interviewer')
           RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
    )
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        async with (
            recording(http, f"{base_url}/c/{token}/ws") as phone,
            recording(http, f"{base_url}/c/{token}/ws") as laptop,
        ):
            for page in (phone, laptop):
                asked = await page.wait_for(lambda m: m["type"] == "state")
                assert asked["feedback_open"] == interview
            mark = len(laptop.messages)
            assert (await phone.request({"ok"}, type="feedback", interested=True, comment=""))["type"] == "ok"
            told = await laptop.wait_for(lambda m: m["type"] == "state", after=mark)
            assert told["feedback_open"] is None


async def test_a_camera_or_microphone_switched_off_reaches_the_other_side(app_server, base_url, settings, db):
    """Each side's page says which of its switches are on; the other side's state carries
    them (across processes, through NOTIFY), so its call does not read a picture switched
    off as a weak connection."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_token,), (interviewer_token,) = await tokens(db, live)
    async with on_two_processes(base_url, settings, candidate_token, interviewer_token) as (
        candidate_http,
        candidate,
        lobby,
    ):
        # Said before any interview: nothing to keep it on, nothing changes.
        assert (await candidate.request({"ok"}, type="devices", microphone=False, camera=False))[
            "type"
        ] == "ok"
        refused = await candidate.request({"ok"}, type="devices", microphone="off", camera=True)
        assert refused["code"] == "invalid_fields"
        await candidate.request({"ok"}, type="check_in")
        await lobby.wait_for(lambda m: m["type"] == "state" and m["queue"])
        assert (await lobby.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await candidate.wait_for(lambda m: m["type"] == "offer")
        await candidate.request({"ticket"}, type="accept")
        active = await candidate.wait_for(lambda m: m["type"] == "state" and m["interview"] is not None)
        on = {"microphone": True, "camera": True, "problem": None}
        assert active["interview"]["devices"] == on and active["interview"]["other_devices"] == on

        await candidate.request({"ok"}, type="devices", microphone=True, camera=False)
        seen = await lobby.wait_for(
            lambda m: (
                m["type"] == "state"
                and m["interview"]
                and m["interview"]["other_devices"] == {"microphone": True, "camera": False, "problem": None}
            )
        )
        assert seen["interview"]["devices"] == on
        await lobby.request({"ok"}, type="devices", microphone=False, camera=True)
        told = await candidate.wait_for(
            lambda m: (
                m["type"] == "state"
                and m["interview"]
                and m["interview"]["other_devices"] == {"microphone": False, "camera": True, "problem": None}
            )
        )
        # The candidate's own, as the server keeps it: their page says it again if it differs.
        assert told["interview"]["devices"] == {"microphone": True, "camera": False, "problem": None}

        # Their camera could not be started: the interviewer is told why they do not come,
        # and told again once their next join could (a page says null with each join).
        await candidate.request({"ok"}, type="devices", microphone=True, camera=True, problem="blocked")
        await _told_problem(lobby, "blocked")
        refused = await candidate.request(
            {"ok"}, type="devices", microphone=True, camera=True, problem="camera"
        )
        assert refused["code"] == "invalid_fields"
        # A browser that cannot make video calls at all is said so too (migration 0068).
        await candidate.request({"ok"}, type="devices", microphone=True, camera=True, problem="unsupported")
        await _told_problem(lobby, "unsupported")
        await candidate.request({"ok"}, type="devices", microphone=True, camera=True)
        await lobby.wait_for(
            lambda m: m["type"] == "state" and m["interview"] and m["interview"]["other_devices"] == on
        )
        # Said again, and their page closed: nobody is being shown what to do any more, and
        # the interviewer is no longer told so (they wait for them as for anyone away).
        await candidate.request({"ok"}, type="devices", microphone=True, camera=True, problem="in_use")
        await _told_problem(lobby, "in_use")
        await candidate.ws.close()
        await lobby.wait_for(
            lambda m: m["type"] == "state" and m["interview"] and m["interview"]["other_devices"] == on
        )
    row = await db.fetchrow(
        """SELECT candidate_microphone_off, candidate_camera_off, interviewer_microphone_off,
                  interviewer_camera_off, candidate_media_problem FROM interview WHERE event_id = $1""",
        live.id,
    )
    assert tuple(row) == (False, False, True, False, None)


async def _told_problem(lobby: Recorder, problem: str) -> None:
    """The interviewer's state says why the candidate's camera would not start."""
    await lobby.wait_for(
        lambda m: (
            m["type"] == "state" and m["interview"] and m["interview"]["other_devices"]["problem"] == problem
        )
    )


async def test_no_message_to_those_waiting_once_the_event_is_over(app_server, base_url, db):
    """Ended (or cancelled), nobody waits to read it, and a page opened later would show it."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    _, (token,) = await tokens(db, live)
    async with new_client() as http:
        await sign_in_interviewer(http, base_url, token)
        async with recording(http, f"{base_url}/i/{token}/ws") as lobby:
            await lobby.wait_for(lambda m: m["type"] == "state")
            assert (await lobby.request({"ok"}, type="message", text="Snart börjar vi"))["type"] == "ok"
            await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", live.id)
            refused = await lobby.request({"ok"}, type="message", text="Efter slutet")
            assert refused == {"type": "error", "code": "event_not_open", "for": "message"}
    texts = await db.fetch("SELECT text FROM live_message WHERE event_id = $1", live.id)
    assert [row["text"] for row in texts] == ["Snart börjar vi"]
