"""The path of an interview changing hands (app/live/actions.py): *Next* is answered without
waiting for a read of the whole event, the state showing the offer following with the
event's update (app/live/PROTOCOL.md, "Replies"); a *Join* before the room waits for it;
*End* is answered before its room is destroyed."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

from app.keys import JANUS, LIVE_HUB, SETTINGS
from app.live import roomless
from tests.integration.channel_support import candidate_and_lobby
from tests.integration.live_support import assert_invariants, make_live_event
from tests.integration.test_live_channel import tokens as links


@asynccontextmanager
async def views_held(app):
    """Every read of an event's view waits until the block ends (a busy event's reads
    queued behind each other, made endless): what must not hold up the replies."""
    views = app[LIVE_HUB].views
    read, gate = views.reader, asyncio.Event()

    async def held(event_id: int):
        await gate.wait()
        return await read(event_id)

    views.reader = held
    try:
        yield
    finally:
        views.reader = read
        gate.set()


def rooms_held(app, monkeypatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Janus rooms are made only once the second event is set; the first is set when one
    is asked for."""
    room_wanted, room_may_come = asyncio.Event(), asyncio.Event()
    janus_pool = type(app[JANUS])
    make_room = janus_pool.create_private_room

    async def held_room(self, *args, **kwargs):
        room_wanted.set()
        await room_may_come.wait()
        return await make_room(self, *args, **kwargs)

    monkeypatch.setattr(janus_pool, "create_private_room", held_room)
    return room_wanted, room_may_come


async def offered_while_the_room_is_held(candidate, lobby, room_wanted: asyncio.Event) -> dict:
    """The candidate checks in, the interviewer presses Next: the offer, once its room is
    being made (and held: rooms_held)."""
    await candidate.wait_for(lambda m: m["type"] == "state")
    assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
    await lobby.send(type="next")
    offer = await candidate.wait_for(lambda m: m["type"] == "offer")
    await asyncio.wait_for(room_wanted.wait(), 10)
    return offer


async def test_next_is_answered_and_the_socket_free_while_the_event_is_being_read(app_server, base_url, db):
    live = await make_live_event(db, interviewers=1, candidates=2)
    candidate_links, (lobby_link,) = await links(db, live)
    async with candidate_and_lobby(base_url, candidate_links[0], lobby_link) as (candidate, lobby):
        await candidate.wait_for(lambda m: m["type"] == "state")
        await lobby.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        await lobby.wait_for(lambda m: m["type"] == "state" and m["queue"])

        async with views_held(app_server):
            mark = len(lobby.messages)
            dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
            assert dispatched["type"] == "dispatched", dispatched
            assert dispatched["candidate"] == live.candidates[0] and dispatched["ticket"]
            # The socket reads its next message at once: it is not reading the event for
            # its own state meanwhile.
            assert (await lobby.request({"pong"}, type="ping"))["type"] == "pong"
            offer = await candidate.wait_for(
                lambda m: m["type"] == "offer" and m["interview"] == dispatched["interview"]
            )
            assert offer["expires_at"]
            assert not [m for m in lobby.messages[mark:] if m["type"] == "state"]

        # Once the event can be read again, the lobby is shown the offer.
        mine = await lobby.wait_for(
            lambda m: (
                m["type"] == "state" and m["interview"] and m["interview"]["id"] == dispatched["interview"]
            ),
            after=mark,
        )
        assert mine["interview"]["state"] == "offered"
        # Told at once by the process that dispatched (app/live/presses.py), then by its
        # NOTIFY, which came long before this state: one `offer` all the same.
        assert [m["interview"] for m in candidate.messages if m["type"] == "offer"] == [offer["interview"]]
        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket" and ticket["interview"] == offer["interview"]
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
    row = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", dispatched["interview"])
    assert (row["state"], row["end_reason"]) == ("ended", "interviewer")
    await assert_invariants(db, live.id)


