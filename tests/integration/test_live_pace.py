"""What one client may ask of the realtime channel: a socket's messages past a burst are
read at a steady rate (app/live/pace.py), a flood slowed, not refused; and one person holds
at most WINDOWS_PER_PERSON sockets of an event in a process (app/live/channel.py)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack, asynccontextmanager

import aiohttp
import pytest

from app.keys import LIVE_HUB, LIVE_PINGS
from app.live import channel, pace, pings
from app.live.channel import WINDOWS_PER_PERSON
from app.metrics import METRICS
from tests.integration.channel_support import new_client, recording, sign_in_candidate, sign_in_interviewer
from tests.integration.live_support import make_live_event
from tests.integration.test_live_channel import tokens

FLOOD = 100


@asynccontextmanager
async def two_candidates(db, base_url):
    """Two candidates of one event, each signed in with a client of their own: each one's
    client and link token, and a stack for sockets."""
    live = await make_live_event(db, interviewers=1, candidates=2)
    (token, other_token), _ = await tokens(db, live)
    async with new_client() as http, new_client() as other_http, AsyncExitStack() as stack:
        await sign_in_candidate(http, base_url, token)
        await sign_in_candidate(other_http, base_url, other_token)
        yield http, token, other_http, other_token, stack


def _paced() -> float:
    return METRICS.registry.get_sample_value("snabb_live_messages_paced_total") or 0


async def test_a_flood_is_answered_whole_and_in_order_at_the_pace(app_server, base_url, db, monkeypatch):
    # Fifty a second instead of ten: the same limit, a test of two seconds instead of seven.
    monkeypatch.setattr(pace, "RATE", 50.0)
    monkeypatch.setattr(app_server[LIVE_HUB], "paces", pace.Paces())  # made anew at this rate
    live = await make_live_event(db, interviewers=1, candidates=1)
    (token,), _ = await tokens(db, live)
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        async with recording(http, f"{base_url}/c/{token}/ws") as candidate:
            assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
            before, mark = _paced(), len(candidate.messages)
            for _ in range(FLOOD):  # all at once, without waiting for a reply
                await candidate.send(type="ping")
            for _ in range(200):
                replies = [m for m in candidate.messages[mark:] if m["type"] in ("pong", "error")]
                if len(replies) == FLOOD:
                    break
                await asyncio.sleep(0.05)
            assert [m["type"] for m in replies] == ["pong"] * FLOOD  # none refused, none lost
            # The burst (less the handshake's and the check-in's tokens) was read at once, the
            # rest after waits (a few tokens came back while the first were answered).
            assert FLOOD - pace.BURST - 20 <= _paced() - before <= FLOOD - pace.BURST + 2
            # The socket goes on as before, and a page's pace is not slowed.
            assert (await candidate.request({"ok"}, type="leave"))["type"] == "ok"
            assert not candidate.ws.closed


async def test_one_person_holds_at_most_so_many_sockets_of_an_event(app_server, base_url, db):
    async with two_candidates(db, base_url) as (http, token, other_http, other_token, stack):
        url = f"{base_url}/c/{token}/ws"
        windows = [await stack.enter_async_context(http.ws_connect(url)) for _ in range(WINDOWS_PER_PERSON)]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url)
        assert refused.value.status == 429
        # Nothing of the person's open sockets was touched, and nobody else is limited by them.
        assert not any(ws.closed for ws in windows)
        async with recording(other_http, f"{base_url}/c/{other_token}/ws") as other:
            assert (await other.request({"ok"}, type="check_in"))["type"] == "ok"
        # A window closed lets the next one in.
        await windows.pop().close()
        for _ in range(100):  # its close is recorded by the server a moment later
            try:
                async with http.ws_connect(url) as again:
                    assert (await again.receive_json(timeout=10))["type"] == "state"
                    break
            except aiohttp.WSServerHandshakeError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("a socket closed did not make room for another")


async def test_a_process_takes_live_sockets_only_up_to_what_its_open_files_allow(
    app_server, base_url, db, monkeypatch
):
    """Past its open files a process refuses every connection, pages and health checks too
    (app/open_files.py): its live sockets stop short of that, a handshake past it answered 503
    (the page retries, reaching another replica), and the rest of the service answers."""
    # The process's sockets of the tests before close a moment after their clients (a busy
    # machine takes longer): counted from those still open.
    for _ in range(100):
        if len(app_server[LIVE_PINGS]) == 0:
            break
        await asyncio.sleep(0.1)
    already = len(app_server[LIVE_PINGS])
    monkeypatch.setattr(channel, "live_sockets_allowed", lambda: already + 2)
    live = await make_live_event(db, interviewers=1, candidates=3)
    tokens_of, _ = await tokens(db, live)
    async with new_client() as http, AsyncExitStack() as stack:
        for token in tokens_of:
            await sign_in_candidate(http, base_url, token)
        for token in tokens_of[:2]:
            await stack.enter_async_context(http.ws_connect(f"{base_url}/c/{token}/ws"))
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{base_url}/c/{tokens_of[2]}/ws")
        assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "5"
        async with http.get(f"{base_url}/c/{tokens_of[2]}") as page:
            assert page.status == 200


async def test_a_client_sending_faster_than_the_pace_is_cut_by_the_ping_sweep(
    app_server, base_url, db, monkeypatch
):
    """A frame read after a wait is not heard from the client: only its pongs are, which
    come behind its flood. Faster than the rate for long, it answers its pings too late and
    the sweep cuts it, as a page gone silent (app/live/pings.py)."""
    monkeypatch.setattr(pace, "RATE", 50.0)
    monkeypatch.setattr(app_server[LIVE_HUB], "paces", pace.Paces())
    monkeypatch.setattr(pings, "TICK_SECONDS", 0.05)
    monkeypatch.setattr(pings, "PING_SECONDS", 1.0)
    monkeypatch.setattr(pings, "ANSWER_SECONDS", 0.5)
    live = await make_live_event(db, interviewers=1, candidates=1)
    (token,), _ = await tokens(db, live)
    cut_before = app_server[LIVE_PINGS].cut
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        # The client answers pings itself (autoping), but behind everything it sent before.
        async with http.ws_connect(f"{base_url}/c/{token}/ws") as ws:
            for _ in range(2000):  # 40 s of messages at the rate, sent at once
                await ws.send_str('{"type":"ping"}')
            for _ in range(200):
                if app_server[LIVE_PINGS].cut > cut_before:
                    break
                await asyncio.sleep(0.05)
            assert app_server[LIVE_PINGS].cut > cut_before


async def test_the_pace_is_the_persons_a_new_socket_is_no_new_burst(app_server, base_url, db, monkeypatch):
    """Opening socket after socket (or reconnecting again and again) took a fresh burst each
    time: the pace is the person's, and each handshake takes a token of it."""
    monkeypatch.setattr(app_server[LIVE_HUB], "paces", pace.Paces(rate=0.01, burst=3))
    async with two_candidates(db, base_url) as (http, token, other_http, other_token, stack):
        url = f"{base_url}/c/{token}/ws"
        first = await stack.enter_async_context(http.ws_connect(url))
        await first.close()
        await stack.enter_async_context(http.ws_connect(url))
        await stack.enter_async_context(http.ws_connect(url))
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url)
        assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "1"
        # Another person's pace is their own.
        async with recording(other_http, f"{base_url}/c/{other_token}/ws") as other:
            assert (await other.request({"ok"}, type="check_in"))["type"] == "ok"


async def test_an_interviewers_roster_reads_are_paced(app_server, base_url, db, monkeypatch):
    """A search over ten thousand names costs the database a scan: past the interviewer's
    pace the read is refused (429), and the page says to try again in a moment."""
    monkeypatch.setattr(app_server[LIVE_HUB], "roster_reads", pace.Paces(rate=0.01, burst=2))
    live = await make_live_event(db, interviewers=1, candidates=3)
    _, (interviewer_token,) = await tokens(db, live)
    async with new_client() as http:
        await sign_in_interviewer(http, base_url, interviewer_token)
        statuses = []
        for _ in range(3):
            async with http.get(f"{base_url}/i/{interviewer_token}/roster?q=a&page=1") as response:
                statuses.append(response.status)
                body = await response.json()
        assert statuses == [200, 200, 429] and body == {"error": "too_fast"}
