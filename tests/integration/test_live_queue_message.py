"""The shared `queue` message over real sockets (app/live/queue_frames.py, app/live/hub.py):
after random leaves, check-ins and Nexts, every waiting candidate's page, drawing from its
states and the queue messages in the order they came, shows the place and wait the database
gives them; most of them got there by the one shared message, not a state of their own."""

from __future__ import annotations

import asyncio
import random
from contextlib import AsyncExitStack

from app.live import queue
from tests.integration.channel_support import (
    Page,
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event

CANDIDATES = 24
STEPS = 14


async def truth(db, event_id, live) -> dict[int, tuple[int, float | None]]:
    return {
        w.candidate_id: (w.position, None if w.wait_seconds is None else -(-w.wait_seconds // 60))
        for w in await queue.waiting_positions(db, event_id, live)
    }


async def all_agree(pages: dict[int, Page], db, event_id, live) -> dict:
    """Wait (generously) until every page shows what the database says; what differs."""
    differ = {}
    for _ in range(150):
        expected = await truth(db, event_id, live)
        differ = {c: (p.shown(), expected.get(c)) for c, p in pages.items() if p.shown() != expected.get(c)}
        if not differ:
            return {}
        await asyncio.sleep(0.1)
    return differ


async def test_every_page_works_out_the_place_the_database_gives(app_server, base_url, settings, db):
    live = await make_live_event(db, interviewers=2, candidates=CANDIDATES)
    tokens = {
        c: await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", c) for c in live.candidates
    }
    lobby_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    for candidate_id in live.candidates[:20]:
        await queue.check_in(db, candidate_id, settings.live)
    chance = random.Random(13)
    async with AsyncExitStack() as stack:
        pages: dict[int, Page] = {}
        for candidate_id, token in tokens.items():
            http = await stack.enter_async_context(new_client())
            await sign_in_candidate(http, base_url, token)
            recorder = await stack.enter_async_context(recording(http, f"{base_url}/c/{token}/ws"))
            pages[candidate_id] = Page(recorder)
        lobby_http = await stack.enter_async_context(new_client())
        assert await sign_in_interviewer(lobby_http, base_url, lobby_token) == 303
        lobby = await stack.enter_async_context(recording(lobby_http, f"{base_url}/i/{lobby_token}/ws"))
        await lobby.wait_for(lambda m: m["type"] == "state")
        assert await all_agree(pages, db, live.id, settings.live) == {}
        states_before = sum(m["type"] == "state" for p in pages.values() for m in p.recorder.messages)

        for step in range(STEPS):
            expected = await truth(db, live.id, settings.live)
            waiting = sorted(expected, key=lambda c: expected[c][0])
            outside = [c for c in live.candidates if c not in expected]
            kind = chance.choice(["leave", "leave", "next", "check_in"])
            if kind == "check_in" and outside:
                who = chance.choice(outside)
                reply = await pages[who].recorder.request({"ok"}, type="check_in")
            elif kind == "next" and waiting:
                reply = await lobby.request({"dispatched", "queue_empty"}, type="next")
                assert reply["type"] == "dispatched", reply
                # The one offered turns it down: the interviewer is free for the next.
                reply = await pages[reply["candidate"]].recorder.request({"ok"}, type="leave")
            elif waiting:
                who = chance.choice(waiting[:-1] or waiting)  # mostly from inside the queue
                reply = await pages[who].recorder.request({"ok"}, type="leave")
            else:
                continue
            assert reply["type"] == "ok", (step, kind, reply)
            assert await all_agree(pages, db, live.id, settings.live) == {}, (step, kind)

        assert all(p.unapplied == 0 for p in pages.values())
        shared = sum(m["type"] == "queue" for p in pages.values() for m in p.recorder.messages)
        states = (
            sum(m["type"] == "state" for p in pages.values() for m in p.recorder.messages) - states_before
        )
        assert shared > states, (shared, states)  # the moves went out as the shared message
        # Identical for every page that got it: no names, no ids, one encoding.
        raw = {text for p in pages.values() for text in p.recorder.raw if text.startswith('{"type":"queue"')}
        assert raw and all("Kandidat" not in text for text in raw)


async def test_a_page_that_cannot_apply_a_queue_message_gets_its_whole_state(
    app_server, base_url, settings, db
):
    live = await make_live_event(db, interviewers=1, candidates=2)
    await queue.check_in(db, live.candidates[0], settings.live)
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        async with recording(http, f"{base_url}/c/{token}/ws") as page:
            first = await page.wait_for(lambda m: m["type"] == "state")
            assert first["queue"]["position"] == 1
            mark = len(page.messages)
            assert (await page.request({"ok"}, type="sync"))["type"] == "ok"
            state = page.messages[mark]
            assert state["type"] == "state" and state["queue"]["position"] == 1
            assert "v" in state["queue"]


async def test_the_events_first_next_moves_those_behind_by_the_shared_message(
    app_server, base_url, settings, db
):
    """The first call of the day changes what the organizer is shown (from then on those not
    checked in may be no-shows), not what a waiting page shows: the pages behind get the one
    `queue` message, as for any later *Next*, not ten thousand whole states at once."""
    live = await make_live_event(db, interviewers=1, candidates=6)
    assert not await db.fetchval("SELECT EXISTS (SELECT 1 FROM interview WHERE event_id = $1)", live.id)
    for candidate_id in live.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    lobby_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    async with AsyncExitStack() as stack:
        pages: dict[int, Page] = {}
        for candidate_id in live.candidates:
            token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", candidate_id)
            http = await stack.enter_async_context(new_client())
            await sign_in_candidate(http, base_url, token)
            pages[candidate_id] = Page(
                await stack.enter_async_context(recording(http, f"{base_url}/c/{token}/ws"))
            )
        lobby_http = await stack.enter_async_context(new_client())
        assert await sign_in_interviewer(lobby_http, base_url, lobby_token) == 303
        lobby = await stack.enter_async_context(recording(lobby_http, f"{base_url}/i/{lobby_token}/ws"))
        await lobby.wait_for(lambda m: m["type"] == "state")
        assert await all_agree(pages, db, live.id, settings.live) == {}
        marks = {c: len(p.recorder.messages) for c, p in pages.items()}

        reply = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert reply["type"] == "dispatched" and reply["candidate"] == live.candidates[0], reply
        behind = {c: p for c, p in pages.items() if c != reply["candidate"]}
        assert await all_agree(behind, db, live.id, settings.live) == {}
        got = {c: [m["type"] for m in p.recorder.messages[marks[c] :]] for c, p in behind.items()}
        assert all("queue" in types and "state" not in types for types in got.values()), got
