"""The garbage collector frozen as sockets are admitted and thawed once they have closed
(app/gc_tuning.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from app.gc_tuning import THAW_FEW_SECONDS, THAW_IDLE_SECONDS, THAW_MIN, Collector


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def counts() -> Iterator[list[int]]:
    """[opened, closed]; nothing left frozen afterwards."""
    try:
        yield [0, 0]
    finally:
        gc.unfreeze()


def thawed_again(collector: Collector) -> bool:
    """One more thaw, for a thaw whose collection did not run. Once in a whole run of the
    suite (after 3,000 tests) the first thaw left the cycle; the likely cause: `gc.collect()`
    returns at once while a collection is under way in another thread (CPython's), and the
    suite's process has threads (PDF renders, password hashing). The next thaw takes it."""
    return collector.tick() == "thaw"


def test_start_freezes_what_is_there(counts):
    Collector(lambda: (counts[0], counts[1])).start()
    assert gc.get_freeze_count() > 0


def test_each_tick_freezes_what_survived_since(counts):
    collector = Collector(lambda: (counts[0], counts[1]))
    collector.start()
    cycle = Cycle()
    alive = weakref.ref(cycle)
    counts[0] = 500
    assert collector.tick() == "freeze"
    del cycle
    gc.collect()
    assert alive() is not None, "a frozen cycle is not walked by a full collection"
    young = Cycle()
    young_alive = weakref.ref(young)
    del young
    assert collector.tick() == "freeze"
    assert young_alive() is None, "young garbage is collected, not frozen"


def test_a_process_that_shed_half_its_sockets_collects_what_was_frozen(counts):
    collector = Collector(lambda: (counts[0], counts[1]))
    collector.start()
    cycle = Cycle()
    alive = weakref.ref(cycle)
    counts[0] = 2 * THAW_MIN + 2
    assert collector.tick() == "freeze"
    del cycle
    counts[1] = THAW_MIN  # more open than closed: not yet
    assert collector.tick() == "freeze"
    assert alive() is not None
    counts[1] = THAW_MIN + 1  # as many closed as open
    assert collector.tick() == "thaw"
    if alive() is not None:  # (see thawed_again)
        counts[1] += THAW_MIN + 1
        assert thawed_again(collector)
    assert alive() is None
    assert gc.get_freeze_count() > 0, "frozen again after the collection"
    assert collector.tick() == "freeze"


def test_a_process_holding_no_socket_thaws_every_minute(counts):
    """A page request's cycles frozen at a tick are collected within a minute between
    events (its heap is small, the thaw short, and no page waits for it)."""
    now = [0.0]
    collector = Collector(lambda: (counts[0], counts[1]), clock=lambda: now[0])
    collector.start()
    cycle = Cycle()
    alive = weakref.ref(cycle)
    counts[0] = counts[1] = THAW_MIN - 1  # all of them closed again
    assert collector.tick() == "freeze"
    del cycle
    now[0] = THAW_IDLE_SECONDS - 1
    assert collector.tick() == "freeze"
    assert alive() is not None
    now[0] = THAW_IDLE_SECONDS
    assert collector.tick() == "thaw"
    if alive() is not None:  # (see thawed_again)
        now[0] += THAW_IDLE_SECONDS
        assert thawed_again(collector)
    assert alive() is None
    assert collector.tick() == "freeze", "the next a minute later"


def test_a_process_holding_some_sockets_thaws_every_ten_minutes(counts):
    """A small event's pages feel a thaw's pause: while some sockets are open, the clock
    thaws ten times less often than between events."""
    now = [0.0]
    collector = Collector(lambda: (counts[0], counts[1]), clock=lambda: now[0])
    collector.start()
    counts[0] = 1
    now[0] = THAW_IDLE_SECONDS
    assert collector.tick() == "freeze"
    now[0] = THAW_FEW_SECONDS - 1
    assert collector.tick() == "freeze"
    now[0] = THAW_FEW_SECONDS
    assert collector.tick() == "thaw"
    counts[1] = 1  # the event over, its last page gone: every minute again
    now[0] += THAW_IDLE_SECONDS - 1
    assert collector.tick() == "freeze"
    now[0] += 1
    assert collector.tick() == "thaw"


def test_a_process_holding_many_sockets_does_not_thaw_by_the_clock(counts):
    now = [0.0]
    collector = Collector(lambda: (counts[0], counts[1]), clock=lambda: now[0])
    collector.start()
    counts[0] = THAW_MIN
    now[0] = 10 * THAW_IDLE_SECONDS
    assert collector.tick() == "freeze"