async def test_a_join_before_the_room_waits_for_the_room_this_process_makes(
    app_server, base_url, db, monkeypatch
):
    """The offer goes out before its room is made (app/live/dispatch.py): a *Join* that comes
    first is answered as soon as the room is there, woken by the process making it rather
    than asking the database again and again."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (lobby_link,) = await links(db, live)
    room_wanted, room_may_come = rooms_held(app_server, monkeypatch)
    polls = []
    wait = roomless.wait_for_room

    async def counted_wait(pool, settings, interview_id):
        acquire = pool.acquire

        class Counting:
            def acquire(self):
                polls.append(interview_id)
                return acquire()

        return await wait(Counting(), settings, interview_id)

    monkeypatch.setattr(roomless, "wait_for_room", counted_wait)
    async with candidate_and_lobby(base_url, candidate_link, lobby_link) as (candidate, lobby):
        offer = await offered_while_the_room_is_held(candidate, lobby, room_wanted)
        mark = len(candidate.messages)
        await candidate.send(type="accept")
        await asyncio.sleep(0.5)  # the Join waits: ten polls' worth before this change
        assert not [m for m in candidate.messages[mark:] if m["type"] in ("ticket", "error")]
        room_may_come.set()
        ticket = await candidate.wait_for(lambda m: m["type"] in ("ticket", "error"), after=mark)
        assert ticket["type"] == "ticket" and ticket["interview"] == offer["interview"], ticket
        await lobby.wait_for(lambda m: m["type"] == "dispatched")
    # One look before the room, one after it: not one every ROOM_POLL_SECONDS.
    assert len(polls) <= 3, polls
    await assert_invariants(db, live.id)


async def test_a_join_whose_room_does_not_come_keeps_the_offer_and_says_try_again(
    app_server, base_url, db, monkeypatch
):
    """A *Join* that gives up waiting for a room still coming is refused `room_unavailable`
    (try again), not `offer_gone` (the time to join has run out): the offer stands."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (lobby_link,) = await links(db, live)
    room_wanted, room_may_come = rooms_held(app_server, monkeypatch)
    settings = app_server[SETTINGS]
    # The wait gives up half a second after it begins (not janus.call_timeout and a sweep on).
    monkeypatch.setattr(
        roomless, "ROOM_WAIT_MARGIN", 0.5 - settings.janus.call_timeout - settings.live.sweep_interval
    )
    async with candidate_and_lobby(base_url, candidate_link, lobby_link) as (candidate, lobby):
        offer = await offered_while_the_room_is_held(candidate, lobby, room_wanted)
        refused = await candidate.request({"ticket"}, type="accept")
        assert (refused["type"], refused.get("code")) == ("error", "room_unavailable"), refused
        row = await db.fetchrow("SELECT state FROM interview WHERE id = $1", offer["interview"])
        assert row["state"] == "offered"
        room_may_come.set()
        await lobby.wait_for(lambda m: m["type"] == "dispatched")
        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket" and ticket["interview"] == offer["interview"], ticket
    await assert_invariants(db, live.id)


async def test_both_sides_are_told_when_an_offers_room_fails(app_server, base_url, db, monkeypatch):
    """The room cannot be made (Janus failed), or never came before the offer ran out: the
    offer ends (`offer_ended`, `room`) on both sides, so neither page calls it withdrawn or
    missed; the candidate keeps the place and no miss is counted."""
    from app.janus.connection import JanusUnavailable
    from app.live import interviews

    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (lobby_link,) = await links(db, live)
    room_wanted, room_may_come = rooms_held(app_server, monkeypatch)
    janus_pool = type(app_server[JANUS])
    held_room = janus_pool.create_private_room

    async def failing_room(self, *args, **kwargs):
        await held_room(self, *args, **kwargs)
        raise JanusUnavailable("test: no room")

    async def room_failed(offer: dict) -> None:
        def told(message: dict) -> bool:
            return message["type"] == "offer_ended" and message["interview"] == offer["interview"]

        ended = {"type": "offer_ended", "interview": offer["interview"], "reason": "room"}
        assert await candidate.wait_for(told) == ended
        assert await lobby.wait_for(told) == ended
        row = await db.fetchrow(
            "SELECT i.state, i.end_reason, q.state AS entry, q.missed_count FROM interview i"
            " JOIN queue_entry q ON q.candidate_id = i.candidate_id WHERE i.id = $1",
            offer["interview"],
        )
        assert tuple(row) == ("failed", "room", "waiting", 0)

    monkeypatch.setattr(janus_pool, "create_private_room", failing_room)
    async with candidate_and_lobby(base_url, candidate_link, lobby_link) as (candidate, lobby):
        offer = await offered_while_the_room_is_held(candidate, lobby, room_wanted)
        room_may_come.set()
        await room_failed(offer)
        refused = await lobby.wait_for(lambda m: m["type"] == "error")
        assert refused["code"] == "room_unavailable"

        # Offered again, its room still being made as the time to join runs out.
        first = offer["interview"]
        room_wanted.clear()
        room_may_come.clear()
        await lobby.send(type="next")
        offer = await candidate.wait_for(lambda m: m["type"] == "offer" and m["interview"] != first)
        await asyncio.wait_for(room_wanted.wait(), 10)
        await db.execute("UPDATE interview SET offer_expires_at = now() WHERE id = $1", offer["interview"])
        # It sweeps every event: an earlier test's offer may run out in the same sweep (its
        # room is closed then); this one has no room to close.
        await interviews.expire_offers(db)
        assert await db.fetchval("SELECT room_id FROM interview WHERE id = $1", offer["interview"]) is None
        await room_failed(offer)
        room_may_come.set()
    await assert_invariants(db, live.id)


