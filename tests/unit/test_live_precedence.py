"""The hub's rounds give way to the presses on their way to an offer (app/live/precedence.py),
and never for longer than they have worked themselves. The round's clock is the test's own:
its work and its waits are counted, not timed."""

from __future__ import annotations

import asyncio

import pytest

from app.live import precedence
from app.live.precedence import GIVE_WAY_SECONDS, OffersUnderWay, RoundTurns


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(precedence, "perf_counter", clock)
    return clock


class Endless(OffersUnderWay):
    """Offers always under way: every wait lasts as long as it is allowed to (on the
    test's clock), and each allowance is kept."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self.asked: list[float] = []

    @property
    def any(self) -> bool:
        return True

    async def until_none(self, at_most: float) -> None:
        self.asked.append(at_most)
        self.clock.now += at_most


async def test_a_round_with_no_offer_under_way_does_not_wait(clock: Clock):
    turns = RoundTurns(OffersUnderWay(), turn_seconds=0.001)
    clock.now += 0.005
    await turns.let_go_when_due()
    assert clock.now == 1000.005  # nothing waited on the round's clock


async def test_a_round_lets_go_only_when_its_turn_is_over(clock: Clock):
    offers = Endless(clock)
    turns = RoundTurns(offers, turn_seconds=0.001)
    clock.now += 0.0004
    await turns.let_go_when_due()
    assert offers.asked == []
    clock.now += 0.0007
    await turns.let_go_when_due()
    assert offers.asked == [pytest.approx(0.0011)]


async def test_a_round_waits_for_the_offer_under_way_and_goes_on_when_it_is_out(clock: Clock):
    offers = OffersUnderWay()
    order: list[str] = []

    async def press() -> None:
        with offers.one():
            await asyncio.sleep(0)  # the statement in the database
            await asyncio.sleep(0)
            order.append("offer")

    turns = RoundTurns(offers, turn_seconds=0.001)
    pressing = asyncio.create_task(press())
    await asyncio.sleep(0)  # the press is under way
    clock.now += 0.005  # the round's work
    await turns.let_go_when_due()
    order.append("the round's next turn")
    await pressing
    assert order == ["offer", "the round's next turn"]
    assert not offers.any


async def test_a_round_never_waits_longer_than_it_has_worked(clock: Clock):
    """Presses that never stop (every interviewer pressing at once, all day) make a round
    at most twice as long as its own work; they do not stop it."""
    offers = Endless(clock)
    turns = RoundTurns(offers, turn_seconds=0.0005)
    worked = 0.0
    for _ in range(50):
        clock.now += 0.001
        worked += 0.001
        await turns.let_go_when_due()
    assert offers.asked  # it did give way
    assert all(0 < asked <= GIVE_WAY_SECONDS for asked in offers.asked)
    assert sum(offers.asked) == pytest.approx(worked)


async def test_a_long_turn_gives_way_for_at_most_the_longest_wait(clock: Clock):
    offers = Endless(clock)
    turns = RoundTurns(offers, turn_seconds=0.0005)
    clock.now += 1.0  # one long state (a full collection, a slow socket)
    await turns.let_go_when_due()
    assert offers.asked == [GIVE_WAY_SECONDS]


async def test_offers_under_way_are_counted_until_the_last_is_out():
    offers = OffersUnderWay()
    with offers.one():
        with offers.one():
            assert offers.any
        assert offers.any
    assert not offers.any
    await asyncio.wait_for(offers.until_none(3600), 5)  # none under way: it does not wait


async def test_waiting_for_the_offers_ends_when_the_last_is_out():
    offers = OffersUnderWay()
    out = asyncio.Event()

    async def press() -> None:
        with offers.one():
            await out.wait()

    pressing = asyncio.create_task(press())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(offers.until_none(3600))
    await asyncio.sleep(0)
    assert not waiting.done()
    out.set()
    await asyncio.wait_for(waiting, 5)
    await pressing
