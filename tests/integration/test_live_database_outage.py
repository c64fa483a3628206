"""While PostgreSQL is down, every live action answers `unavailable`, and the outage is
logged once; when it is back, the same sockets work again.

A PostgreSQL of its own (the suite's is shared by every test), stopped and started again on
the same port, and the app as a real process (`python -m app`) with its sockets open.
Before, each action answered `server_error` ("our bug") and logged a traceback.
"""

from __future__ import annotations

import asyncio

import asyncpg

from app.migrate import migrate_url
from scripts.bench.common import AppProcess
from tests.integration.channel_support import (
    Recorder,
    new_client,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event
from tests.own_postgres import throwaway_postgres

TIMEOUT = 30.0


async def test_every_action_answers_unavailable_while_the_database_is_down(stack):
    with throwaway_postgres("snabb-outage-") as (postgres, state_dir):
        log = state_dir / "app.log"
        await asyncio.to_thread(postgres.start)
        app = None
        clients = [new_client(), new_client()]
        try:
            await migrate_url(postgres.url)
            db = await asyncpg.connect(postgres.url)
            live = await make_live_event(db, interviewers=1, candidates=2)
            token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
            lobby_token = await db.fetchval(
                "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
            )
            await db.close()
            app = AppProcess({**stack.environ, "DATABASE_URL": postgres.url}, log_path=log)
            await app.start(60)
            await sign_in_candidate(clients[0], app.url, token)
            assert await sign_in_interviewer(clients[1], app.url, lobby_token) == 303
            candidate = Recorder(await clients[0].ws_connect(f"{app.url}/c/{token}/ws"))
            lobby = Recorder(await clients[1].ws_connect(f"{app.url}/i/{lobby_token}/ws"))
            assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"

            await asyncio.to_thread(postgres.stop)
            answers = [
                await candidate.request({"ok"}, type="check_in"),
                await candidate.request({"ticket"}, type="accept"),
                await candidate.request({"ok"}, type="leave"),
                await lobby.request({"dispatched", "queue_empty"}, type="next"),
                await lobby.request({"ok"}, type="pause"),
                await lobby.request({"ok"}, type="message", text="Strax tillbaka"),
                await lobby.request({"ok"}, type="end"),
            ]
            assert [(a["type"], a.get("code")) for a in answers] == [("error", "unavailable")] * 7
            assert not candidate.ws.closed and not lobby.ws.closed  # the page keeps its socket

            await asyncio.to_thread(postgres.start)
            # Back: the same socket's next *Next* goes through (the pool reconnects by itself).
            for _ in range(int(TIMEOUT / 0.5)):
                reply = await lobby.request({"dispatched", "queue_empty"}, type="next")
                if reply.get("code") != "unavailable":
                    break
                await asyncio.sleep(0.5)
            assert reply["type"] == "dispatched", reply
            assert reply["candidate"] == live.candidates[0]
            await candidate.close()
            await lobby.close()
        finally:
            for client in clients:
                await client.close()
            if app is not None:
                await app.stop()
            await asyncio.to_thread(postgres.stop)
            text = log.read_text(errors="replace") if log.exists() else ""
    assert text.count("the database is unavailable") == 1, text[-3000:]
    assert "live message failed" not in text and "Traceback" not in text, text[-3000:]
    assert text.count("the database is back") == 1
