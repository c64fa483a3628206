"""What every page of one event shows, read once per change instead of once per page.

Every change to an event (a check-in, a dispatch) may move the place of everyone waiting, so
the sockets of the event may need a new `state`. Read per socket, a change would cost ten
thousand waiting candidates ten thousand rounds of queries. Read here, it costs one
statement (VIEW_SQL: one snapshot, one round trip), which takes in

- the queue's order as one array of candidate ids (the shared fact every waiting
  candidate's position is cut from: their index in it), read from its index in its order,
  and the queue state of everyone else checked in (those whose grace ran out, and those
  past waiting) as three more arrays, from two partial indexes; the number registered
  as kept (migration 0039), not counted;
- the head of the queue (HEAD_ROWS, with names), the live interviews, the unanswered
  feedback, the messages and the interviewers' wait inputs: each bounded by what is under
  way, not by how many registered.

No row per registered candidate is decoded here: the full roster is read page by page, on
demand (app/live/roster.py). The pages' states are cut from the view in memory
(app/live/snapshots.py). `own_changes` tells the hub (app/live/hub.py) whose own facts differ
from the previous view's: they get a new state; those whose place or wait alone moved get
the one `queue` message of the round (app/live/queue_frames.py). The estimated waits are
worked out only as far as a state asks for them (the places of this process's pages, the
lobby's head), once for all views of the same inputs (queue_frames.Waits).

`EventViews` keeps the latest view of each event in this process: a notification on the
event (the hub), or a socket's own change, makes it stale, and it is never older than
MAX_AGE seconds, because the waits are estimated from the clock. A view that only its age
made stale (no change notified since) is renewed, not read again: the clock's parts afresh,
the rest kept while the counts say its order holds (a reconnect storm's first states, over
seconds, cost one small statement a second instead of ten thousand ids). A notification that
names its transaction (`xid`, queue.notify) does not make stale a view whose snapshot
already sees that transaction: the candidate's own check-in reads the view once for its
reply, and the hub's round for the same change takes that read instead of another.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import asyncpg

from app.live import queue
from app.live.queue_frames import Span, Waits, changed_span, waits_for
from app.metrics import METRICS
from app.settings import Settings

MESSAGES_SHOWN = 20
MAX_AGE = 1.0
# The head of the queue that the interviewers' lobby shows with names (app/live/snapshots.py
# may show fewer to keep the state within its size budget).
HEAD_ROWS = 30

# The queue's parts, each read from an index of its own (migration 0054) and bounded by what
# it holds: the order, in its index's order (no sort, and no join: nobody waits with an
# ended registration, which the database holds); the waiting whose grace ran out (a few);
# everyone past waiting (offered, in a call, away, left, done) whose registration is live.
# "waiting" ones have a position when they are dispatchable (rules.dispatchable), the same
# test the dispatcher applies in SQL. Everyone checked in is in one of the three, so the
# number checked in is theirs (_read_event_view).
FRESH = "(disconnected_at IS NULL OR disconnected_at > now() - make_interval(secs => $2))"
STALE = "disconnected_at <= now() - make_interval(secs => $2)"
# Whose registration is live is kept on the entry (migration 0054: `registration_ended`), so
# the entries past waiting, thousands late in a long event, are read without a look-up each.
PASSED = """
    FROM queue_entry q
    WHERE q.event_id = $1 AND q.state <> 'waiting' AND NOT q.registration_ended"""
QUEUE_SQL = f"""
    SELECT registered_count($1) AS registered,
           ARRAY(SELECT candidate_id FROM queue_entry
                 WHERE event_id = $1 AND state = 'waiting' AND {FRESH}
                 ORDER BY queued_at, id) AS ordered,
           ARRAY(SELECT candidate_id FROM queue_entry
                 WHERE event_id = $1 AND state = 'waiting' AND {STALE}) AS stale,
           ARRAY(SELECT candidate_id FROM queue_entry
                 WHERE event_id = $1 AND missed_count > 0
                   AND state IN ('waiting', 'offered')) AS missed_once,
           passed.*
    FROM (SELECT coalesce(array_agg(q.candidate_id), '{{}}') AS other_ids,
                 coalesce(array_agg(CASE WHEN q.state = 'left' AND q.left_reason = 'missed'
                     THEN 'left:missed' ELSE q.state::text END), '{{}}') AS other_states,
                 count(*) FILTER (WHERE q.left_reason = 'missed') AS missed
          {PASSED}) passed"""

# The event's own row: the clock, the snapshot the statement reads in, its state and end.
EVENT_SQL = """
    SELECT now() AS now, pg_current_snapshot()::text AS snapshot,
           CASE WHEN deleted_at IS NOT NULL THEN 'cancelled' ELSE state::text END AS state,
           starts_at,
           -- Ended early: the moment it was ended (its length is cut to whole minutes, and
           -- the waits shown stopped at that minute went back by the seconds past it).
           coalesce(ended_early_at, starts_at + make_interval(mins => duration_minutes)) AS ends_at,
           interview_minutes,
           -- A candidate called in (from check-in on, maybe before the set start): the event
           -- is being held, whatever the clock says (app/events/rules.py checking_in_only).
           EXISTS (SELECT 1 FROM interview i WHERE i.event_id = $1) AS interviews_begun
    FROM event WHERE id = $1"""

# The columns of a live interview as the states use them (snapshots.py).
LIVE_COLUMNS = (
    "id",
    "state",
    "candidate_id",
    "interviewer_id",
    "offer_expires_at",
    "started_at",
    "ends_at",
    "extended_minutes",
    "room_generation",
    "janus_server",
    "room_id",
    "media_lost_at",
    "room_pin",
    "room_secret",
    "room_tokens",
    "candidate_name",
    "interviewer_name",  # their name, or their address when the employer gave none
    "interviewer_named",  # whether the employer gave a name: only a name is shown to a candidate
    "candidate_microphone_off",
    "candidate_camera_off",
    "interviewer_microphone_off",
    "interviewer_camera_off",
    "candidate_media_problem",
    "interviewer_media_problem",
)

# The whole view in one statement, so in one snapshot and one round trip: each part that is
# not one value is an array of rows (anonymous records, decoded as tuples), bounded by what
# is under way except the queue's own arrays. $1 the event, $2 the grace seconds, $3 the
# messages shown.
VIEW_SQL = f"""
    WITH ev AS ({EVENT_SQL}), entries AS ({QUEUE_SQL})
    SELECT ev.*, entries.*,
           ARRAY(SELECT ROW(c.id, c.name, q.waiting_since)
                 FROM queue_entry q JOIN candidate c ON c.id = q.candidate_id
                 WHERE q.event_id = $1 AND q.state = 'waiting' AND {FRESH}
                 ORDER BY q.queued_at, q.id LIMIT {HEAD_ROWS}) AS head,
           ARRAY(SELECT ROW(i.id, i.state::text, i.candidate_id, i.interviewer_id,
                            i.offer_expires_at, i.started_at, i.ends_at, i.extended_minutes,
                            i.room_generation,
                            i.janus_server, i.room_id, i.media_lost_at, i.room_pin,
                            i.room_secret, i.room_tokens, c.name,
                            coalesce(nullif(w.name, ''), w.email), w.name <> '',
                            i.candidate_microphone_off, i.candidate_camera_off,
                            i.interviewer_microphone_off, i.interviewer_camera_off,
                            i.candidate_media_problem, i.interviewer_media_problem)
                 FROM interview i JOIN candidate c ON c.id = i.candidate_id
                      JOIN event_interviewer w ON w.id = i.interviewer_id
                 WHERE i.event_id = $1 AND i.state IN ('offered', 'active')
                 ORDER BY i.id) AS live,
           ARRAY(SELECT ROW(f.candidate_id, f.id) FROM (
                     SELECT DISTINCT ON (i.candidate_id) i.candidate_id, i.id FROM interview i
                     WHERE i.event_id = $1 AND i.state = 'ended'
                       AND NOT EXISTS (SELECT 1 FROM interview_feedback f
                                       WHERE f.interview_id = i.id)
                     ORDER BY i.candidate_id, i.ended_at DESC) f) AS feedback_open,
           ({queue.AVERAGE_SQL}) AS average,
           ARRAY(SELECT ROW(b.state, b.ends_at, b.started_at, b.extended_minutes) FROM ({queue.BUSY_SQL}) b) AS busy,
           ARRAY(SELECT interviewer_id FROM interviewer_presence
                 WHERE event_id = $1 AND paused) AS paused,
           -- For the organizer's view (organizer.py): every interviewer, and the
           -- interviews held; bounded by the interviewers and the interviews.
           ARRAY(SELECT ROW(w.id, coalesce(nullif(w.name, ''), w.email),
                            coalesce(p.connected, false), coalesce(p.paused, false))
                 FROM event_interviewer w
                 LEFT JOIN interviewer_presence p ON p.interviewer_id = w.id
                 WHERE w.event_id = $1 ORDER BY w.id) AS interviewers,
           (SELECT count(*) FROM interview
            WHERE event_id = $1 AND state = 'ended' AND started_at IS NOT NULL) AS done,
           ARRAY(SELECT ROW(m.id, m.text, m.sent_at) FROM (
                     SELECT id, text, sent_at FROM live_message WHERE event_id = $1
                     ORDER BY sent_at DESC, id DESC LIMIT $3) m) AS messages
    FROM ev, entries"""

# What renews a view only its age made stale (read_event_view with `held`): the clock's
# parts, and how many QUEUE_SQL's parts hold (not the parts), which tell whether the order
# still holds.
RENEW_SQL = f"""
    WITH ev AS ({EVENT_SQL})
    SELECT ev.*, ({queue.AVERAGE_SQL}) AS average,
           ARRAY(SELECT ROW(b.state, b.ends_at, b.started_at, b.extended_minutes) FROM ({queue.BUSY_SQL}) b) AS busy,
           registered_count($1) AS registered,
           (SELECT count(*) FROM queue_entry
            WHERE event_id = $1 AND state = 'waiting' AND {FRESH}) AS waiting,
           (SELECT count(*) FROM queue_entry
            WHERE event_id = $1 AND state = 'waiting' AND {STALE}) AS stale,
           (SELECT count(*) {PASSED}) AS passed
    FROM ev"""


@dataclass
class EventView:
    now: dt.datetime
    # {"state": the event's state ("published", "live", "finished", …), "starts_at" and
    # "ends_at": ISO times}: what every page's state shows of the event. A change to it
    # gives every page a whole state (queue_frames.QueueChain), so what only some pages
    # show is kept apart (`interviews_begun`).
    event: dict[str, Any]
    # The dispatchable candidates in queue order: position n is order[n - 1].
    order: list[int]
    # candidate id -> queue state, for everyone checked in and not in `order` (all of whom
    # are "waiting"): the away, stale, offered, interviewing, left or done (few while the
    # queue is long, more as the day's interviews are held); "left:missed" for one taken out
    # for missing their turn twice (their page says so, also after a reload). No entry per
    # waiting candidate is made or compared (`state_of`), so a read or a change does not cost
    # a walk over ten thousand waiting.
    others: dict[int, str]
    # the first HEAD_ROWS of the order: candidate_id, name, waiting_since (their wait shown)
    head: list[dict[str, Any]]
    # {"registered": …, "checked_in": …, "waiting": …} (the interviewers' `counts`)
    counts: dict[str, int]
    # Seconds until each active interviewer is free, and the mean interview: the waits.
    free_in: list[float]
    average_seconds: float
    # the event's offered and active interviews, with the room (for tickets) and names
    live: list[dict[str, Any]]
    # candidate id -> the ended interview they have not answered the question about
    feedback_open: dict[int, int]
    paused: set[int]
    messages: list[dict[str, Any]]
    # For the organizer's view: every interviewer (id, name, connected, paused), in id order;
    # those out of the queue for missing their turn twice; the interviews held.
    interviewers: list[tuple[int, str, bool, bool]] = field(default_factory=list)
    missed: int = 0
    done: int = 0
    # Whether anyone has been called in yet (the organizer's view: from then on those not
    # checked in may be no-shows). Not among the `event` facts: the event's first *Next*
    # would otherwise give ten thousand waiting pages a whole state instead of the one
    # `queue` message, and no page of theirs shows it.
    interviews_begun: bool = False
    # Those waiting or called in who missed a turn once since they checked in (a second
    # miss takes them out of the queue): their pages say so. A miss always notifies.
    missed_once: frozenset[int] = frozenset()
    by_candidate: dict[int, dict[str, Any]] = field(default_factory=dict)
    # What the pages cut from the view and share (app/live/snapshots.py), made once per view.
    memo: dict[str, Any] = field(default_factory=dict)
    # Which read of the event this is (EventViews counts them): of two states, the one cut
    # from the later read is the newer, whichever was finished first.
    seq: int = 0
    # The database snapshot the view was read in (xmin, xmax, the transactions in progress
    # then), None when unknown: which committed transactions it sees (`sees`).
    snapshot: tuple[int, int, frozenset[int]] | None = None
    # The queue's version this view is at (app/live/queue_frames.QueueChain, stamped as
    # the read ends): a page whose state carries it takes the `queue` messages after it.
    queue_version: int | None = None

    def __post_init__(self) -> None:
        self.by_candidate = {row["candidate_id"]: row for row in self.live}

    def state_of(self, candidate_id: int) -> tuple[str | None, str | None]:
        """The candidate's queue state (None: not checked in) and why they left it, if it
        says ("missed": their turn, twice)."""
        state = self.others.get(candidate_id)
        if state is None and candidate_id in self.position:
            return "waiting", None
        if state is None:
            return None, None
        state, _, reason = state.partition(":")
        return state, reason or None

    @cached_property
    def by_interviewer(self) -> dict[int, dict[str, Any]]:
        """interviewer id -> their live interview (one at most: a unique index says so)."""
        return {row["interviewer_id"]: row for row in self.live}

    @cached_property
    def away(self) -> int:
        """Checked in, not called in, their page away past the grace period: marked away, or
        still waiting out of the order until the sweeper marks them."""
        return sum(1 for state in self.others.values() if state in ("waiting", "away"))

    @cached_property
    def position(self) -> dict[int, int]:
        """candidate id -> place in the queue (1 = next)."""
        return {candidate: index for index, candidate in enumerate(self.order, 1)}

    def positions_from(self, before: EventView, span: Span | None = None) -> None:
        """Take the places from `before`'s when it has them worked out and the two orders
        differ only near the end (a check-in, a leave from the end): a copy and the few
        entries that moved, instead of ten thousand made one by one. `span`: the orders'
        changed_span when the caller has it."""
        known = before.__dict__.get("position")
        if known is None or "position" in self.__dict__:
            return
        start, old_part, _ = span or changed_span(before.order, self.order)
        if len(self.order) - start > len(self.order) // 4:
            return  # most places moved: made afresh when asked
        position = known.copy()
        for candidate in old_part:
            del position[candidate]
        for index in range(start, len(self.order)):
            position[self.order[index]] = index + 1
        self.__dict__["position"] = position

    @cached_property
    def waits(self) -> Waits:
        """The estimated waits of the places, worked out as far as a state asks for them
        and shared with every view of the same inputs (queue_frames.waits_for)."""
        return waits_for(self.free_in, self.average_seconds)

    def wait_at(self, position: int) -> int | None:
        """What the place `position` (1 = next) is shown as its estimated wait."""
        return self.waits.at(position)

    def place(self, candidate_id: int) -> tuple[int, int | None] | None:
        """(position, estimated wait in minutes) of a waiting candidate, else None."""
        position = self.position.get(candidate_id)
        if position is None:
            return None
        return position, self.wait_at(position)

    def sees(self, xid: int) -> bool:
        """Whether the view was read after the committed transaction `xid` (PostgreSQL's
        visibility of a snapshot: begun before xmin, or before xmax and not in progress)."""
        if self.snapshot is None:
            return False
        xmin, xmax, running = self.snapshot
        return xid < xmin or (xid < xmax and xid not in running)

    def own_changes(self, before: EventView, span: Span | None = None) -> set[int]:
        """The candidates whose own facts differ from `before`'s: in the queue or not,
        queue state, offer, interview or open question (a place or a wait alone is not among
        them: the `queue` message tells those, app/live/queue_frames.py). `span`: the
        orders' changed_span when the caller has it."""
        # The orders agree before and after the part that differs: who came or went is in
        # it (a check-in or a Next in ten thousand costs a few entries, not ten thousand).
        _, old_part, new_part = span or changed_span(before.order, self.order)
        changed = set(old_part).symmetric_difference(new_part)
        # Whose queue state differs: those who came into or left the order (above), and
        # among the rest (`others`, a few) those whose state is another or who came or went.
        for mine, theirs in (
            (self.others, before.others),
            (self.by_candidate, before.by_candidate),
            (self.feedback_open, before.feedback_open),
        ):
            if mine != theirs:
                changed.update(c for c in mine.keys() | theirs.keys() if mine.get(c) != theirs.get(c))
        return changed


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def read_event_view(
    connection: asyncpg.Connection, event_id: int, settings: Settings, held: EventView | None = None
) -> EventView:
    """The event's view. With `held` (a view of the event no notified change has made
    stale, only its age: its waits and `now` run with the clock), what a change would have
    notified is taken from it when the counts say its order still holds, instead of read
    and decoded again (ten thousand ids a second per event while sockets arrive and
    nothing changes); only the clock's parts are read afresh."""
    with METRICS.timed(METRICS.event_view_read):
        return await _read_event_view(connection, event_id, settings, held)


