"""Review probes (bad input, docs/architecture.md: no 500, no "server_error", for anything a browser or a
client can send) against the live event's endpoints: the two sockets, POST /api/join,
POST /janus/events, /texts/{lang}.json and /help.

Each probe here found a defect when it was written (deep JSON, text the database cannot keep,
an unparsable Origin, odd charsets and auth headers, absurd Janus timestamps, a late save on
the wrong record, a tab closing while another opens, a removed candidate dispatched); they
stay as regression tests.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from contextlib import asynccontextmanager

import aiohttp
import pytest

from app.keys import LIVE_HUB
from app.live.pace import Paces
from app.tickets import media_tag
from tests.integration.channel_support import (
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event

REPLIES = {"ok", "error", "pong", "ticket", "prepared", "dispatched", "queue_empty", "saved", "record"}
DEEP = "[" * 50_000  # well below the 64 KiB frame limit, far beyond json's recursion limit


async def tokens(db, live) -> tuple[str, str]:
    candidate = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
    interviewer = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    return candidate, interviewer


async def ended_interview(db, live) -> int:
    """An interview of candidate 0 with interviewer 0 that has ended: the record (save) and
    the answer (feedback) are open for it."""
    return await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                               offered_at, offer_expires_at, started_at, ends_at, ended_at,
                               end_reason)
        VALUES ($1, $2, $3, 'ended', 'next', now() - interval '9 minutes',
                now() - interval '8 minutes', now() - interval '8 minutes',
                now() + interval '2 minutes', now() - interval '1 minute', 'interviewer')
        RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
    )


@asynccontextmanager
async def signed_in_socket(db, base_url: str, live, side: str):
    """The socket of candidate 0 or interviewer 0, signed in, after its first state."""
    candidate_token, interviewer_token = await tokens(db, live)
    async with new_client() as http:
        if side == "candidate":
            await sign_in_candidate(http, base_url, candidate_token)
            url = f"{base_url}/c/{candidate_token}/ws"
        else:
            assert await sign_in_interviewer(http, base_url, interviewer_token) == 303
            url = f"{base_url}/i/{interviewer_token}/ws"
        async with recording(http, url) as socket:
            await socket.wait_for(lambda m: m["type"] == "state")
            yield socket


async def reply_to(recorder, raw: str | bytes) -> dict:
    """The reply to one raw frame (text or binary)."""
    mark = len(recorder.messages)
    if isinstance(raw, bytes):
        await recorder.ws.send_bytes(raw)
    else:
        await recorder.ws.send_str(raw)
    return await recorder.wait_for(lambda m: m["type"] in REPLIES, after=mark)


def no_failure_logged(caplog) -> None:
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, [r.getMessage() for r in failures]


# -- the candidate's socket ------------------------------------------------------------------

CANDIDATE_PROBES = [
    ("not json", "malformed"),
    ("", "malformed"),
    ("null", "malformed"),
    ("[]", "malformed"),
    ('"check_in"', "malformed"),
    ('{"type": 5}', "malformed"),
    ('{"type": null}', "malformed"),
    ('{"type": ["check_in"]}', "malformed"),
    ('{"type": "next"}', "unknown_type"),
    ('{"type": "CHECK_IN"}', "unknown_type"),
    ('{"type": "check_in\\u0000"}', "unknown_type"),
    ('{"type": "feedback", "interested": "yes"}', "invalid_fields"),
    ('{"type": "feedback", "interested": 1}', "invalid_fields"),
    ('{"type": "feedback", "interested": true, "comment": 5}', "invalid_fields"),
    ('{"type": "feedback", "interested": true, "comment": {"a": {"b": []}}}', "invalid_fields"),
    (json.dumps({"type": "feedback", "interested": True, "comment": "x" * 2001}), "invalid_fields"),
    ('{"type": "feedback", "interested": true}', "feedback_not_open"),
    ('{"type": "accept"}', "offer_gone"),
    ('{"type": "accept", "interview": 1e308}', "offer_gone"),
]


async def test_candidate_socket_answers_odd_messages(app_server, db, base_url, caplog, monkeypatch):
    # About the answers, not their pace (tests/integration/test_live_pace.py): well over a
    # hundred messages at once, read at once.
    monkeypatch.setattr(app_server[LIVE_HUB], "paces", Paces(rate=1000.0, burst=1000.0))
    live = await make_live_event(db, interviewers=1, candidates=1)
    async with signed_in_socket(db, base_url, live, "candidate") as socket:
        for raw, code in CANDIDATE_PROBES:
            reply = await reply_to(socket, raw)
            assert reply == {**reply, "type": "error", "code": code}, (raw[:60], reply)
        assert (await reply_to(socket, b"\x00\xff binary")) == {"type": "error", "code": "malformed"}
        # Fast repeats: every message gets its reply, in order; one queue entry.
        await asyncio.gather(*(socket.send(type="check_in") for _ in range(30)))
        await asyncio.gather(*(socket.send(type="ping") for _ in range(100)))
        await socket.wait_for(
            lambda m: m["type"] == "pong" and sum(x["type"] == "pong" for x in socket.messages) == 100
        )
        oks = [m for m in socket.messages if m.get("for") == "check_in"]
        assert len(oks) == 30 and {m["type"] for m in oks} == {"ok"}
    assert (
        await db.fetchval("SELECT count(*) FROM queue_entry WHERE candidate_id = $1", live.candidates[0]) == 1
    )
    no_failure_logged(caplog)


@pytest.mark.parametrize("raw", [DEEP, '{"type": "check_in", "x": ' + "[" * 5000 + "]" * 5000 + "}"])
async def test_deeply_nested_json_is_malformed(app_server, db, base_url, caplog, raw):
    live = await make_live_event(db, interviewers=1, candidates=1)
    async with signed_in_socket(db, base_url, live, "candidate") as socket:
        assert (await reply_to(socket, raw)) == {"type": "error", "code": "malformed"}
    no_failure_logged(caplog)


async def test_a_frame_over_64_kib_closes_only_that_socket(app_server, db, base_url):
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate_token, _ = await tokens(db, live)
    async with new_client() as http:
        await sign_in_candidate(http, base_url, candidate_token)
        async with http.ws_connect(f"{base_url}/c/{candidate_token}/ws") as ws:
            await ws.send_str(json.dumps({"type": "ping", "pad": "x" * (65 * 1024)}))
            while (frame := await ws.receive(timeout=10)).type == aiohttp.WSMsgType.TEXT:
                pass
            assert frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
        # The browser reconnects and carries on.
        async with recording(http, f"{base_url}/c/{candidate_token}/ws") as socket:
            assert (await reply_to(socket, '{"type": "ping"}'))["type"] == "pong"


@pytest.mark.parametrize("value, kept", [("a\u0000b", "ab"), ("\ud800 ok", " ok")])
async def test_feedback_text_the_database_cannot_store(app_server, db, base_url, caplog, value, kept):
    """NUL and a lone surrogate are dropped from a comment, as the other characters that
    would not show are (app/live/PROTOCOL.md): the answer is saved, not refused whole."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    await ended_interview(db, live)
    async with signed_in_socket(db, base_url, live, "candidate") as socket:
        reply = await reply_to(socket, json.dumps({"type": "feedback", "interested": True, "comment": value}))
        assert reply["type"] == "ok", reply
    stored = await db.fetchval(
        """SELECT f.comment FROM interview_feedback f JOIN interview i ON i.id = f.interview_id
           WHERE i.candidate_id = $1""",
        live.candidates[0],
    )
    assert stored == kept
    no_failure_logged(caplog)


