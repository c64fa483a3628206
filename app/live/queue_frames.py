"""The waiting candidates' places, told by one message that is the same for all of them.

Every waiting page shows its own place and estimated wait, so a change that moves the queue
would otherwise cost one state per waiting page: ten thousand states built, encoded and
written for one *Next*. Instead the hub (app/live/hub.py) sends every waiting socket of the
event the same `queue` message, encoded once, and each page works out its own place from it
(web/static/js/live/queue-place.js; the message: app/live/PROTOCOL.md):

- `left`: the places, in the previous order, of those no longer in the queue;
- `joined`: the places, in the new order, of those who came into it;
- `wait`: what the estimated waits are made of (rules.estimated_waits), or null.

Nothing in it names anyone: places and seconds only. It applies to a page whose state is
at version `prev` and takes it to `v` (the queue's version, counted per event by the hub).
Those who left or joined are not told by it: their own facts changed, so they get a state.

Pure functions, no I/O: the tests compare them (and the page's twin) with the database.
"""

from __future__ import annotations

import bisect
import heapq
import json
import math
import struct
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.live import rules

if TYPE_CHECKING:
    from app.live.event_view import EventView

# More places moved than this at once (a reconnect storm, many marked away together): a
# state for every waiting page rather than a long list for each to walk.
MAX_MOVES = 1000
# How many versions back a page may be and still catch up by the messages in between.
HISTORY = 32


@dataclass(frozen=True)
class QueueDelta:
    left: list[int]  # places (1 = next) in the old order of those not in the new one
    joined: list[int]  # places in the new order of those not in the old one

    def moves_anyone(self, old_length: int, new_length: int) -> bool:
        """Whether anyone in both orders has another place in the new one: not when the
        changes are all at the end of the queue (a check-in, a leave from the end)."""
        return self.left != list(
            range(old_length - len(self.left) + 1, old_length + 1)
        ) or self.joined != list(range(new_length - len(self.joined) + 1, new_length + 1))


def _agreeing(limit: int, same: Callable[[int, int], bool]) -> int:
    """The largest n <= limit for which same(0, n) holds, where same(a, b) tells whether the
    two orders agree over the a-th to the b-th entries counted from one end. Galloping
    (1, 2, 4, … entries at a time), then bisecting the last step: each comparison is of
    slices, in C, and the entries compared add up to about twice the answer, so a change at
    the head of ten thousand costs a few entries, and one at the end one pass."""
    low, step = 0, 1  # invariant: they agree over the first `low`
    while low < limit:
        high = min(limit, low + step)
        if not same(low, high):
            break
        low, step = high, step * 2
    else:
        return limit
    high -= 1  # they differ within [low, high]: the answer is in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if same(low, middle):
            low = middle
        else:
            high = middle - 1
    return low


def first_difference(old: list[int], new: list[int]) -> int:
    """The first index at which two orders differ (the shorter's length when one is the
    other's start)."""
    return _agreeing(min(len(old), len(new)), lambda a, b: old[a:b] == new[a:b])


def common_end(old: list[int], new: list[int], start: int) -> int:
    """How many entries at the end of the two orders are the same, not counting the first
    `start`."""
    o, n = len(old), len(new)
    return _agreeing(min(o, n) - start, lambda a, b: old[o - b : o - a] == new[n - b : n - a])


# Where two orders differ: the index it starts at, that part of the old, that part of the new.
Span = tuple[int, list[int], list[int]]


def changed_span(old: list[int], new: list[int]) -> Span:
    """Where two orders of unique ids differ: (the index it starts at, that part of the old,
    that part of the new). Before and after it they are the same, so whoever came or went
    is in it: a *Next* at the head of ten thousand costs the few entries it moved."""
    start = first_difference(old, new)
    end = common_end(old, new, start)
    return start, old[start : len(old) - end], new[start : len(new) - end]


def queue_delta(old: list[int], new: list[int], span: Span | None = None) -> QueueDelta | None:
    """What turns the order `old` into `new` (candidate ids, first = next), or None when it
    cannot be told by places alone: someone in both changed places relative to the others
    (left and came back between two reads), or more than MAX_MOVES places moved. `span`:
    changed_span(old, new) when the caller has it."""
    start, old_tail, new_tail = span or changed_span(old, new)
    in_new, in_old = set(new_tail), set(old_tail)
    left = [start + index for index, who in enumerate(old_tail, 1) if who not in in_new]
    joined = [start + index for index, who in enumerate(new_tail, 1) if who not in in_old]
    if len(left) + len(joined) > MAX_MOVES:
        return None
    if [who for who in old_tail if who in in_new] != [who for who in new_tail if who in in_old]:
        return None
    return QueueDelta(left, joined)


