"""A change reaches only the sockets it moves (app/live/hub.py): with the real database and
the hub's own view reads, subscribers that count their refreshes and the shared `queue`
messages they take. A check-in at the end of the queue refreshes the newcomer and nobody
else; a leave from the front refreshes the one who left and sends everyone behind the one
shared message; a message from an interviewer refreshes everyone."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import asyncpg

from app.live import queue
from app.live.event_view import EventView, read_event_view
from app.live.hub import Hub
from tests.integration.live_support import make_live_event


class Counting:
    """A candidate's socket as the hub sees it: refreshed from the shared view, remembering
    which read its state came from (channel.Socket's `_sent`)."""

    def __init__(self, hub: Hub, event_id: int, candidate_id: int):
        self.hub, self.event_id = hub, event_id
        self.who = ("candidate", candidate_id)
        self.notice = None
        self._sent = 0
        self.queue_version: int | None = None
        self.refreshed = 0
        self.shared: list[bytes] = []

    async def refresh(self, only_if_changed: bool = False, view: EventView | None = None) -> None:
        view = view or await self.hub.views.latest(self.event_id)  # (the round's, as Socket)
        assert view is not None
        self._sent = view.seq
        self.queue_version = view.queue_version if self.who[1] in view.position else None
        self.refreshed += 1

    def post(self, message: dict) -> None:
        return None

    def write_shared(self, frames: list[bytes], wire: bytes, number: int, version: int) -> bool:
        if self.queue_version != version - len(frames):
            return False
        self._sent, self.queue_version = number, version
        self.shared.extend(frames)
        return True


@asynccontextmanager
async def counted(stack, settings, live):
    """A hub reading views on its own pool, and a counting socket per candidate, subscribed
    and given their first round."""
    pool = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=2)
    hub = Hub(stack.environ["DATABASE_URL"])

    async def read(event_id):
        async with pool.acquire() as connection:
            return await read_event_view(connection, event_id, settings)

    hub.views.reader = read
    sockets = {c: Counting(hub, live.id, c) for c in live.candidates}
    try:
        for socket in sockets.values():
            await hub.subscribe(live.id, socket)
        await hub.refresh(live.id)  # the first round: everyone
        yield hub, sockets
    finally:
        await pool.close()


async def test_a_change_refreshes_only_the_sockets_it_moves(stack, settings, db):
    live = await make_live_event(db, interviewers=1, candidates=5)
    first, second, third, newcomer, never = live.candidates
    for candidate_id in (first, second, third):
        await queue.check_in(db, candidate_id, settings.live)
    async with counted(stack, settings, live) as (hub, sockets):
        assert all(s.refreshed == 1 for s in sockets.values())

        async def round_after(change) -> dict[int, int | str]:
            """Per candidate: 1 a state, "shared" the queue message, 0 nothing."""
            before = {c: (s.refreshed, len(s.shared)) for c, s in sockets.items()}
            await change
            hub.views.changed(live.id)
            await hub.refresh(live.id)
            return {
                c: s.refreshed - before[c][0] or ("shared" if len(s.shared) > before[c][1] else 0)
                for c, s in sockets.items()
            }

        moved = await round_after(queue.check_in(db, newcomer, settings.live))
        assert moved == {first: 0, second: 0, third: 0, newcomer: 1, never: 0}
        moved = await round_after(queue.leave(db, first))
        assert moved == {first: 1, second: "shared", third: "shared", newcomer: "shared", never: 0}
        # The same bytes for all, naming nobody: the places that left and joined.
        assert len({bytes(s.shared[-1]) for s in sockets.values() if s.shared}) == 1
        assert b'"left":[1],"joined":[]' in sockets[second].shared[-1]
        moved = await round_after(
            db.execute(
                """
            INSERT INTO live_message (event_id, interviewer_id, text)
            VALUES ($1, $2, 'Vi börjar snart')""",
                live.id,
                live.interviewers[0],
            )
        )
        assert set(moved.values()) == {1}


async def test_a_leave_near_the_end_sends_the_message_only_to_those_behind(stack, settings, db):
    """Those before the first place a change moves need nothing: they are counted at the
    new version and take the next message all the same (app/live/PROTOCOL.md)."""
    live = await make_live_event(db, interviewers=1, candidates=5)
    for candidate_id in live.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    async with counted(stack, settings, live) as (hub, sockets):
        await queue.leave(db, live.candidates[3])  # the fourth of five
        hub.views.changed(live.id)
        await hub.refresh(live.id)
        got = {c: len(s.shared) for c, s in sockets.items()}
        assert got == {**dict.fromkeys(live.candidates, 0), live.candidates[4]: 1}
        version = sockets[live.candidates[4]].queue_version
        assert all(sockets[c].queue_version == version for c in live.candidates[:3])
        await queue.leave(db, live.candidates[0])  # now everyone behind moves, by one message
        hub.views.changed(live.id)
        await hub.refresh(live.id)
        assert [len(sockets[c].shared) for c in live.candidates[1:3]] == [1, 1]