def _order_holds(held: EventView, counts: asyncpg.Record) -> bool:
    """Whether `held`'s order is the queue's order still, as far as anything may change it
    without a notification: a disconnected candidate's grace running out takes them out of
    it (the stale count grows) and nothing else does silently; every other change notifies,
    and a notified change makes the view stale before its age does."""
    stale = sum(1 for state in held.others.values() if state == "waiting")
    return (
        counts["registered"] == held.counts["registered"]
        and counts["waiting"] == len(held.order)
        and counts["stale"] == stale
        and counts["passed"] == len(held.others) - stale
    )


async def _read_event_view(
    connection: asyncpg.Connection, event_id: int, settings: Settings, held: EventView | None
) -> EventView:
    # One statement: one snapshot, so a check-in committed meanwhile is seen whole or not at all.
    grace = float(settings.live.grace_seconds)
    if held is not None:
        row = await connection.fetchrow(RENEW_SQL, event_id, grace)
        if _order_holds(held, row):
            return _renewed(held, row, *_waits_of(row))
    row = await connection.fetchrow(VIEW_SQL, event_id, grace, MESSAGES_SHOWN)
    order = list(row["ordered"])
    others = dict.fromkeys(row["stale"], "waiting")
    others.update(zip(row["other_ids"], row["other_states"]))
    checked_in = len(order) + len(others)  # every entry is in the order or among the others
    # In the order's own order: the same index in the same snapshot.
    head = [{"candidate_id": c, "name": name, "waiting_since": at} for c, name, at in row["head"]]
    free_in, average = _waits_of(row)
    return EventView(
        row["now"],
        _event_facts(row),
        order,
        others,
        head,
        {"registered": row["registered"], "checked_in": checked_in, "waiting": len(order)},
        free_in,
        average,
        [dict(zip(LIVE_COLUMNS, values)) for values in row["live"]],
        dict(row["feedback_open"]),
        set(row["paused"]),
        [{"id": i, "text": text, "sent_at": iso(at)} for i, text, at in reversed(row["messages"])],
        interviewers=[tuple(values) for values in row["interviewers"]],
        missed=row["missed"],
        done=row["done"],
        interviews_begun=row["interviews_begun"],
        missed_once=frozenset(row["missed_once"]),
        snapshot=parse_snapshot(row["snapshot"]),
    )