# -- the interviewer's socket ----------------------------------------------------------------

INTERVIEWER_PROBES = [
    ('{"type": "pick"}', "invalid_fields"),
    ('{"type": "pick", "candidate": 1.0}', "invalid_fields"),
    ('{"type": "pick", "candidate": "1"}', "invalid_fields"),
    ('{"type": "pick", "candidate": true}', "invalid_fields"),
    ('{"type": "pick", "candidate": -1}', "invalid_fields"),
    ('{"type": "pick", "candidate": 0}', "invalid_fields"),
    ('{"type": "pick", "candidate": 1e400}', "invalid_fields"),
    ('{"type": "pick", "candidate": ' + "9" * 400 + "}", "invalid_fields"),
    ('{"type": "pick", "candidate": {"id": 1}}', "invalid_fields"),
    ('{"type": "pick", "candidate": 4611686018427387903}', "candidate_not_waiting"),
    ('{"type": "message", "text": "   "}', "invalid_fields"),
    ('{"type": "message", "text": 5}', "invalid_fields"),
    (json.dumps({"type": "message", "text": "x" * 501}), "invalid_fields"),
    ('{"type": "save", "ratings": []}', "invalid_fields"),
    ('{"type": "save", "ratings": {"1": 1.5}}', "invalid_record"),
    ('{"type": "save", "ratings": {"1": true}}', "invalid_record"),
    ('{"type": "save", "ratings": {"\u0661": 3}}', "invalid_fields"),
    ('{"type": "save", "ratings": {"' + "9" * 5000 + '": 3}}', "invalid_fields"),
    ('{"type": "save", "ratings": {"99999999999999999999": 3}}', "invalid_record"),
    ('{"type": "save", "questions_covered": [1.0]}', "invalid_record"),
    ('{"type": "save", "questions_covered": [1, 1]}', "invalid_record"),
    ('{"type": "save", "questions_covered": [' + "9" * 400 + "]}", "invalid_record"),
    ('{"type": "save", "questions_covered": [[1]]}', "invalid_record"),
    ('{"type": "save", "questions_covered": "1"}', "invalid_fields"),
    ('{"type": "save", "notes": null}', "invalid_fields"),
    (json.dumps({"type": "save", "notes": "x" * 20_001}), "invalid_fields"),
    ('{"type": "extend"}', "not_active"),
    ('{"type": "end"}', "not_active"),
    ('{"type": "withdraw"}', "offer_gone"),
    ('{"type": "check_in"}', "unknown_type"),
]