def place_after(position: int, left: list[int], joined: list[int]) -> int | None:
    """A place in the old order -> the same person's place in the new one (None: they are
    among those who left). `left` and `joined` ascending, as queue_delta makes them."""
    gone = bisect.bisect_left(left, position)
    if gone < len(left) and left[gone] == position:
        return None
    place = position - gone
    for arrived in joined:  # ascending: each one's place is final once those before are in
        if arrived > place:
            break
        place += 1
    return place


def wait_minutes_at(position: int, free_in: list[float], average_seconds: float) -> int | None:
    """The estimated wait shown at a place: what EventView.wait_at gives there."""
    return rules.round_minutes(rules.estimated_waits(position, free_in, average_seconds)[-1])


class Waits:
    """The estimated waits, in minutes, of one set of inputs (the seconds until each active
    interviewer is free, the mean interview), worked out place by place only as far as
    someone asks: a view's states need the places of this process's pages and the lobby's
    head, not all ten thousand, and views read with the same inputs share one (`waits_for`).
    The same steps as rules.estimated_waits, in the same order, so the same floats and the
    same minutes as the page's twin (web/static/js/live/queue-place.js)."""

    def __init__(self, free_in: list[float], average_seconds: float):
        self.key = (tuple(free_in), average_seconds)
        self._free_at = [max(0.0, float(seconds)) for seconds in free_in]
        heapq.heapify(self._free_at)
        self._average = average_seconds
        self._minutes: list[int | None] = []

    def upto(self, count: int) -> list[int | None]:
        """The waits of the first `count` places (a shorter list is never returned: the
        estimate goes on past the queue's end)."""
        minutes, free_at = self._minutes, self._free_at
        if len(minutes) < count:
            if not free_at:  # nobody active: no estimate anywhere
                minutes.extend([None] * (count - len(minutes)))
            else:
                pop, push, average = heapq.heappop, heapq.heappush, self._average
                for _ in range(count - len(minutes)):
                    soonest = pop(free_at)
                    minutes.append(math.ceil(soonest / 60))  # rules.round_minutes
                    push(free_at, soonest + average)
        return minutes

    def at(self, position: int) -> int | None:
        """The wait shown at a place (1 = next)."""
        return self.upto(position)[position - 1]


# The waits of the last few inputs seen by this process: while nobody's interview runs
# against the clock (interviewers free, offers open) every read has the same inputs.
_WAITS: dict[tuple[tuple[float, ...], float], Waits] = {}
WAITS_KEPT = 16


def waits_for(free_in: list[float], average_seconds: float) -> Waits:
    key = (tuple(free_in), average_seconds)
    waits = _WAITS.get(key)
    if waits is None:
        if len(_WAITS) >= WAITS_KEPT:
            del _WAITS[next(iter(_WAITS))]  # the oldest
        waits = _WAITS[key] = Waits(free_in, average_seconds)
    return waits


def first_wait_change(old: Waits, new: Waits, count: int) -> int | None:
    """The first place among the first `count` whose wait differs (None: none does),
    looked for in growing steps: when the inputs differ the minutes mostly differ near the
    head, and only a queue whose minutes all agree costs its whole length."""
    if old is new or count <= 0:
        return None
    start, step = 0, 32
    while start < count:
        end = min(count, start + step)
        old_part, new_part = old.upto(end)[start:end], new.upto(end)[start:end]
        if old_part != new_part:
            return start + next(i for i, (a, b) in enumerate(zip(old_part, new_part)) if a != b) + 1
        start, step = end, step * 2
    return None


def wait_message(free_in: list[float], average_seconds: float) -> dict[str, Any] | None:
    """The inputs of the estimated waits as the pages take them (PROTOCOL.md, "The queue
    message"): null while no interviewer is active."""
    if not free_in:
        return None
    return {"free_in": [_number(s) for s in free_in], "average": float(average_seconds)}


def _number(seconds: float) -> int | float:
    """A whole number of seconds (as queue.waits_from gives them) written without its ".0"."""
    value = float(seconds)
    return int(value) if value.is_integer() else value


