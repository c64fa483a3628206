"""Fan-out: one LISTEN connection per process, and the sockets of this process per event.

Any process may change the queue; it sends NOTIFY on the event's channel (queue.notify).
Here each process listens on the channels of the events it has sockets for and, on a
notification, sends every socket of that event what the change means for it: a fresh
snapshot, or the `queue` message all waiting pages share (app/live/queue_frames.py).
Bursts (a dispatch sends several notifications) are folded into one refresh per DEBOUNCE;
a change that names no transaction (a dispatch's offer) is not held back after a quiet spell. The sockets are the
only thing held in memory, and they belong to this process anyway.

The listening connection is supervised: when it drops it is made again, LISTENs again and
every socket is refreshed, since notifications sent meanwhile are lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg
from aiohttp import web

from app.background import Background
from app.db import close_pool, open_pool
from app.keys import LIVE_HUB, SETTINGS
from app.live.event_view import EventView, EventViews, read_event_view
from app.live.pace import Paces
from app.live.precedence import OffersUnderWay, RoundTurns
from app.live.queue import channel
from app.live.queue_frames import QueueChain, wire_frames
from app.metrics import METRICS
from app.outages import Outage

log = logging.getLogger(__name__)
DEBOUNCE = 0.05
# Notifications for the people they name alone, which change nothing of the event's view
# (another window of an interviewer saved their record: app/live/outcome.py; an account's
# sessions ended: app/live/organizer.py; a personal link replaced by a new one:
# app/views/link_locks_admin.py): told to those sockets, and no read or round of
# every socket of the event (a change costs what it changes: docs/architecture.md).
NOTICES_ONLY = frozenset({"record_saved", "call_taken", "account_ended", "link_reissued"})
# How long a round keeps the event loop before it lets go for a turn: every other socket's
# next message (a *Next*, the NOTIFY that carries an offer) waits for the turn under way.
# A budget of time, not of sockets: a state costs from a few microseconds (a candidate's) to
# a quarter of a millisecond (an interviewer's), a shared `queue` message a few, so a count
# that keeps the interviewers' turns short makes the candidates' needlessly many
# (BENCHMARKS.md, "Dispatch": 200 states a turn held the loop up to ~0.4 s on a loaded
# machine; 25 still made turns of 5-12 ms with a hundred interviewers). A fifth of a
# millisecond, not two: with a thousand waiting and interviews held 10 s, an offer's p99
# went from ~18 ms to ~8 ms, the rounds' CPU the same within the runs' spread ("Offers
# first" there).
TURN_SECONDS = 0.0002
RETRY_SECONDS = 1.0
# What every page is told when the listener loses the database, and when it has it again
# (PROTOCOL.md, "The database away").
SERVICE_DOWN = {"type": "service", "database": "unavailable"}
SERVICE_BACK = {"type": "service", "database": "ok"}
# How often the listening connection is probed, and how long a probe may take. A `SELECT 1`
# unanswered for seconds is a database that holds the connection and answers nothing (a hung
# server, a network cut that leaves the connection half-open): told to the pages at once, so
# they say so within about five seconds of it, not after a further try to connect has timed
# out too (about twenty).
PROBE_INTERVAL = 2.0
PROBE_TIMEOUT = 3.0
# How long one try to listen again may take (asyncpg's own default is a minute): a database
# that hangs is told to the pages when a try has failed.
CONNECT_TIMEOUT = 10.0
# Connections for reading event views (app/live/event_view.py): reads of one event never
# overlap, so a few serve every event of the process.
VIEW_READERS = 3
# An interviewer's pages read the roster when its counts move (at most every few seconds),
# and when searched or paged: a search over ten thousand names costs the database a scan,
# so more than this is refused (429) and the page says to try again in a moment.
ROSTER_READS_PER_SECOND = 2.0
ROSTER_READS_AT_ONCE = 10.0
# Named, so operators (and a test) can tell the listeners among the connections.
APPLICATION_NAME = "snabb-live-listener"

# What a statement on the listening connection raises when that connection is gone or
# going: asyncpg raises AttributeError for a statement that was in flight when the
# connection was terminated. Any of them only means "listen again on a new connection".
CONNECTION_LOST = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, AttributeError)

# Whose socket it is: ("candidate", id) or ("interviewer", id).
Who = tuple[str, int]


class Subscriber(Protocol):
    who: Who | None
    queue_version: int | None  # the queue's version the socket's page is at (None: none)
    notice: Callable[[dict[str, Any]], Awaitable[None]] | None

    async def refresh(self, only_if_changed: bool = False, view: EventView | None = None) -> None: ...

    def post(self, message: dict[str, Any]) -> None:
        """A message for the page after what it has to send, not waited for."""


class SharedWriter(Subscriber, Protocol):
    """A waiting candidate's socket that can take the shared `queue` messages (one without
    `write_shared` gets whole states instead)."""

    def write_shared(self, frames: list[bytes], wire: bytes, number: int, version: int) -> bool: ...


class Hub:
    def __init__(self, dsn: str):
        self._dsn = dsn
        self._sockets: dict[int, set[Subscriber]] = {}
        # The same sockets by person, for the notices (a thousand sockets per event).
        self._by_person: dict[Who, set[Subscriber]] = {}
        self._pending: set[int] = set()
        self._running: set[int] = set()
        self._ended: dict[int, float] = {}  # event -> when its last round ended (loop time)
        # The people a pending notification names (the candidate offered, the interviewer
        # who took them): their sockets are refreshed before everyone else's.
        self._first: dict[int, set[Who]] = {}
        self.views = EventViews()
        # The pages were told the database is away (SERVICE_DOWN), and not yet that it is back.
        self.database_down = False
        # How fast each person's messages are read, all their sockets together (app/live/pace.py),
        # and how often an interviewer's pages may read the roster (app/views/roster.py).
        self.paces = Paces()
        self.roster_reads = Paces(ROSTER_READS_PER_SECOND, ROSTER_READS_AT_ONCE)
        # event -> the view its last round was cut from (for candidates not waiting: a
        # state newer than it may show a moment in between, see _sort)
        self._round_views: dict[int, EventView] = {}
        # event -> the queue's versions as this process read them (app/live/queue_frames.py)
        self._chains: dict[int, QueueChain] = {}
        # event -> what rounds at its queue version left: see _to_visit
        self._settled: dict[int, _AtVersion] = {}
        # event -> its sockets subscribed since a round last looked at them
        self._arrived: dict[int, set[Subscriber]] = {}
        self.views.on_read = self._read
        # This process's presses on their way to an offer: the rounds give way to them.
        self.offers = OffersUnderWay()
        # The rounds and the notices under way (a failed one is logged: one stops no other).
        self.pushes = Background("live push", log)
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._dropped = asyncio.Event()
        self.ready = asyncio.Event()
        # Sockets subscribed and unsubscribed since the process started: when to freeze and
        # thaw the garbage collector's objects (app/gc_tuning.py).
        self.opened = 0
        self.closed = 0

    async def subscribe(self, event_id: int, socket: Subscriber) -> None:
        self.opened += 1
        if self.database_down:
            socket.post(SERVICE_DOWN)  # let in meanwhile (the pool answered, the listener not)
        sockets = self._sockets.get(event_id)
        if sockets:
            # The event is listened to (or its LISTEN is under way, under the lock): no lock.
            # Under it, a reconnect storm's sockets took the lock one per turn of the event
            # loop, ten thousand turns before the last socket's first state (BENCHMARKS.md,
            # "The reconnect storm"). An unsubscribe empties and drops an event's set in one
            # step, so a set found here is the event's own.
            sockets.add(socket)
            self._arrived.setdefault(event_id, set()).add(socket)
            if socket.who is not None:
                self._by_person.setdefault(socket.who, set()).add(socket)
            return
        async with self._lock:
            first = event_id not in self._sockets
            self._sockets.setdefault(event_id, set()).add(socket)
            self._arrived.setdefault(event_id, set()).add(socket)
            if socket.who is not None:
                self._by_person.setdefault(socket.who, set()).add(socket)
            if first and self._connection is not None:
                await self._listen(event_id)

    async def unsubscribe(self, event_id: int, socket: Subscriber) -> None:
        async with self._lock:
            sockets = self._sockets.get(event_id, set())
            if socket in sockets:
                self.closed += 1
            sockets.discard(socket)
            held = self._settled.get(event_id)
            if held is not None:  # (not a pass over the event's sockets per round: _to_visit)
                held.settled.discard(socket)
                held.looked_at.discard(socket)
            self._arrived.get(event_id, set()).discard(socket)
            mine = self._by_person.get(socket.who, set()) if socket.who is not None else set()
            mine.discard(socket)
            if not mine and socket.who is not None:
                self._by_person.pop(socket.who, None)
            if not sockets:
                self._sockets.pop(event_id, None)
                self.views.forget(event_id)
                self._round_views.pop(event_id, None)
                self._chains.pop(event_id, None)
                self._settled.pop(event_id, None)
                self._arrived.pop(event_id, None)
                self._ended.pop(event_id, None)
                if self._connection is not None and not self._connection.is_closed():
                    try:
                        await self._connection.remove_listener(channel(event_id), self._notified)
                    except CONNECTION_LOST:
                        self._dropped.set()

    def windows(self, who: Who, event_id: int) -> int:
        """How many sockets of one person this process holds for one event (an organizer's
        account watches several events)."""
        mine = self._by_person.get(who)
        return len(mine & self._sockets.get(event_id, set())) if mine else 0

    def sockets_of(self, who: Who) -> frozenset[Subscriber]:
        """This process's sockets of one person (the dispatcher tells an offer to the
        candidate's at once: app/live/presses.py)."""
        return frozenset(self._by_person.get(who, ()))

    async def _listen(self, event_id: int) -> None:
        assert self._connection is not None, "listening needs the hub's connection"
        try:
            await self._connection.add_listener(channel(event_id), self._notified)
        except CONNECTION_LOST:
            self._dropped.set()  # the supervisor listens again on the new connection

    def _notified(self, connection: Any, pid: int, name: str, payload: str) -> None:
        event_id = int(name.rsplit("_", 1)[1])
        try:
            named = json.loads(payload)
            people = {
                (role, named[role])
                for role in ("candidate", "interviewer", "user")
                if isinstance(named.get(role), int)
            }
            xid = named.get("xid")
        except (ValueError, AttributeError, TypeError):
            named, people, xid = {}, set(), None  # only the order of the refresh depends on it
        # With its transaction named, a view read since it committed need not be read again.
        if not isinstance(xid, int) or isinstance(xid, bool):
            xid = None
        for who in people:
            for socket in self._by_person.get(who, ()):
                if socket.notice is not None:
                    self.pushes.start(socket.notice(named))
        if named.get("kind") in NOTICES_ONLY:
            return  # nothing of the event's view changed: no read, no round
        self.views.changed(event_id, xid)
        self._first.setdefault(event_id, set()).update(people)
        if event_id not in self._pending:
            self._pending.add(event_id)
            if event_id not in self._running:  # else the running round starts the next
                loop = asyncio.get_running_loop()
                if xid is None:
                    # Nothing to wait for (a dispatch's offer from SQL, an interview's end:
                    # the round reads the view anyway): at once after a quiet spell, or when
                    # DEBOUNCE has passed since the last round (a burst: one round per
                    # DEBOUNCE). A *Next* no longer waits DEBOUNCE before its round.
                    wait = self._ended.get(event_id, -DEBOUNCE) + DEBOUNCE - loop.time()
                else:
                    # The view this process's own action reads for its reply (a check-in,
                    # a leave) is taken by the round when it has come meanwhile: one read
                    # per change, not two.
                    wait = DEBOUNCE
                loop.call_later(max(wait, 0.0), self._start_refresh, event_id)

    def _start_refresh(self, event_id: int) -> None:
        self._running.add(event_id)
        self.pushes.start(self._refresh_event(event_id))

    async def _refresh_event(self, event_id: int) -> None:
        """Rounds of one event never overlap: changes during a round are folded into the
        next, so a busy event costs one round at a time however fast it changes."""
        try:
            while event_id in self._pending:
                self._pending.discard(event_id)
                with METRICS.timed(METRICS.fanout_round):
                    await self.refresh(event_id, self._first.pop(event_id, set()))
                if event_id in self._pending:
                    await asyncio.sleep(DEBOUNCE)
        finally:
            self._running.discard(event_id)
            self._ended[event_id] = asyncio.get_running_loop().time()

    async def refresh(self, event_id: int, first: set[Who] | frozenset[Who] = frozenset()) -> None:
        """Every socket of the event whose state may have changed is sent what it needs
        (one failing stops no other); those of the people in `first` before the rest, so
        that "your turn" does not wait for ten thousand queue positions to go out.

        Who needs what (`_sort`): a candidate whose own facts changed since the last round
        a whole state; one waiting whose place or wait alone moved the `queue` messages
        from the version of its page on (app/live/queue_frames.py): the same bytes for all
        at that version; a whole state when the messages cannot take it there; nothing when
        its page is at the view's version already. Interviewers' and organizers' sockets
        are always refreshed (their states are bounded: app/live/snapshots.py)."""
        before = self._round_views.get(event_id)
        chain = self._chain(event_id)
        try:
            view = await self.views.latest(event_id)
        except (*CONNECTION_LOST, TimeoutError) as failure:  # each socket reads it again
            log.warning("live view read failed: %s", type(failure).__name__)
            view = None
        own = chain.take_own()
        if view is not None:
            self._round_views[event_id] = view
        if view is None or view.queue_version is None:
            own = None
        round_ = _Round(event_id, first, own, before, view, chain)
        self._to_visit(round_)
        try:
            await self._send(round_)
        finally:
            # What this round left not at the version is looked at again by the next; a
            # socket gone meanwhile (unsubscribe took it out before the round put it back)
            # in neither set.
            visited = set(round_.sockets)
            gone = visited.difference(self._sockets.get(event_id, ()))
            round_.settled.difference_update(gone)
            round_.looked_at.difference_update(visited)
            round_.looked_at.update(visited.difference(round_.settled, gone))

    async def _send(self, round_: _Round) -> None:
        named, whole, shared = _sort(round_)
        view, settled, chain = round_.view, round_.settled, round_.chain
        turn = RoundTurns(self.offers, TURN_SECONDS)  # one budget across the round's three passes
        await self._refresh_all(named, view, turn)
        # The queue messages go out before the whole states: for each version the pages
        # are at, the same bytes to all of them, the loop let go every TURN_SECONDS. A page
        # before the first place they change needs none: it is counted at the new version
        # (a page applies a message from any version up to its `prev`, PROTOCOL.md).
        behind: list[Subscriber] = []
        for since, group in shared.items():
            # Only a view read with its version makes anyone SHARED (own is None otherwise).
            assert view is not None and view.queue_version is not None
            version, seq, position = view.queue_version, view.seq, view.position
            frames = chain.messages(since, version)
            if frames is None:
                behind.extend(group)
                continue
            assert since is not None  # messages() takes no page without a version anywhere
            first_place = chain.first_moved(since, version)
            wire = wire_frames(frames)  # framed once: the same bytes to every socket
            for socket in group:
                if position[socket.who[1]] < first_place:  # type: ignore[index]  # waiting: who is set
                    socket.queue_version = version
                    settled.add(socket)
                    continue
                try:
                    # (_sort puts only a SharedWriter here; no cast: a call per socket)
                    if socket.write_shared(frames, wire, seq, version):  # type: ignore[attr-defined]
                        settled.add(socket)
                    else:
                        behind.append(socket)
                except Exception as failure:  # noqa: BLE001 (one socket stops no other)
                    log.warning("live queue message failed: %s", type(failure).__name__)
                await turn.let_go_when_due()
        await self._refresh_all(whole + behind, view, turn)

    def _to_visit(self, round_: _Round) -> None:
        """Sets the sockets a round looks at, the set it adds those it leaves at the view's
        queue version to, and the set of those it leaves otherwise. When no page's version
        moved since the last round (a check-in or a leave at the end of the queue, an
        accept, an end), the waiting pages that were at it then need nothing now unless
        their own facts changed: the round looks only at the rest (the people named and
        whose facts changed, and what earlier rounds at this version left not at it:
        interviewers, organizers, candidates not waiting, pages that fell behind; sockets
        that came since), without a pass over ten thousand sockets ten times a second (a
        set difference over all of them, in C, was still a tenth of the churn's CPU at
        10,000). Otherwise every socket. Every socket of the event is in exactly one of
        the two sets or came since (unsubscribe takes it out of them)."""
        event_id, own, view = round_.event_id, round_.own, round_.view
        sockets = self._sockets.get(event_id, set())
        arrived = self._arrived.pop(event_id, set())
        version = None if own is None or view is None else view.queue_version
        if version is None:
            self._settled.pop(event_id, None)
            round_.sockets = list(sockets)
            return
        held = self._settled.get(event_id)
        if held is None or held.version != version:
            held = self._settled[event_id] = _AtVersion(version)
            round_.sockets, round_.settled, round_.looked_at = list(sockets), held.settled, held.looked_at
            return
        round_.settled, round_.looked_at = held.settled, held.looked_at
        visit = (round_.looked_at | arrived) & sockets
        assert own is not None
        for who in (*round_.first, *(("candidate", candidate) for candidate in own)):
            for socket in self._by_person.get(who, ()):
                if socket in sockets:
                    visit.add(socket)
                    round_.settled.discard(socket)
        round_.sockets = list(visit)

    def _chain(self, event_id: int) -> QueueChain:
        return self._chains.setdefault(event_id, QueueChain())

    def _read(self, event_id: int, view: EventView) -> None:
        if event_id in self._sockets:
            self._chain(event_id).read(view)

    async def _refresh_all(self, sockets: list[Subscriber], view: EventView | None, turn: RoundTurns) -> None:
        # Awaited one after another (a state cut from the round's view does not wait: no
        # task per socket), and the loop is let go every TURN_SECONDS, so that a dispatch or
        # an offer's notice is not put behind ten thousand states.
        for socket in sockets:
            try:
                await socket.refresh(only_if_changed=True, view=view)
            except Exception as failure:  # noqa: BLE001 (one socket stops no other)
                log.warning("live refresh failed: %s", type(failure).__name__)
            await turn.let_go_when_due()

    def _tell_everyone(self, message: dict[str, Any]) -> None:
        """Every page of the process: one message each, left to its socket's writer."""
        self.database_down = message is SERVICE_DOWN
        for sockets in self._sockets.values():
            for socket in sockets:
                socket.post(message)

    async def run(self) -> None:
        """Keep one listening connection up for as long as the application runs. Losing it
        is how the process learns that the database is away: every page is told (its socket
        stays open, but nothing it shows moves, and its actions are refused `unavailable`),
        and told again when it is back, before the states that catch up. Told once the
        connection could not be made again, not at the drop itself: a listener cut alone (its
        backend ended) is back a second later, unseen by the pages. A probe that goes
        unanswered is told at once: the database holds the connection and answers nothing,
        and a try to connect again would only wait as long for its own time-out."""
        outage = Outage(log, "live listener", f"trying again every {RETRY_SECONDS:.0f} s")
        failed_in_a_row = 0
        while True:
            try:
                self._connection = await asyncpg.connect(
                    self._dsn,
                    server_settings={"application_name": APPLICATION_NAME},
                    timeout=CONNECT_TIMEOUT,
                )
                self._dropped.clear()
                self._connection.add_termination_listener(lambda _: self._dropped.set())
                async with self._lock:
                    for event_id in list(self._sockets):
                        await self._listen(event_id)
                self.ready.set()
                failed_in_a_row = 0
                if self.database_down:
                    self._tell_everyone(SERVICE_BACK)
                outage.over()
                # After a drop: whatever was notified meanwhile is lost, so refresh all,
                # from views read afresh (a view cached before the drop misses those changes).
                for event_id in list(self._sockets):
                    self.views.changed(event_id)
                    self._settled.pop(event_id, None)
                    await self.refresh(event_id)
                while not self._dropped.is_set():
                    try:
                        # asyncio.timeout, not wait_for: Python 3.11's wait_for returns the
                        # result, and drops a cancel that comes as it completes (live_hub's
                        # stop then waits for this task forever).
                        async with asyncio.timeout(PROBE_INTERVAL):
                            await self._dropped.wait()
                    except TimeoutError:
                        # A half-open TCP connection does not terminate by itself. Under
                        # the lock: a connection runs one statement at a time, and a probe
                        # beside a (UN)LISTEN fails as if the database were gone.
                        async with self._lock:
                            try:
                                async with asyncio.timeout(PROBE_TIMEOUT):
                                    await self._connection.fetchval("SELECT 1")
                            except TimeoutError:
                                failed_in_a_row = 1  # with this one, two: told now
                                raise
                        outage.over()  # an answer: it dates the start of the next outage
                failed_in_a_row = 1  # the connection ended: told if listening again fails
            except (*CONNECTION_LOST, TimeoutError) as error:
                failed_in_a_row += 1
                if failed_in_a_row == 2:
                    self._tell_everyone(SERVICE_DOWN)
                outage.seen(error)
            finally:
                self.ready.clear()
                connection, self._connection = self._connection, None
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(RETRY_SECONDS)


