"""A participant's Janus token lives as long as their interview, against the real Janus:
it works while the interview runs and Janus refuses it once the interview has ended, was
missed or withdrawn, or moved to a new room, and the candidate's once a newer ticket was
issued; what a dead process left behind the reconciler removes."""

from __future__ import annotations

import pytest

from app.janus.rooms import destroy_room
from app.keys import DB_POOL, JANUS
from app.live import call_tickets, dispatch, interviews, queue
from app.live.reconciler import Reconciler
from app.tickets import JoinInfo, read_ticket
from tests.integration.channel_support import candidate_and_lobby
from tests.integration.live_support import age, make_live_event
from tests.integration.test_live_channel import tokens
from tests.janus_probe import JanusProbe

UNAUTHORIZED = 403


@pytest.fixture
def janus(app_server, settings):
    """The application's Janus pool and the URL of its (only) server."""
    return app_server[JANUS], settings.janus.servers[0].url


async def live_interview(db, pool, settings, rooms, *, accept: bool = True):
    """A dispatched (and accepted) interview with a real room: (offer, candidate's join)."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await queue.check_in(db, event.candidates[0], settings.live)
    got = await dispatch.next_candidate(pool, rooms, settings, event.interviewers[0])
    if accept:
        await interviews.accept_offer(db, got.offer.interview_id, got.offer.candidate_id)
    return got, read_ticket(settings, got.candidate_ticket)


async def admitted(join: JoinInfo, url: str) -> bool:
    """Whether Janus lets this token open a session (and then ask about a room): False
    when it refuses the session as unauthorized."""
    async with JanusProbe(url, join.janus_token) as probe:
        reply = await probe.open_videoroom()
        if reply["janus"] == "error":
            assert reply["error"]["code"] == UNAUTHORIZED, reply
            return False
        assert "exists" in await probe.videoroom({"request": "exists", "room": join.room})
        return True


async def refused_on_open_session(probe: JanusProbe, room: int) -> None:
    """A session opened earlier can no longer ask anything with the removed token."""
    for body in ({"request": "exists", "room": room}, {"request": "listparticipants", "room": room}):
        assert (await probe.videoroom(body))["error_code"] == UNAUTHORIZED
    keepalive = await probe.call({"janus": "keepalive"})
    assert keepalive["janus"] == "error" and keepalive["error"]["code"] == UNAUTHORIZED


async def test_the_token_ends_with_the_interview_even_while_another_runs(db, pool, settings, janus):
    rooms, url = janus
    a, join_a = await live_interview(db, pool, settings, rooms)
    _, join_b = await live_interview(db, pool, settings, rooms)
    assert join_a.janus_token != join_b.janus_token
    interviewer_a = read_ticket(settings, a.interviewer_ticket)
    assert await admitted(join_a, url) and await admitted(interviewer_a, url)
    async with JanusProbe(url, join_a.janus_token) as probe:
        await probe.open_videoroom()
        # Janus answers `exists` and `listparticipants` for any room id, pin or not (the
        # VideoRoom checks neither): what bounds it is how long the token lives.
        other = await probe.videoroom({"request": "exists", "room": join_b.room})
        assert other["exists"] is True

        room = await interviews.end_interview(db, a.offer.interview_id, "interviewer")
        await dispatch.close_room(rooms, room.server, room.room_id, room.secret)

        await refused_on_open_session(probe, join_a.room)
        await refused_on_open_session(probe, join_b.room)
    assert not await admitted(join_a, url)
    assert not await admitted(interviewer_a, url)
    # A re-issued ticket would carry the same, removed, token: none is issued any more.
    assert await call_tickets.reissue_tickets(db, settings, a.offer.interview_id) is None
    assert await admitted(join_b, url)


async def test_a_missed_or_withdrawn_offer_takes_the_token_with_it(db, pool, settings, janus):
    rooms, url = janus
    missed, join_missed = await live_interview(db, pool, settings, rooms, accept=False)
    withdrawn, join_withdrawn = await live_interview(db, pool, settings, rooms, accept=False)
    assert await admitted(join_missed, url) and await admitted(join_withdrawn, url)

    await age(db, "interview", "offer_expires_at", 3600, "id = $2", missed.offer.interview_id)
    for room in await interviews.expire_offers(db):
        await dispatch.close_room(rooms, room.server, room.room_id, room.secret)
    room = await interviews.withdraw_offer(db, withdrawn.offer.interviewer_id)
    await dispatch.close_room(rooms, room.server, room.room_id, room.secret)

    assert not await admitted(join_missed, url)
    assert not await admitted(join_withdrawn, url)


async def test_a_moved_room_gets_new_tokens_and_the_old_ones_stop(db, pool, settings, janus):
    rooms, url = janus
    got, old = await live_interview(db, pool, settings, rooms)
    # The room disappears behind the control plane's back (as when its Janus restarts).
    await destroy_room(rooms.connection(got.room.server), got.room.room_id, got.room.secret)
    done = await Reconciler(pool, rooms).run_once()
    assert got.offer.interview_id in done.moved
    new = read_ticket(settings, (await call_tickets.reissue_tickets(db, settings, got.offer.interview_id))[0])
    assert new.room != old.room and new.janus_token != old.janus_token
    assert await admitted(new, url)
    assert not await admitted(old, url)


async def test_the_reconciler_removes_tokens_a_dead_process_left_behind(db, pool, settings, janus):
    rooms, url = janus
    got, join = await live_interview(db, pool, settings, rooms)
    # The interview ends, and the process dies before it could tell Janus anything.
    assert await interviews.end_interview(db, got.offer.interview_id, "time") is not None
    assert await admitted(join, url)
    done = await Reconciler(pool, rooms).run_once()
    assert done.tokens_removed >= 2
    assert not await admitted(join, url)
    # A live interview's tokens are left alone, and a second round finds nothing to do.
    _, other_join = await live_interview(db, pool, settings, rooms)
    assert (await Reconciler(pool, rooms).run_once()).tokens_removed == 0
    assert await admitted(other_join, url)


async def test_a_reissued_ticket_ends_the_previous_candidate_token(app_server, base_url, settings, db, janus):
    rooms, url = janus
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,), (interviewer_link,) = await tokens(db, live)
    async with candidate_and_lobby(base_url, candidate_link, interviewer_link) as (candidate, lobby):
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        dispatched = await lobby.request({"dispatched"}, type="next")
        await candidate.wait_for(lambda m: m["type"] == "offer")
        first = read_ticket(settings, (await candidate.request({"ticket"}, type="accept"))["ticket"])
        assert await admitted(first, url)
        # A reload (or a second device) accepts again and gets a new ticket.
        second = read_ticket(settings, (await candidate.request({"ticket"}, type="accept"))["ticket"])
        assert second.room == first.room and second.janus_token != first.janus_token
        assert await admitted(second, url)
        assert not await admitted(first, url)
        # The interviewer's token is not touched by the candidate's renewals.
        assert await admitted(read_ticket(settings, dispatched["ticket"]), url)
        # The reconciler keeps the current tokens of a live interview.
        await Reconciler(app_server[DB_POOL], rooms).run_once()
        assert await admitted(second, url)
        assert (await lobby.request({"ok"}, type="end"))["type"] == "ok"
        assert not await admitted(second, url)