async def test_interviewer_socket_answers_odd_messages(app_server, db, base_url, caplog):
    live = await make_live_event(db, interviewers=1, candidates=1)
    await ended_interview(db, live)
    async with signed_in_socket(db, base_url, live, "interviewer") as socket:
        for raw, code in INTERVIEWER_PROBES:
            reply = await reply_to(socket, raw)
            assert reply == {**reply, "type": "error", "code": code}, (raw[:60], reply)
        # Nothing of the refused saves reached the record.
        assert (
            await db.fetchval(
                "SELECT count(*) FROM interview_rating r JOIN interview i "
                "ON i.id = r.interview_id WHERE i.event_id = $1",
                live.id,
            )
            == 0
        )
        assert (
            await reply_to(socket, '{"type": "save", "notes": "Åsa", "questions_covered": [], "ratings": {}}')
        )["type"] == "saved"
        # Pause/resume pressed fast, in any order: each answered, the last one holds.
        await asyncio.gather(*(socket.send(type="pause" if n % 2 else "resume") for n in range(41)))
        await socket.wait_for(
            lambda m: sum(x.get("for") in ("pause", "resume") for x in socket.messages) == 41
        )
    assert (
        await db.fetchval(
            "SELECT paused FROM interviewer_presence WHERE interviewer_id = $1", live.interviewers[0]
        )
        is False
    )
    no_failure_logged(caplog)


