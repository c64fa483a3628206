"""A socket whose browser vanishes (a closed tab, a phone off the network) without a close
frame, while the server is still answering it: the normal end of a socket, never an error."""

from __future__ import annotations

import asyncio

from app.keys import JANUS
from app.live import queue
from app.live.dispatch import close_room
from tests.integration.channel_support import (
    Recorder,
    new_client,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event

TIMEOUT = 20.0


async def test_a_browser_gone_before_its_reply_is_not_an_error(app_server, base_url, db, caplog):
    """The interviewer's browser is gone right after *Next*: the state and the reply that
    follow have nowhere to go. Not an unhandled error with a traceback (app.middleware) nor
    a "live message failed" (app.live.channel)."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
    interviewer = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    async with new_client() as candidate_http, new_client() as interviewer_http:
        await sign_in_candidate(candidate_http, base_url, candidate)
        assert await sign_in_interviewer(interviewer_http, base_url, interviewer) == 303
        async with candidate_http.ws_connect(f"{base_url}/c/{candidate}/ws") as ws:
            waiting = Recorder(ws)
            assert (await waiting.request({"ok"}, type="check_in"))["type"] == "ok"
            lobby = Recorder(await interviewer_http.ws_connect(f"{base_url}/i/{interviewer}/ws"))
            await lobby.wait_for(lambda m: m["type"] == "state")
            await lobby.send(type="next")  # a dispatch and a Janus room: some milliseconds
            lobby.ws._response.connection.transport.abort()  # gone, without a close frame
            offer = await waiting.wait_for(lambda m: m["type"] == "offer", timeout=TIMEOUT)
            await asyncio.sleep(0.5)  # the server's reply to the vanished interviewer
            await lobby.close()
            await queue.leave(db, live.candidates[0])  # withdraws the offer
            await close_room(
                app_server[JANUS],
                *await db.fetchrow(
                    "SELECT janus_server, room_id, room_secret FROM interview WHERE id = $1",
                    offer["interview"],
                ),
            )
    errors = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not errors, [f"{r.name}: {r.getMessage()} {r.exc_info and r.exc_info[1]!r}" for r in errors]