def _waits_of(row: asyncpg.Record) -> tuple[list[float], float]:
    return queue.waits_from(list(row["average"]), row["interview_minutes"], list(row["busy"]), row["now"])


def _event_facts(event: asyncpg.Record) -> dict[str, Any]:
    return {
        "state": event["state"],
        "starts_at": iso(event["starts_at"]),
        "ends_at": iso(event["ends_at"]),
    }


def _renewed(held: EventView, event: asyncpg.Record, free_in: list[float], average: float) -> EventView:
    """`held` at a later moment: the clock's parts new (now, the waits' inputs, the event's
    row), everything a change would have notified taken from it, with its snapshot: a
    change committed since whose notification is still on its way is not counted as seen,
    and its round reads the event in full."""
    view = dataclasses.replace(
        held,
        now=event["now"],
        event=_event_facts(event),
        interviews_begun=event["interviews_begun"],
        free_in=free_in,
        average_seconds=average,
        memo={},
        seq=0,
        queue_version=None,
    )
    if "position" in held.__dict__:
        view.__dict__["position"] = held.position  # the same order (never changed in place)
    return view


def parse_snapshot(text: str) -> tuple[int, int, frozenset[int]]:
    """pg_snapshot's text form, "xmin:xmax:xip,xip,…"."""
    xmin, xmax, running = text.split(":")
    return int(xmin), int(xmax), frozenset(int(xid) for xid in running.split(",") if xid)