async def test_interviewer_text_the_database_cannot_store(app_server, db, base_url, caplog):
    """A message with a NUL is refused (the page's own form cannot send one); from notes it
    is dropped with a lone surrogate, as the other characters that would not show are: the
    notes are saved, not refused whole (app/live/PROTOCOL.md)."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    await ended_interview(db, live)
    async with signed_in_socket(db, base_url, live, "interviewer") as socket:
        reply = await reply_to(socket, json.dumps({"type": "message", "text": "Vi är sena \u0000"}))
        assert reply["type"] == "error" and reply["code"] == "invalid_fields", reply
        reply = await reply_to(socket, json.dumps({"type": "save", "notes": "a\u0000b\udfff"}))
        assert reply["type"] == "saved", reply
    notes = await db.fetchval("SELECT notes FROM interview WHERE candidate_id = $1", live.candidates[0])
    assert notes == "ab"
    no_failure_logged(caplog)


async def test_socket_handshakes_that_are_refused(app_server, db, base_url):
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate_token, interviewer_token = await tokens(db, live)
    async with new_client() as http:
        for path in (f"/c/{candidate_token}/ws", f"/i/{interviewer_token}/ws"):
            async with http.get(base_url + path) as response:  # not signed in
                assert response.status == 403, path
        for path in ("/c/%00/ws", "/i/" + "å" * 40 + "/ws", "/c/" + "A" * 300 + "/ws"):
            async with http.get(base_url + path) as response:
                assert response.status == 404, path
        await sign_in_candidate(http, base_url, candidate_token)
        # A plain GET of the socket's address (no Upgrade): whether a socket would be let in
        # (PROTOCOL.md, "Let in?"), not a crash; to another site's page, nothing.
        async with http.get(f"{base_url}/c/{candidate_token}/ws") as response:
            assert response.status == 204
        async with http.get(f"{base_url}/c/{candidate_token}/ws", headers={"Origin": "null"}) as response:
            assert response.status == 403
        # The site's own origin, however a browser spells it, and nothing else: not the same
        # host over another scheme (a plain-http page is not the https site), port or name.
        host = base_url.split("://", 1)[1]
        for origin, status in (
            (base_url, 204),
            (base_url.upper(), 204),
            (f"https://{host}", 403),
            (f"ws://{host}", 403),
            (f"{base_url}.evil.example", 403),
            (f"http://{host.rsplit(':', 1)[0]}:1", 403),
        ):
            async with http.get(f"{base_url}/c/{candidate_token}/ws", headers={"Origin": origin}) as response:
                assert response.status == status, origin


@pytest.mark.parametrize("origin", ["http://[", "http://[::1", "http://a]b"])
async def test_socket_with_an_unparsable_origin_is_refused(app_server, db, base_url, origin):
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate_token, _ = await tokens(db, live)
    async with new_client() as http:
        await sign_in_candidate(http, base_url, candidate_token)
        async with http.get(
            f"{base_url}/c/{candidate_token}/ws",
            headers={
                "Origin": origin,
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            },
        ) as response:
            assert response.status == 403


# -- POST /api/join --------------------------------------------------------------------------

JOIN_PROBES = [
    (b"", 400),
    (b"not json", 400),
    (b"null", 400),
    (b"[]", 400),
    (b'"ticket"', 400),
    (b'{"ticket": 5}', 400),
    (b'{"ticket": null}', 400),
    (b'{"ticket": ["a"]}', 400),
    (b'{"ticket": {"a": 1}}', 400),
    (b'{"tickets": "a"}', 400),
    (json.dumps({"ticket": "x" * 5000}).encode(), 400),
    (b'{"ticket": "garbage"}', 403),
    (b'{"ticket": "a.b.c"}', 403),
    (b'{"ticket": "\\u0000"}', 403),
    (b"\xff\xfe", 400),
    (b'{"ticket": "\\ud800"}', 403),
    (b'{"ticket": "eyJhbGciOiJIUzI1NiJ9.\\udfff.x"}', 403),
    ('{"ticket": "åäö.ÅÄÖ.€"}'.encode(), 403),
]


async def test_join_answers_odd_bodies(app_server, http, base_url, caplog):
    for body, status in JOIN_PROBES:
        async with http.post(
            f"{base_url}/api/join", data=body, headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == status, (body[:40], response.status)
    async with http.post(
        f"{base_url}/api/join", data=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 413
    async with http.get(f"{base_url}/api/join") as response:
        assert response.status == 405
    no_failure_logged(caplog)


@pytest.mark.parametrize(
    "body, content_type",
    [(DEEP.encode(), "application/json"), (b'{"ticket": "a"}', "application/json; charset=no-such-charset")],
)
async def test_join_deep_json_or_unknown_charset_is_400(app_server, http, base_url, body, content_type):
    async with http.post(
        f"{base_url}/api/join", data=body, headers={"Content-Type": content_type}
    ) as response:
        # A declared charset nobody knows is refused before any handler, JSON or not
        # (app/middleware.py, charset_middleware).
        assert response.status == 400


# -- POST /janus/events ----------------------------------------------------------------------


def janus_auth(settings, password: str | None = None, user: str = "janus") -> dict:
    secret = settings.janus.event_secret.get_secret_value() if password is None else password
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


async def post_events(http, base_url, body, headers) -> int:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with http.post(
        f"{base_url}/janus/events", data=data, headers={"Content-Type": "application/json", **headers}
    ) as response:
        await response.read()
        return response.status


async def test_janus_events_refuse_bad_auth(app_server, settings, http, base_url):
    for headers in (
        {},
        janus_auth(settings, "wrong"),
        janus_auth(settings, user="admin"),
        {"Authorization": "Basic %%%"},
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()},
        {"Authorization": "Bearer x"},
        {"Authorization": "Basic"},
    ):
        assert await post_events(http, base_url, {"type": 1}, headers) == 401, headers


async def test_janus_events_non_ascii_authorization_is_401(app_server, http, base_url):
    headers = {"Authorization": "Basic \u00e5\u00e4\u00f6"}
    assert await post_events(http, base_url, {"type": 1}, headers) == 401


async def test_janus_events_odd_shapes(app_server, settings, http, base_url, db, caplog):
    auth = janus_auth(settings)
    live = await make_live_event(db, interviewers=1, candidates=1)
    interview = await ended_interview(db, live)
    tag = media_tag(settings, f"interview:{interview}:candidate")
    for body, status in [
        (b"", 400),
        (b"{", 400),
        (b"\xff", 400),
        (b"5", 400),
        (b"[5]", 400),
        (b"[]", 204),
        ({"type": "32"}, 400),
        ({"type": None}, 400),
        ({"type": 1.5}, 400),
        ({"type": 32, "opaque_id": 5, "event": {"receiving": True}}, 204),
        (
            {
                "type": 32,
                "subtype": 1,
                "opaque_id": "interview:1:candidate:forged",
                "event": {"receiving": True},
            },
            204,
        ),
        ({"type": 32, "subtype": 1, "opaque_id": tag, "timestamp": "x", "event": {"receiving": True}}, 204),
        (
            {"type": 32, "subtype": 1, "opaque_id": tag, "timestamp": 1.5e15, "event": {"receiving": "yes"}},
            204,
        ),
        ({"type": 16, "opaque_id": tag, "event": "hangup"}, 204),
        ({"type": 2, "opaque_id": [tag], "event": {"name": "detached"}}, 204),
        ({"type": 10**40, "opaque_id": tag, "event": {}}, 204),
        ([{"type": 32, "subtype": 1, "opaque_id": tag, "event": {"receiving": True}}] * 500, 204),
    ]:
        assert await post_events(http, base_url, body, auth) == status, str(body)[:80]
    assert await db.fetchval(
        "SELECT candidate_media_started_at IS NOT NULL FROM interview WHERE id = $1", interview
    )
    no_failure_logged(caplog)


@pytest.mark.parametrize("timestamp", [2**63, 10**30, -(10**20), 253402300800 * 10**6])
async def test_janus_event_with_a_huge_timestamp(app_server, settings, http, base_url, db, timestamp):
    live = await make_live_event(db, interviewers=1, candidates=1)
    interview = await ended_interview(db, live)
    tag = media_tag(settings, f"interview:{interview}:interviewer")
    body = {"type": 32, "subtype": 1, "opaque_id": tag, "timestamp": timestamp, "event": {"receiving": True}}
    assert await post_events(http, base_url, body, janus_auth(settings)) == 204


async def test_janus_events_deep_json_is_400(app_server, settings, http, base_url):
    assert await post_events(http, base_url, DEEP.encode(), janus_auth(settings)) == 400


# -- /texts and /help ------------------------------------------------------------------------


async def test_texts_and_help_take_odd_requests(app_server, http, base_url, caplog):
    for path in (
        "/texts/xx.json",
        "/texts/%00.json",
        "/texts/.json",
        "/texts/sv.JSON",
        "/texts/" + "s" * 5000 + ".json",
        "/texts/sv%2F..%2Fen.json",
        "/texts/SV.json",
    ):
        async with http.get(base_url + path) as response:
            assert response.status == 404, path
    async with http.get(f"{base_url}/texts/sv.json") as response:
        assert response.status == 200
        etag = response.headers["ETag"]
        assert "å" in await response.text()
    for match, status in (
        (etag, 304),
        (f'"x", {etag}', 304),
        ("*", 200),
        ("\u00e5" * 100, 200),
        ("," * 3000, 200),
        ("W/" + etag, 200),
    ):
        async with http.get(f"{base_url}/texts/sv.json", headers={"If-None-Match": match}) as response:
            assert response.status == status, match
    async with http.head(f"{base_url}/texts/en.json") as response:
        assert response.status == 200
    for query in ("", "?x=%00", "?" + "a=1&" * 500, "?lang=%FF"):
        async with http.get(f"{base_url}/help{query}") as response:
            assert response.status == 200, query[:30]
    async with http.head(f"{base_url}/help") as response:
        assert response.status == 200
    async with http.post(f"{base_url}/help") as response:
        assert response.status in (403, 405)
    no_failure_logged(caplog)


# -- the record goes to the interview it is about ---------------------------------------------


async def test_a_late_save_for_the_previous_interview_stays_with_it(app_server, db, base_url):
    live = await make_live_event(db, interviewers=1, candidates=2)
    previous = await ended_interview(db, live)
    current = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                               janus_server, room_id, room_pin, room_secret, room_tokens,
                               offered_at, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'active', 'next', 'janus1', 1, 'pin', 'secret', ARRAY['a', 'b'],
                now(), now() + interval '1 minute', now(), now() + interval '10 minutes')
        RETURNING id""",
        live.id,
        live.candidates[1],
        live.interviewers[0],
    )
    async with signed_in_socket(db, base_url, live, "interviewer") as socket:
        reply = await reply_to(
            socket,
            json.dumps(
                {
                    "type": "save",
                    "interview": previous,
                    "notes": "Om förra kandidaten",
                    "questions_covered": [],
                    "ratings": {},
                }
            ),
        )
        assert reply["type"] == "saved", reply
    notes = dict(
        await db.fetch("SELECT id, notes FROM interview WHERE id = ANY($1::bigint[])", [previous, current])
    )
    assert notes == {previous: "Om förra kandidaten", current: ""}