@dataclass
class _Round:
    """One round of an event (Hub.refresh): what it read, and whom it looks at (_to_visit)."""

    event_id: int
    first: set[Who] | frozenset[Who]  # the people whose sockets go first
    own: set[int] | None  # the candidates whose own facts changed (None: anyone's may have)
    before: EventView | None  # the view the previous round was cut from
    view: EventView | None  # this round's (None: it could not be read)
    chain: QueueChain
    sockets: list[Subscriber] = field(default_factory=list)
    # Where the sockets it leaves at the view's queue version go, and where the rest go.
    settled: set[Subscriber] = field(default_factory=set)
    looked_at: set[Subscriber] = field(default_factory=set)


@dataclass
class _AtVersion:
    """What the rounds at one queue version left of an event's sockets (Hub._to_visit)."""

    version: int
    # The waiting candidates' sockets whose page was at `version` after a round and whose
    # own facts have not changed since: a round at the same version skips them.
    settled: set[Subscriber] = field(default_factory=set)
    # The event's other sockets that rounds looked at (interviewers, organizers, candidates
    # not waiting, pages that fell behind): the next round at this version looks again.
    looked_at: set[Subscriber] = field(default_factory=set)


def _sort(
    round_: _Round,
) -> tuple[list[Subscriber], list[Subscriber], dict[int | None, list[Subscriber]]]:
    """What each socket needs from a round (see Hub.refresh): (those named first, those
    that need a whole state, those that need the `queue` messages by the version their page
    is at); the rest need nothing, and the waiting pages among them are added to `settled`
    (Hub._to_visit). `own`: the candidates whose own facts changed (None: anyone's). A pass
    over up to ten thousand sockets, so the common case (a waiting page at the view's version
    already) is the first to be told apart, with no call."""
    sockets, first, own, before = round_.sockets, round_.first, round_.own, round_.before
    view, settled = round_.view, round_.settled
    named: list[Subscriber] = []
    whole: list[Subscriber] = []
    shared: dict[int | None, list[Subscriber]] = {}
    if own is None or view is None:  # own is None whenever the view could not be read
        for socket in sockets:
            (named if socket.who in first else whole).append(socket)
        return named, whole, shared
    position, version = view.position, view.queue_version
    assert version is not None  # own is None for a view without its version
    for socket in sockets:
        who = socket.who
        if first and who in first:
            named.append(socket)
        elif who is None or who[0] != "candidate" or who[1] in own:
            whole.append(socket)
        elif who[1] in position:
            at = socket.queue_version
            if at is not None and at >= version:
                settled.add(socket)
                continue  # its page is at this version already
            if hasattr(socket, "write_shared"):
                shared.setdefault(at, []).append(socket)
            else:
                whole.append(socket)
        else:
            # Not waiting, and nothing of theirs changed: nothing, unless a state cut from a
            # newer view than the previous round's went to the socket since (its own
            # action's, its first), which may show facts of a moment in between.
            sent = getattr(socket, "_sent", None)
            if before is None or sent is None or sent > before.seq:
                whole.append(socket)
    return named, whole, shared


async def live_hub(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    dsn = settings.database.url.get_secret_value()
    hub = app[LIVE_HUB] = Hub(dsn)
    # The views are read on connections of their own (no connection held while idle): the
    # shared pool may have thousands of sockets' handshakes queued in a reconnect storm,
    # and every other page of the process waits for the next view.
    readers = await open_pool(
        dsn, min_size=0, max_size=VIEW_READERS, command_timeout=settings.database.command_timeout
    )

    async def read(event_id: int, held: EventView | None = None) -> EventView:
        async with readers.acquire() as connection:
            return await read_event_view(connection, event_id, settings, held)

    hub.views.reader = hub.views.renew = read
    task = asyncio.create_task(hub.run(), name="live-listener")
    try:
        yield
    finally:
        task.cancel()
        hub.pushes.cancel()
        await asyncio.gather(task, *hub.pushes, return_exceptions=True)
        await close_pool(readers, settings.database.command_timeout)