def queue_frame(
    version: int, now: str, delta: QueueDelta, free_in: list[float], average_seconds: float
) -> bytes:
    """The `queue` message, encoded once for every waiting socket of the event."""
    message: dict[str, Any] = {
        "type": "queue",
        "v": version,
        "prev": version - 1,
        "now": now,
        "left": delta.left,
        "joined": delta.joined,
        "wait": wait_message(free_in, average_seconds),
    }
    return json.dumps(message, separators=(",", ":")).encode()


class QueueChain:
    """The queue's versions of one event as this process reads it. Every view read is
    compared with the read before it (reads of an event never overlap: event_view.EventViews)
    and stamped with the version it is at; the version goes up when the places or waits of
    those in both moved, with the `queue` message from the one before, or with none when no
    message can tell it (a reordering, a crowd, a new message or event state): then every
    page before it needs a whole state. Any state cut from a view carries its version, so a
    page is in step from its first state on, whoever's read that was."""

    def __init__(self) -> None:
        self.version = 0
        self.last: EventView | None = None
        self._frames: dict[int, bytes | None] = {}  # version -> the message reaching it
        # version -> the first place its message changes: a page before it keeps its place
        # and wait, and needs nothing (the first place a wait changed, or 1)
        self._firsts: dict[int, int] = {}
        # Whose own facts changed in the reads since the hub's last round (None: anyone's).
        # Every state of the event's sockets was cut from a read of this chain (the hub
        # makes it when the first socket subscribes, before its first state).
        self._own: set[int] | None = set()

    def read(self, view: EventView) -> None:
        before = self.last
        if before is not None and view.seq < before.seq:
            return  # an older read that finished late: its states get no version
        # The first read: no page has a state from before it, so nobody's changed.
        own: set[int] | None = set() if before is None else None
        frame: bytes | None = None
        moved, first = True, 1
        if before is not None:
            # Where the orders differ, worked out once for the three that ask (a walk over
            # the whole queue when the change is at its end, as a check-in's is).
            span = changed_span(before.order, view.order)
            view.positions_from(before, span)  # the round's sort asks every waiting socket's
        if before is not None and before.event == view.event and before.messages == view.messages:
            own = view.own_changes(before, span)
            delta = queue_delta(before.order, view.order, span)
            if delta is not None:
                staying = len(before.order) - len(delta.left)
                # The waits are compared only when what they are made of differs, and only
                # up to the first place they differ at: the pages before it keep theirs.
                waited = first_wait_change(before.waits, view.waits, staying)
                moved = waited is not None or delta.moves_anyone(len(before.order), len(view.order))
                first = min(delta.left[:1] + delta.joined[:1] + [waited or staying + 1], default=1)
                if moved:
                    frame = queue_frame(
                        self.version + 1, _iso(view), delta, view.free_in, view.average_seconds
                    )
        if moved:
            self.version += 1
            self._frames[self.version], self._firsts[self.version] = frame, first
            self._frames.pop(self.version - HISTORY, None)
            self._firsts.pop(self.version - HISTORY, None)
        self._own = None if own is None or self._own is None else self._own | own
        view.queue_version = self.version
        self.last = view

    def take_own(self) -> set[int] | None:
        """Whose own facts changed since the last call (None: anyone's may have)."""
        own, self._own = self._own, set()
        return own

    def messages(self, since: int | None, to: int) -> list[bytes] | None:
        """The messages taking a page at version `since` to `to`, in order; None when they
        cannot (no version, too far back, or a change no message tells in between)."""
        if since is None or not to - HISTORY < since <= to:
            return None
        frames = [self._frames.get(version) for version in range(since + 1, to + 1)]
        return None if None in frames else [frame for frame in frames if frame is not None]

    def first_moved(self, since: int, to: int) -> int:
        """The first place the messages from `since` to `to` change: a page before it has
        the same place and wait at `to` as at `since`."""
        return min((self._firsts.get(version, 1) for version in range(since + 1, to + 1)), default=1)


def wire_frames(payloads: list[bytes]) -> bytes:
    """The WebSocket text frames carrying `payloads`, as a server sends them (final, not
    masked, not compressed: RFC 6455, 5.2), built once for every socket they go to: each
    socket's write is then one call with the same bytes, with nothing framed per socket."""
    parts: list[bytes] = []
    for payload in payloads:
        size = len(payload)
        if size < 126:
            parts.append(struct.pack("!BB", 0x81, size))
        elif size < 65536:
            parts.append(struct.pack("!BBH", 0x81, 126, size))
        else:
            parts.append(struct.pack("!BBQ", 0x81, 127, size))
        parts.append(payload)
    return b"".join(parts)


def _iso(view: EventView) -> str:
    return view.now.isoformat()
