"""Killing the application process during an event loses nothing.

The app runs as a real process (`python -m app` with the test stack's settings), with five
candidates checked in over their sockets, one interview under way and one offered. It is killed with
SIGKILL, so no clean-up code of its own runs, then started again on the same port. The
database and the Janus room are all there is: the waiting candidates keep their order and
positions, the interview is still active in its room, the offer can still be taken up, and
every socket that connects again gets the same state as before the kill. The one candidate who does not come back is recorded
disconnected once a living process reaps the dead one's sockets.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import aiohttp

from app.janus.rooms import room_exists
from app.keys import JANUS
from app.live import connections, interviews, queue
from app.live.dispatch import close_room
from app.tickets import read_ticket
from scripts.bench.common import (
    AppProcess,  # the app as a process, as the benchmarks run it
)
from tests.integration.channel_support import (
    Page,
    Recorder,
    new_client,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import assert_invariants, make_live_event

TIMEOUT = 20.0
CANDIDATES = 5
STAYS_AWAY = CANDIDATES - 1  # the last candidate does not come back after the kill


@asynccontextmanager
async def app_process(environ: dict[str, str]):
    """`python -m app` on a loopback port of its own, kept when it is started again."""
    # Offers that outlast the restart (the test settings' 5 s might not, on a busy machine).
    app = AppProcess({**environ, "SNABB_LIVE_OFFER_SECONDS": "60"})
    await app.start(TIMEOUT)
    try:
        yield app
    finally:
        await app.kill()


def without_clock(state: dict) -> dict:
    """A state message minus what moves with the clock alone."""
    state = dict(state, now=None)
    if state.get("wait"):  # the seconds until each interviewer is free
        state["wait"] = dict(state["wait"], free_in=None)
    if isinstance(state.get("queue"), dict):
        # The queue's version counts this process's reads: a new process starts over.
        state["queue"] = dict(state["queue"], wait_minutes=None, v=None)
    elif isinstance(state.get("queue"), list):
        state["queue"] = [dict(row, waited_seconds=None, wait_minutes=None) for row in state["queue"]]
    if state.get("interview") and "ticket" in state["interview"]:
        state["interview"] = dict(state["interview"], ticket=None)  # minted anew each time
    return state


async def connect_again(http: aiohttp.ClientSession, url: str) -> Recorder:
    """What the browser's LiveChannel does after a close: try again until it gets in."""
    for _ in range(int(TIMEOUT / 0.2)):
        try:
            return Recorder(await http.ws_connect(url))
        except (aiohttp.ClientConnectionError, aiohttp.WSServerHandshakeError):
            await asyncio.sleep(0.2)
    raise AssertionError(f"could not connect again to {url}")


async def rows(db, event_id: int) -> tuple[list, list]:
    entries = await db.fetch(
        """
        SELECT candidate_id, state, queued_at, missed_count FROM queue_entry
        WHERE event_id = $1 ORDER BY candidate_id""",
        event_id,
    )
    interviews = await db.fetch(
        """
        SELECT id, state, candidate_id, interviewer_id, room_id, janus_server, started_at,
               ends_at FROM interview WHERE event_id = $1 ORDER BY id""",
        event_id,
    )
    return [dict(r) for r in entries], [dict(r) for r in interviews]