async def test_a_round_in_which_no_place_moved_still_looks_at_pages_behind(stack, settings, db):
    """A round whose queue version did not move looks only at the sockets not already at it
    (Hub._to_visit): a page that came since the last round (a second tab of someone
    waiting) is among them and gets a whole state, and so is one that could not take the
    last shared message; those at the version get nothing."""
    live = await make_live_event(db, interviewers=1, candidates=5)
    first, second, third, fourth, newcomer = live.candidates
    for candidate_id in (first, second, third, fourth):
        await queue.check_in(db, candidate_id, settings.live)
    async with counted(stack, settings, live) as (hub, sockets):

        async def round_after(change) -> None:
            await change
            hub.views.changed(live.id)
            await hub.refresh(live.id)

        second_tab = Counting(hub, live.id, second)
        await hub.subscribe(live.id, second_tab)  # its page at no version yet
        await round_after(queue.check_in(db, newcomer, settings.live))  # at the end: nobody moves
        assert second_tab.refreshed == 1
        assert {c: s.refreshed for c, s in sockets.items()} == {
            **dict.fromkeys(live.candidates, 1),
            newcomer: 2,
        }

        refusing = sockets[fourth]
        refusing.write_shared = lambda *_: False
        await round_after(queue.leave(db, third))  # the fourth and the newcomer move up
        assert (refusing.refreshed, len(sockets[newcomer].shared), len(second_tab.shared)) == (2, 1, 0)

        await round_after(queue.leave(db, newcomer))  # the end again: no version moves
        assert {c: s.refreshed for c, s in sockets.items()} == {
            first: 1,
            second: 1,
            third: 2,
            fourth: 2,
            newcomer: 3,
        }
        assert (second_tab.refreshed, len(sockets[fourth].shared)) == (1, 0)

        # After a round every socket of the event is in exactly one of the round's two sets
        # (at the version, or to be looked at again); one that went is in neither.
        await hub.unsubscribe(live.id, second_tab)
        await round_after(queue.check_in(db, third, settings.live))  # the end: no version moves
        held = hub._settled[live.id]
        settled, looked_at = held.settled, held.looked_at
        assert not settled & looked_at
        assert settled | looked_at == hub._sockets[live.id]
        assert second_tab not in settled | looked_at


class Lobby:
    """An interviewer's socket as the hub sees it: refreshed every round."""

    who = None
    notice = None

    def __init__(self, hub: Hub, event_id: int):
        self.hub, self.event_id = hub, event_id
        self.views: list = []

    async def refresh(self, only_if_changed: bool = False, view: EventView | None = None) -> None:
        self.views.append(view or await self.hub.views.latest(self.event_id))

    def post(self, message: dict) -> None:
        return None


async def test_a_change_read_for_its_own_reply_is_not_read_again_for_its_notification(stack, settings, db):
    """A candidate's check-in reads the event's view for its reply (channel: the change,
    then `changed`, then a state); the notification of the same transaction comes to the
    hub, whose round takes that read: its snapshot already sees the transaction."""
    live = await make_live_event(db, interviewers=1, candidates=2)
    await queue.check_in(db, live.candidates[0], settings.live)
    pool = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=2)
    hub = Hub(stack.environ["DATABASE_URL"])
    reads = 0

    async def read(event_id):
        nonlocal reads
        reads += 1
        async with pool.acquire() as connection:
            return await read_event_view(connection, event_id, settings)

    hub.views.reader = read
    runner = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.ready.wait(), 10)
        lobby = Lobby(hub, live.id)
        await hub.subscribe(live.id, lobby)
        await hub.refresh(live.id)
        for change in [queue.check_in, lambda db, candidate, _: queue.leave(db, candidate)] * 3:
            await change(db, live.candidates[1], settings.live)
            hub.views.changed(live.id)  # as the channel does after its socket's own change
            own = await hub.views.latest(live.id)
            before = reads
            for _ in range(200):  # the notification's round, within 10 s
                if lobby.views[-1] is own:
                    break
                await asyncio.sleep(0.05)
            assert lobby.views[-1] is own, "the round read a view of its own"
            assert reads == before
    finally:
        runner.cancel()
        await asyncio.gather(runner, *hub.pushes, return_exceptions=True)
        await pool.close()


async def test_a_round_cuts_every_socket_from_its_one_view_while_the_event_keeps_changing(settings, db):
    """A busy event changes during every read (a hundred interviewers pressing *Next*): the
    round still reads once and gives every socket that view, instead of each socket waiting
    for a read of its own after the change before it (a round of a hundred took seconds)."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    hub = Hub("postgresql://unused")  # no listening: the round is run by hand
    reads = 0

    async def read(event_id):
        nonlocal reads
        reads += 1
        view = await read_event_view(db, event_id, settings)
        hub.views.changed(event_id)  # another change committed while this one was read
        return view

    hub.views.reader = read
    lobbies = [Lobby(hub, live.id) for _ in range(20)]
    for lobby in lobbies:
        await hub.subscribe(live.id, lobby)
    await hub.refresh(live.id)
    assert reads == 1
    assert all(lobby.views == [lobbies[0].views[0]] for lobby in lobbies)