# -- grace period: a tab closing while another opens -------------------------------------------


async def test_a_socket_opened_between_count_and_gone_keeps_the_candidate_connected(app_server, db):
    from app.live import connections, queue
    from app.live.connections import LIVE_PROCESS

    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate = live.candidates[0]
    await db.execute("INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)", live.id, candidate)
    process = app_server[LIVE_PROCESS]
    old = await connections.open_connection(db, process, candidate_id=candidate)
    # The interleaving of two handlers, one statement at a time:
    await db.execute("DELETE FROM live_connection WHERE id = $1", old)  # tab A closes
    await connections.open_connection(db, process, candidate_id=candidate)  # tab B opens
    await queue.reconnected(db, candidate)  # … and says it is back
    await connections.gone(db, candidate_id=candidate)  # tab A: records the drop
    assert (
        await db.fetchval("SELECT disconnected_at FROM queue_entry WHERE candidate_id = $1", candidate)
        is None
    )


# -- a registration removed during the event --------------------------------------------------


async def test_a_removed_candidate_is_not_dispatched(app_server, db, pool, settings):
    from app.candidates import queries as candidate_queries
    from app.live import dispatch, queue

    import asyncpg

    from app.live import leaving

    live = await make_live_event(db, interviewers=2, candidates=2)
    removed, left_waiting = live.candidates
    for candidate_id in live.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    async with db.transaction():  # as the employer's Remove does
        assert await candidate_queries.cancel(db, removed, "employer")
        await leaving.end_on_event_day(db, live.id, removed, "removed", by_candidate=False)
    # A registration ended without its candidate taken out of the queue: the database
    # refuses it (migration 0054) …
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await candidate_queries.cancel(db, left_waiting, "employer")
    # … and should such an entry be there all the same (the database's own checks switched
    # off, as a restore of old rows might), the dispatcher does not call it in either.
    async with db.transaction():
        await db.execute("SET LOCAL session_replication_role = replica")
        await candidate_queries.cancel(db, left_waiting, "employer")
    assert (
        await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", left_waiting) == "waiting"
    )
    for interviewer_id in live.interviewers:
        assert await dispatch.dispatch(pool, interviewer_id, settings.live) is None
