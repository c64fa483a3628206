"""While PostgreSQL is down, every live action answers `unavailable`, every page is told
(`service`), and the outage is logged once (by the actions, and once by the Janus fleet's
follower); when it is back, the pages are told and the same sockets work again.

A PostgreSQL of its own (the suite's is shared by every test), stopped and started again on
the same port, and the app as a real process (`python -m app`) with its sockets open.
Before, each action answered `server_error` ("our bug") and logged a traceback.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from app.janus.pool import JanusPool
from app.localstack.processes import free_port
from app.migrate import migrate_url
from scripts.bench.common import AppProcess
from tests.forms import post_form
from tests.integration.channel_support import (
    Recorder,
    new_client,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event
from tests.own_postgres import throwaway_postgres

TIMEOUT = 30.0
HTML = {"Accept": "text/html"}
# The process's loops that use the database, each at its own pace: each says when the
# outage began for it and when it ended. The pages say only when it began (most of them
# never ask the database, so an answered page does not show it is back).
LOOPS = ("Janus fleet", "live listener", "live heartbeat", "candidate reminders", "mail outbox")


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
            # The fleet re-read every second: its follower met the outage at once, not
            # after ten seconds (it spun, a warning per turn, until the database was back).
            environ = {
                **stack.environ,
                "DATABASE_URL": postgres.url,
                "SNABB_JANUS_FLEET_REFRESH": "1",
                "SNABB_APP_LOG_LEVEL": "INFO",  # each part's line that it is back
            }
            app = AppProcess(environ, log_path=log)
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
            # Every page is told, so that it says nothing moves meanwhile (it said "Connected").
            marks = []
            for socket in (candidate, lobby):
                told = await socket.wait_for(lambda m: m["type"] == "service", timeout=TIMEOUT)
                assert told == {"type": "service", "database": "unavailable"}
                marks.append(len(socket.messages))
            # A page that needs the database says it will pass, in the reader's language,
            # and when to try again; a client asking for JSON gets the same as JSON.
            page = f"{app.url}/c/{token}"
            async with clients[0].get(page, headers={"Accept": "text/html"}) as response:
                assert response.status == 503 and response.headers["Retry-After"] == "5"
                text = await response.text()
                assert "Tjänsten är inte tillgänglig just nu" in text and "Försök igen" in text
            async with clients[0].get(page, headers={"Accept": "application/json"}) as response:
                assert response.status == 503 and (await response.json())["error"] == "unavailable"
            # "Forgot your password?" does not say a link is on its way that cannot be.
            status, text, _ = await post_form(
                clients[0], app.url, "/password/forgot", {"email": "vem@example.se"}, headers=HTML
            )
            assert status == 503 and "Tjänsten är inte tillgänglig just nu" in text
            await asyncio.sleep(4)  # the background tasks meet the outage too

            await asyncio.to_thread(postgres.start)
            # Back: the same socket's next *Next* goes through (the pool reconnects by itself).
            for _ in range(int(TIMEOUT / 0.5)):
                reply = await lobby.request({"dispatched", "queue_empty"}, type="next")
                if reply.get("code") != "unavailable":
                    break
                await asyncio.sleep(0.5)
            assert reply["type"] == "dispatched", reply
            assert reply["candidate"] == live.candidates[0]
            for socket, mark in zip((candidate, lobby), marks, strict=True):
                told = await socket.wait_for(lambda m: m["type"] == "service", timeout=TIMEOUT, after=mark)
                assert told == {"type": "service", "database": "ok"}
            # Each loop finds the database back at its own next try.
            for _ in range(int(TIMEOUT / 0.5)):
                async with clients[0].get(page, headers={"Accept": "text/html"}) as response:
                    await response.read()
                if all(f"{loop}: the database is back for this part" in log.read_text() for loop in LOOPS):
                    break
                await asyncio.sleep(0.5)
            await candidate.close()
            await lobby.close()
        finally:
            for client in clients:
                await client.close()
            if app is not None:
                await app.stop()
            await asyncio.to_thread(postgres.stop)
            text = log.read_text(errors="replace") if log.exists() else ""
    assert text.count("live actions: the database is unavailable") == 1, text[-3000:]
    assert "live message failed" not in text and "Traceback" not in text, text[-3000:]
    assert text.count("live actions: the database is back for this part") == 1
    # Every loop of the process that met the outage said so once, and once that it was
    # over, not once per try (the fleet's follower wrote a line per turn of a spinning loop).
    for loop in LOOPS:
        assert text.count(f"{loop}: the database is unavailable") == 1, (loop, text[-3000:])
        assert text.count(f"{loop}: the database is back for this part after") == 1, (loop, text[-3000:])
    assert text.count("pages: the database is unavailable") == 1, text[-3000:]
    # Each part's figure is its own tries'; how long the outage was, the process says once:
    # from the first failure, or from the last answer before it, to the first answer after.
    assert text.count("the database answers this process again: the outage lasted ") == 1, text[-3000:]
    assert text.count("WARNING") <= 20, text[-3000:]


async def test_the_janus_fleets_follower_waits_between_tries_while_the_database_is_down(
    settings, monkeypatch, caplog
):
    """A failed try left the follower's wake-up set, so it tried again at once, for ever: over
    a thousand refused connections and warnings a second, and a core, while the database was
    down. Now it tries again after a pause that doubles from 0.5 s up to the fleet's refresh
    interval: tries at 0, 0.5 and 1.5 s, the next at 3.5 s."""
    pool = JanusPool(settings.janus.model_copy(update={"servers": [], "fleet_refresh": 10.0}))
    tries = 0
    connect = asyncpg.connect

    async def counted(*args, **kwargs):
        nonlocal tries
        tries += 1
        return await connect(*args, **kwargs)

    monkeypatch.setattr(asyncpg, "connect", counted)
    nobody = f"postgresql://snabb@127.0.0.1:{free_port()}/snabb"  # refused: nothing listens
    with caplog.at_level(logging.INFO, logger="app.janus.pool"):
        follower = asyncio.create_task(pool._follow(nobody))
        await asyncio.sleep(2.5)
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    # Three, a fourth on a machine so slow that 2.5 s pass late (a spin made thousands).
    assert 3 <= tries <= 4, tries
    assert caplog.text.count("Janus fleet: the database is unavailable") == 1, caplog.text
