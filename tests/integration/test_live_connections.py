"""Several tabs per person, processes that die with sockets open, and withdrawn offers."""

from __future__ import annotations

import asyncio
import uuid

from app.live import connections
from tests.integration.channel_support import (
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event
from tests.integration.test_live_channel import tokens


async def _disconnected_at(db, candidate_id):
    return await db.fetchval("SELECT disconnected_at FROM queue_entry WHERE candidate_id = $1", candidate_id)


async def _wait_for_row(db, query, *args, tries=100):
    for _ in range(tries):
        value = await db.fetchval(query, *args)
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"never true: {query}")


async def test_closing_one_of_two_tabs_is_not_a_disconnection(app_server, base_url, db):
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_token,), (interviewer_token,) = await tokens(db, live)
    candidate_id, interviewer_id = live.candidates[0], live.interviewers[0]
    async with new_client() as http, new_client() as interviewer_http:
        await sign_in_candidate(http, base_url, candidate_token)
        assert await sign_in_interviewer(interviewer_http, base_url, interviewer_token) == 303
        url = f"{base_url}/c/{candidate_token}/ws"
        async with recording(http, url) as first:
            assert (await first.request({"ok"}, type="check_in"))["type"] == "ok"
            async with recording(http, url) as second:
                await second.wait_for(lambda m: m["type"] == "state")
            # The second tab closed; the first is still open: the place is not at risk.
            await _wait_for_row(
                db, "SELECT count(*) = 1 FROM live_connection WHERE candidate_id = $1", candidate_id
            )
            assert await _disconnected_at(db, candidate_id) is None

            lobby_url = f"{base_url}/i/{interviewer_token}/ws"
            async with recording(interviewer_http, lobby_url) as lobby:
                async with recording(interviewer_http, lobby_url) as other:
                    await other.wait_for(lambda m: m["type"] == "state")
                await _wait_for_row(
                    db, "SELECT count(*) = 1 FROM live_connection WHERE interviewer_id = $1", interviewer_id
                )
                assert await db.fetchval(
                    "SELECT connected FROM interviewer_presence WHERE interviewer_id = $1", interviewer_id
                )
                await lobby.wait_for(lambda m: m["type"] == "state")
            await _wait_for_row(
                db, "SELECT NOT connected FROM interviewer_presence WHERE interviewer_id = $1", interviewer_id
            )
        # The last tab closed: now the grace period starts.
        assert await _wait_for_row(
            db, "SELECT disconnected_at FROM queue_entry WHERE candidate_id = $1", candidate_id
        )


async def test_a_dead_process_sockets_are_reaped_as_disconnections(app_server, db):
    live = await make_live_event(db, interviewers=1, candidates=2)
    await db.execute(
        """INSERT INTO queue_entry (event_id, candidate_id)
                        SELECT event_id, id FROM candidate WHERE id = ANY($1::bigint[])""",
        live.candidates,
    )
    dead, alive = uuid.uuid4(), uuid.uuid4()
    await db.execute(
        """INSERT INTO live_process (id, seen_at) VALUES
                        ($1, now() - interval '5 minutes'), ($2, now())""",
        dead,
        alive,
    )
    first, second = live.candidates
    await connections.open_connection(db, dead, candidate_id=first)
    await connections.open_connection(db, dead, candidate_id=second)
    await connections.open_connection(db, alive, candidate_id=second)  # reconnected elsewhere
    await connections.open_connection(db, dead, interviewer_id=live.interviewers[0])
    await db.execute(
        """INSERT INTO interviewer_presence (interviewer_id, event_id, connected)
                        VALUES ($1, $2, true)""",
        live.interviewers[0],
        live.id,
    )

    assert await connections.reap_dead_processes(db) == 3
    assert await _disconnected_at(db, first) is not None
    assert await _disconnected_at(db, second) is None
    assert not await db.fetchval(
        "SELECT connected FROM interviewer_presence WHERE interviewer_id = $1", live.interviewers[0]
    )
    assert not await db.fetchval("SELECT count(*) FROM live_process WHERE id = $1", dead)
    assert await connections.reap_dead_processes(db) == 0  # once only
    await db.execute("DELETE FROM live_process WHERE id = $1", alive)


async def test_a_process_never_reaps_itself(app_server, db):
    """A process whose event loop took longer than STALE_SECONDS from its beat to its reaping
    (a reconnect storm on a busy machine) is alive: its sockets stay listed. (In one
    transaction: to the running app's own reaper the made-up process looks dead, and it
    must not see it.)"""
    live = await make_live_event(db, interviewers=0, candidates=1)
    (candidate,) = live.candidates
    await db.execute("INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)", live.id, candidate)
    own = uuid.uuid4()
    async with db.transaction():
        await db.execute(
            "INSERT INTO live_process (id, seen_at) VALUES ($1, now() - interval '1 minute')", own
        )
        await connections.open_connection(db, own, candidate_id=candidate)

        assert await connections.reap_dead_processes(db, own=own) == 0
        assert await db.fetchval("SELECT count(*) FROM live_connection WHERE process_id = $1", own) == 1
        assert await _disconnected_at(db, candidate) is None
        assert await connections.reap_dead_processes(db, stopping=own, own=own) == 1  # shutting down
        assert not await db.fetchval("SELECT count(*) FROM live_process WHERE id = $1", own)


async def test_the_interviewer_withdraws_an_offer_and_the_candidate_keeps_the_place(app_server, base_url, db):
    live = await make_live_event(db, interviewers=1, candidates=2)
    candidate_tokens, (interviewer_token,) = await tokens(db, live)
    async with new_client() as a, new_client() as b, new_client() as interviewer_http:
        await sign_in_candidate(a, base_url, candidate_tokens[0])
        await sign_in_candidate(b, base_url, candidate_tokens[1])
        assert await sign_in_interviewer(interviewer_http, base_url, interviewer_token) == 303
        async with (
            recording(a, f"{base_url}/c/{candidate_tokens[0]}/ws") as first,
            recording(b, f"{base_url}/c/{candidate_tokens[1]}/ws") as second,
            recording(interviewer_http, f"{base_url}/i/{interviewer_token}/ws") as lobby,
        ):
            assert (await first.request({"ok"}, type="check_in"))["type"] == "ok"
            assert (await second.request({"ok"}, type="check_in"))["type"] == "ok"
            nothing = await lobby.request({"ok", "error"}, type="withdraw")
            assert nothing == {"type": "error", "code": "offer_gone", "for": "withdraw"}

            dispatched = await lobby.request({"dispatched"}, type="next")
            assert dispatched["candidate"] == live.candidates[0]
            await first.wait_for(lambda m: m["type"] == "offer")
            assert (await lobby.request({"ok"}, type="withdraw"))["type"] == "ok"
            back = await first.wait_for(
                lambda m: m["type"] == "state" and m["offer"] is None and m["queue"]["state"] == "waiting"
            )
            assert back["queue"]["position"] == 1
            late = await first.request({"ticket", "error"}, type="accept")
            assert late["type"] == "error" and late["code"] == "offer_gone"
            again = await lobby.request({"dispatched"}, type="next")
            assert again["candidate"] == live.candidates[0]  # still the longest waiting
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", dispatched["interview"])
    assert (row["state"], row["end_reason"]) == ("withdrawn", "withdrawn")
    assert (
        await db.fetchval("SELECT missed_count FROM queue_entry WHERE candidate_id = $1", live.candidates[0])
        == 0
    )