async def test_end_is_answered_before_the_room_is_destroyed(app_server, base_url, db, monkeypatch):
    """*End* then *Next* at once: the Janus calls that destroy the ended room (which may take
    seconds) hold up neither the reply nor the socket's next message; the room goes after."""
    from app.janus.rooms import room_exists
    from app.live import channel

    live = await make_live_event(db, interviewers=1, candidates=2)
    candidate_links, (lobby_link,) = await links(db, live)
    may_close = asyncio.Event()
    close_room = channel.close_room

    async def held_close(*args, **kwargs):
        await may_close.wait()
        await close_room(*args, **kwargs)

    monkeypatch.setattr(channel, "close_room", held_close)
    async with candidate_and_lobby(base_url, candidate_links[0], lobby_link) as (candidate, lobby):
        await candidate.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert dispatched["type"] == "dispatched", dispatched
        assert (await candidate.request({"ticket"}, type="accept"))["type"] == "ticket"
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
        # The socket reads its next message while the room is still being destroyed.
        again = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert again["type"] == "queue_empty", again
        row = await db.fetchrow(
            "SELECT janus_server, room_id FROM interview WHERE id = $1", dispatched["interview"]
        )
        janus = app_server[JANUS].connection(row["janus_server"])
        assert await room_exists(janus, row["room_id"])
        may_close.set()
        for _ in range(100):
            if not await room_exists(janus, row["room_id"]):
                break
            await asyncio.sleep(0.1)
        assert not await room_exists(janus, row["room_id"])
    await assert_invariants(db, live.id)


async def test_the_ticket_of_a_join_does_not_wait_for_the_other_pages_being_told(
    app_server, base_url, db, monkeypatch
):
    """*Join*: the ticket goes to the page first; the notice that tells the candidate's other
    pages this one took the call (on the main pool, which a busy process may have queued)
    comes after it, and still comes."""
    from app.live import actions

    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (lobby_link,) = await links(db, live)
    may_tell = asyncio.Event()
    told: list[int] = []
    call_taken = actions._call_taken

    async def held_telling(me, interview_id):
        await may_tell.wait()
        await call_taken(me, interview_id)
        told.append(interview_id)

    monkeypatch.setattr(actions, "_call_taken", held_telling)
    async with candidate_and_lobby(base_url, candidate_link, lobby_link) as (candidate, lobby):
        await candidate.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert dispatched["type"] == "dispatched", dispatched
        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket" and ticket["interview"] == dispatched["interview"], ticket
        assert told == []  # the ticket came while the telling was held
        may_tell.set()
        for _ in range(100):
            if told:
                break
            await asyncio.sleep(0.05)
        assert told == [dispatched["interview"]]
    await assert_invariants(db, live.id)


async def test_the_other_pages_hear_of_a_join_after_a_moment_without_the_database(
    app_server, base_url, db, monkeypatch
):
    """The notice to the candidate's other pages goes after the ticket, so nobody would send
    it again: a database connection lost just then is tried again."""
    from app.live import actions
    from app.live import queue as live_queue

    monkeypatch.setattr(actions, "CALL_TAKEN_RETRIES", (0.05,))
    notify, tries = live_queue.notify, []

    async def lost_once(connection, event_id, kind, **fields):
        if kind == "call_taken":
            tries.append(kind)
            if len(tries) == 1:
                raise ConnectionResetError
        await notify(connection, event_id, kind, **fields)

    monkeypatch.setattr(live_queue, "notify", lost_once)
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (lobby_link,) = await links(db, live)
    heard: list[dict] = []
    await db.add_listener(live_queue.channel(live.id), lambda *args: heard.append(json.loads(args[-1])))
    async with candidate_and_lobby(base_url, candidate_link, lobby_link) as (candidate, lobby):
        await candidate.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert (await candidate.request({"ticket"}, type="accept"))["type"] == "ticket"
        for _ in range(100):
            if any(n["kind"] == "call_taken" for n in heard):
                break
            await asyncio.sleep(0.05)
    assert tries == ["call_taken", "call_taken"]
    assert [n["interview"] for n in heard if n["kind"] == "call_taken"] == [dispatched["interview"]]