class EventViews:
    """The latest view of each event with sockets in this process. At most one read of an
    event runs at a time, and at most one more waits for it: everyone who asks while a read
    runs that began before their change shares the next read. A hundred interviewers acting
    at once cost two reads, not a hundred."""

    def __init__(self) -> None:
        # How this process reads a view itself (the hub's own connections, app/live/hub.py):
        # when set, it is used instead of the sockets' `read`, so that views are read on
        # connections that never queue behind a reconnect storm's handshakes.
        self.reader: Callable[[int], Awaitable[EventView]] | None = None
        # Told of every view as its read ends, in the order of the reads (the hub stamps
        # the queue's version on it, app/live/queue_frames.QueueChain).
        self.on_read: Callable[[int, EventView], None] | None = None
        # How this process renews a view that only its age made stale (read_event_view
        # with `held`); without it such a view is read in full again.
        self.renew: Callable[[int, EventView], Awaitable[EventView]] | None = None
        self._generation: dict[int, int] = {}
        # event -> generation -> the transaction whose notification made it (None: unknown,
        # a socket's own change), for the generations after the current read began
        self._causes: dict[int, dict[int, int | None]] = {}
        # event -> (generation when the read began, monotonic time it began, its result)
        self._current: dict[int, tuple[int, float, asyncio.Future[EventView]]] = {}
        self._queued: dict[int, asyncio.Future[EventView]] = {}
        # event -> how its view is read (given by the sockets), for the hub's own reads
        self._readers: dict[int, Callable[[], Awaitable[EventView]]] = {}
        self._reads = 0

    def changed(self, event_id: int, xid: int | None = None) -> None:
        """The event changed: by the committed transaction `xid` when known (a notification
        naming it), else by anything up to now (a read must begin after this)."""
        generation = self._generation[event_id] = self._generation.get(event_id, 0) + 1
        self._causes.setdefault(event_id, {})[generation] = xid

    def forget(self, event_id: int) -> None:
        self._current.pop(event_id, None)
        self._readers.pop(event_id, None)
        self._causes.pop(event_id, None)

    def _sees_all(self, event_id: int, current: tuple[int, float, asyncio.Future[EventView]]) -> bool:
        """Whether the read `current`, though begun before the latest changes, sees them all:
        each was notified with its transaction, and its snapshot sees that transaction."""
        began, _, future = current
        if not future.done() or _failed(future):
            return False
        view = future.result()
        causes = self._causes.get(event_id, {})
        for generation in range(began + 1, self._generation.get(event_id, 0) + 1):
            xid = causes.get(generation)
            if xid is None or not view.sees(xid):
                return False
        return True

    async def latest(self, event_id: int) -> EventView | None:
        """The event's current view as its sockets would get it (a new read if it is
        stale), or None when no socket of the event has asked for one yet."""
        read = self._readers.get(event_id)
        if read is None and self.reader is None:
            return None
        return await self.get(event_id, read)

    async def get(self, event_id: int, read: Callable[[], Awaitable[EventView]] | None) -> EventView:
        if self.reader is not None:
            own = self.reader
            read = partial(own, event_id)
        assert read is not None, "given by the socket when the hub has no reader"
        self._readers.setdefault(event_id, read)
        need = self._generation.get(event_id, 0)
        current = self._current.get(event_id)
        if (
            current is not None
            and (current[0] >= need or self._sees_all(event_id, current))
            and not _failed(current[2])
            and time.monotonic() - current[1] <= MAX_AGE
        ):
            future = current[2]
        elif event_id in self._queued:
            future = self._queued[event_id]
        elif current is not None and not current[2].done():
            future = self._queued[event_id] = asyncio.ensure_future(self._after(event_id, current[2], read))
        elif (
            self.renew is not None
            and current is not None
            and not _failed(current[2])
            and (current[0] >= need or self._sees_all(event_id, current))
        ):
            # Nothing notified since: only the clock moved (a reconnect storm's first states,
            # an idle event's new sockets). Renewed, not read again in full.
            future = self._start(event_id, partial(self.renew, event_id, current[2].result()))
        else:
            future = self._start(event_id, read)
        # Shielded: one socket going away must not cancel the read the others wait for.
        return await asyncio.shield(future)

    def _start(self, event_id: int, read: Callable[[], Awaitable[EventView]]) -> asyncio.Future[EventView]:
        self._reads += 1
        future = asyncio.ensure_future(self._numbered(event_id, read, self._reads))
        began = self._generation.get(event_id, 0)
        self._current[event_id] = (began, time.monotonic(), future)
        causes = self._causes.get(event_id, {})
        for generation in [g for g in causes if g <= began]:  # seen by this read and any later
            del causes[generation]
        return future

    async def _numbered(self, event_id: int, read: Callable[[], Awaitable[EventView]], seq: int) -> EventView:
        view = await read()
        view.seq = seq
        if self.on_read is not None:
            self.on_read(event_id, view)
        return view

    async def _after(
        self, event_id: int, running: asyncio.Future[EventView], read: Callable[[], Awaitable[EventView]]
    ) -> EventView:
        await asyncio.wait([running])
        del self._queued[event_id]
        current = self._current.get(event_id)
        if (
            current is not None
            and current[2] is running
            and time.monotonic() - current[1] <= MAX_AGE
            and self._sees_all(event_id, current)
        ):
            return running.result()  # it saw every change notified while it ran
        return await self._start(event_id, read)


def _failed(future: asyncio.Future[EventView]) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)
