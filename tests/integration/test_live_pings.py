"""The process's ping sweep (app/live/pings.py): a page that answers stays, one that went
silent is cut within the bound and its candidate keeps the place for the grace period."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import WSMsgType

from app.keys import LIVE_PINGS
from app.live import pings
from tests.integration.channel_support import (
    Recorder,
    candidate_and_lobby,
    new_client,
    recording,
    sign_in_candidate,
)
from tests.integration.live_support import make_live_event
from tests.integration.test_live_channel import tokens


async def _entry(db, candidate_id):
    return await db.fetchrow(
        "SELECT state, disconnected_at FROM queue_entry WHERE candidate_id = $1", candidate_id
    )


async def test_a_silent_page_is_cut_and_keeps_its_place_one_that_answers_stays(
    app_server, base_url, db, monkeypatch
):
    # The sweep reads its figures at each tick: a second's cycle instead of 25 s.
    monkeypatch.setattr(pings, "TICK_SECONDS", 0.05)
    monkeypatch.setattr(pings, "PING_SECONDS", 1.0)
    monkeypatch.setattr(pings, "ANSWER_SECONDS", 0.5)
    live = await make_live_event(db, interviewers=1, candidates=2)
    (silent_token, answering_token), _ = await tokens(db, live)
    silent_id, answering_id = live.candidates
    async with new_client() as silent_http, new_client() as answering_http:
        await sign_in_candidate(silent_http, base_url, silent_token)
        await sign_in_candidate(answering_http, base_url, answering_token)
        async with recording(answering_http, f"{base_url}/c/{answering_token}/ws") as answering:
            assert (await answering.request({"ok"}, type="check_in"))["type"] == "ok"
            # autoping off: the client sees the server's pings and answers none of them.
            async with silent_http.ws_connect(f"{base_url}/c/{silent_token}/ws", autoping=False) as ws:
                pinged = []
                silent = Recorder(ws)
                assert (await silent.request({"ok"}, type="check_in"))["type"] == "ok"
                silent._task.cancel()  # from here on the page reads (and answers) nothing
                started = time.monotonic()
                while True:  # the pings come (and states); then the socket is cut
                    frame = await asyncio.wait_for(ws.receive(), 10)
                    if frame.type == WSMsgType.PING:
                        pinged.append(frame)
                    elif frame.type != WSMsgType.TEXT:
                        break
                cut_after = time.monotonic() - started
                assert pinged, "the sweep never pinged the socket"
                assert frame.type in (WSMsgType.CLOSED, WSMsgType.ERROR, WSMsgType.CLOSE)
                # Within a cycle and the time to answer, with room for a loaded machine.
                assert cut_after < 10
            assert app_server[LIVE_PINGS].cut >= 1
            # Recorded as a dropped connection: the place is kept for the grace period.
            for _ in range(100):
                entry = await _entry(db, silent_id)
                if entry["disconnected_at"] is not None:
                    break
                await asyncio.sleep(0.05)
            assert entry["state"] == "waiting" and entry["disconnected_at"] is not None

            # The page that answers its pings was pinged over the same cycles and is still served.
            assert (await answering.request({"pong"}, type="ping"))["type"] == "pong"
            assert not answering.ws.closed
            entry = await _entry(db, answering_id)
            assert entry["state"] == "waiting" and entry["disconnected_at"] is None


async def test_a_ping_from_the_page_is_answered(app_server, base_url, db):
    """Pings are no longer answered by aiohttp (autoping is off for the sweep's pongs)."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    (token,), _ = await tokens(db, live)
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        async with http.ws_connect(f"{base_url}/c/{token}/ws", autoping=False) as ws:
            await ws.ping(b"are you there")
            while True:
                frame = await asyncio.wait_for(ws.receive(), 10)
                if frame.type == WSMsgType.PONG:
                    break
            assert frame.data == b"are you there"


@pytest.mark.parametrize("longest", [10.0, 1.0])
async def test_a_page_whose_message_waits_for_the_database_is_not_cut(
    app_server, base_url, db, monkeypatch, longest
):
    """An interviewer's *Next* that waits for the database (3 s) longer than a ping's answer
    time (0.5 s): the page's pong waits unread behind it. Before, the sweep cut the page for
    silence and its *Next* was never answered. An answer that takes longer than any answer
    can (`longest` 1 s, in place of 25 s) is cut all the same: it would be one stuck writing
    to a page that is gone."""
    monkeypatch.setattr(pings, "TICK_SECONDS", 0.05)
    monkeypatch.setattr(pings, "PING_SECONDS", 1.0)
    monkeypatch.setattr(pings, "ANSWER_SECONDS", 0.5)
    monkeypatch.setattr(pings, "LONGEST_ANSWER_SECONDS", longest)
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_token,), (interviewer_token,) = await tokens(db, live)
    async with candidate_and_lobby(base_url, candidate_token, interviewer_token) as (candidate, lobby):
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        cut_before = app_server[LIVE_PINGS].cut
        async with db.transaction():
            # The dispatch locks its interviewer first: it waits for this for 3 s.
            await db.execute("SELECT 1 FROM event_interviewer WHERE id = $1 FOR UPDATE", live.interviewers[0])
            await lobby.send(type="next")
            await asyncio.sleep(3)
        if longest < 3:
            await asyncio.wait_for(lobby._task, 10)  # the socket ends
            assert app_server[LIVE_PINGS].cut > cut_before
            return
        reply = await lobby.wait_for(lambda m: m["type"] in ("dispatched", "error"), timeout=10)
        assert reply["type"] == "dispatched", reply
        assert not lobby.ws.closed
        assert app_server[LIVE_PINGS].cut == cut_before
        # Heard again once answered: it answers its pings as before.
        assert (await lobby.request({"pong"}, type="ping"))["type"] == "pong"