async def test_a_killed_app_process_loses_nothing(app_server, stack, settings, db):
    live = await make_live_event(db, interviewers=2, candidates=CANDIDATES)
    candidate_tokens = [
        await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", c) for c in live.candidates
    ]
    interviewer_tokens = [
        await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", i)
        for i in live.interviewers
    ]
    clients = [new_client() for _ in range(CANDIDATES + 2)]
    candidate_http, interviewer_http = clients[:CANDIDATES], clients[CANDIDATES:]
    try:
        async with app_process(stack.environ) as app:
            for http, token in zip(candidate_http, candidate_tokens):
                await sign_in_candidate(http, app.url, token)
            for http, token in zip(interviewer_http, interviewer_tokens):
                assert await sign_in_interviewer(http, app.url, token) == 303
            candidate_urls = [f"{app.url}/c/{t}/ws" for t in candidate_tokens]
            interviewer_urls = [f"{app.url}/i/{t}/ws" for t in interviewer_tokens]

            sockets = []
            for http, url in zip(candidate_http, candidate_urls):  # checked in in this order
                sockets.append(Recorder(await http.ws_connect(url)))
                assert (await sockets[-1].request({"ok"}, type="check_in"))["type"] == "ok"
            lobbies = [
                Recorder(await http.ws_connect(url)) for http, url in zip(interviewer_http, interviewer_urls)
            ]
            # One interview under way (the first candidate with the first interviewer) and
            # one offered, not yet taken up (the second with the second).
            dispatched = await lobbies[0].request({"dispatched", "queue_empty"}, type="next")
            assert dispatched["type"] == "dispatched", dispatched
            assert dispatched["candidate"] == live.candidates[0]
            await sockets[0].wait_for(lambda m: m["type"] == "offer", timeout=TIMEOUT)
            ticket = await sockets[0].request({"ticket"}, type="accept")
            assert ticket["type"] == "ticket", ticket
            room = read_ticket(settings, ticket["ticket"])
            offered = await lobbies[1].request({"dispatched", "queue_empty"}, type="next")
            assert offered["type"] == "dispatched", offered
            assert offered["candidate"] == live.candidates[1]
            await sockets[1].wait_for(lambda m: m["type"] == "offer", timeout=TIMEOUT)
            offered_room = read_ticket(settings, offered["ticket"]).room

            # What each page shows just before the kill (once everything has settled).
            async def settled_states() -> list[dict]:
                await asyncio.sleep(0.3)  # past the hub's debounce: the last refresh is out
                states = []
                for socket in sockets + lobbies:
                    mark = len(socket.messages)
                    await socket.send(type="ping")
                    await socket.wait_for(lambda m: m["type"] == "pong", after=mark)
                    state = next(m for m in reversed(socket.messages) if m["type"] == "state")
                    if socket in sockets:  # the place the page shows: the queue messages'
                        page = Page(socket)
                        page.catch_up()
                        state = {**state, "queue": page.queue, "wait": page.wait}
                    states.append(state)
                return states

            before = await settled_states()
            assert [s["queue"]["position"] for s in before[2:CANDIDATES]] == [1, 2, 3]
            assert before[0]["interview"]["id"] == dispatched["interview"]
            assert before[1]["offer"]["interview"] == offered["interview"]
            assert before[CANDIDATES]["interview"]["state"] == "active"
            assert before[CANDIDATES + 1]["interview"]["state"] == "offered"
            rows_before = await rows(db, live.id)

            await app.kill()
            for socket in sockets + lobbies:
                await asyncio.wait_for(socket._task, TIMEOUT)  # each one sees the close
                assert socket.ws.closed
                await socket.close()

            # Nothing changed while it was gone: the database is the whole state.
            assert await rows(db, live.id) == rows_before
            for room_id in (room.room, offered_room):
                assert await room_exists(app_server[JANUS].connection("janus1"), room_id)

            await app.start()  # the same port, as a process manager would restart it
            for index, (http, url) in enumerate(
                zip(candidate_http + interviewer_http, candidate_urls + interviewer_urls)
            ):
                if index == STAYS_AWAY:
                    continue
                again = await connect_again(http, url)
                first = await again.wait_for(lambda m: m["type"] == "state", timeout=TIMEOUT)
                assert without_clock(first) == without_clock(before[index]), index
                if index < CANDIDATES:
                    sockets[index] = again
                else:
                    lobbies[index - CANDIDATES] = again
            assert await rows(db, live.id) == rows_before
            await assert_invariants(db, live.id)

            # The one who did not come back: the killed process could not record it, so its
            # socket is still listed until a living process reaps the dead one's (after
            # connections.STALE_SECONDS without a heartbeat; here the clock is moved).
            away = live.candidates[STAYS_AWAY]
            dead = await db.fetchval("SELECT process_id FROM live_connection WHERE candidate_id = $1", away)
            assert dead is not None
            await db.execute(
                """UPDATE live_process SET seen_at = now() - make_interval(secs => $2)
                                WHERE id = $1""",
                dead,
                connections.STALE_SECONDS + 1,
            )
            assert await connections.reap_dead_processes(db) >= 1
            entries = {
                r["candidate_id"]: r
                for r in await db.fetch("SELECT * FROM queue_entry WHERE event_id = $1", live.id)
            }
            assert entries[away]["disconnected_at"] is not None  # the grace period runs
            assert entries[away]["state"] == "waiting"  # with the place kept (grace period)
            assert all(entries[c]["disconnected_at"] is None for c in live.candidates if c != away)
            assert await db.fetchval(
                """SELECT bool_and(connected) FROM interviewer_presence
                                        WHERE interviewer_id = ANY($1::bigint[])""",
                live.interviewers,
            )

            # The interview goes on in the same room: a rejoin gets a ticket for it.
            rejoin = await sockets[0].request({"ticket"}, type="accept")
            assert rejoin["type"] == "ticket", rejoin
            assert read_ticket(settings, rejoin["ticket"]).room == room.room
            own = lobbies[0].messages[0]["interview"]
            assert read_ticket(settings, own["ticket"]).room == room.room
            # The offer made before the kill is still there to take up, in its room.
            taken = await sockets[1].request({"ticket"}, type="accept")
            assert taken["type"] == "ticket", taken
            assert read_ticket(settings, taken["ticket"]).room == offered_room
            # And the queue goes on in its order: the next is the longest-waiting.
            assert (await lobbies[0].request({"ok"}, type="end"))["type"] == "ok"
            nxt = await lobbies[0].request({"dispatched", "queue_empty"}, type="next")
            assert nxt["type"] == "dispatched" and nxt["candidate"] == live.candidates[2], nxt
            await sockets[2].wait_for(lambda m: m["type"] == "offer", timeout=TIMEOUT)
            # (by a state or the shared queue message, PROTOCOL.md)
            await Page(sockets[3]).reaches(1, timeout=TIMEOUT)
            for socket in sockets + lobbies:
                await socket.close()
    finally:
        for http in clients:
            await http.close()
        # Nothing left live for another test's reconciler: end, withdraw, destroy.
        for row in await db.fetch(
            """SELECT id, state, candidate_id FROM interview
                                     WHERE event_id = $1""",
            live.id,
        ):
            if row["state"] == "active":
                await interviews.end_interview(db, row["id"], "interviewer")
            elif row["state"] == "offered":
                await queue.leave(db, row["candidate_id"])
        for row in await db.fetch(
            """SELECT janus_server, room_id, room_secret FROM interview
                                     WHERE event_id = $1 AND room_id IS NOT NULL""",
            live.id,
        ):
            await close_room(app_server[JANUS], *row)
