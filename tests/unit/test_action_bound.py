"""The bound on a live action's database work (app/live/action_bound.py), without a
database: what is refused, what runs to its end, and that a refused action's connections
are closed. (Against PostgreSQL: tests/integration/test_live_action_bound.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from app.live import action_bound
from app.live.action_bound import ActionTooSlow, given_back, not_after, settled, taken, within_bound


class FakeConnection:
    """What the bound asks of a pooled connection: its backend's id, closed or not."""

    def __init__(self, pid: int):
        self.pid, self.closed = pid, False

    def get_server_pid(self) -> int:
        return self.pid

    def is_closed(self) -> bool:
        return self.closed

    def terminate(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def short_bound(monkeypatch):
    monkeypatch.setattr(action_bound, "ACTION_SECONDS", 0.05)
    monkeypatch.setattr(action_bound, "UNDO_SECONDS", 0.05)
    # As measured by no heartbeat: in one pytest run the app's tests beat before these, and
    # left the offset they read (tens of milliseconds on a busy machine).
    monkeypatch.setattr(action_bound, "_clock_ahead", 0.0)


async def test_a_quick_action_is_answered_as_it_is():
    async def quick():
        return "done"

    assert await within_bound(quick()) == "done"


async def test_an_action_holding_a_connection_past_the_bound_is_refused_and_its_connection_closed():
    connection = FakeConnection(7)
    cancelled = []

    async def hangs():
        await taken(connection)
        try:
            await asyncio.sleep(10)  # a statement the database does not answer
        except asyncio.CancelledError:
            cancelled.append(True)
            await asyncio.sleep(10)  # its rollback does not come either
            raise

    with pytest.raises(ActionTooSlow):
        await within_bound(hangs())
    assert cancelled == [True]
    assert connection.closed


async def test_an_action_that_gave_its_connection_back_runs_to_its_end():
    connection = FakeConnection(8)

    async def committed_then_slow():
        await taken(connection)
        given_back(connection)  # committed
        await asyncio.sleep(0.15)  # a Janus call after it
        return "joined"

    assert await within_bound(committed_then_slow()) == "joined"
    assert not connection.closed


async def test_an_action_whose_statement_was_anothers_runs_to_its_end_once_settled():
    async def batched_then_slow():
        settled()  # its press answered by another press's statement
        await asyncio.sleep(0.15)
        return "offered"

    assert await within_bound(batched_then_slow()) == "offered"


async def test_a_connection_given_back_outside_an_action_changes_nothing():
    given_back(FakeConnection(9))
    assert not_after() is None


async def test_an_action_knows_when_it_is_given_up_on():
    async def reads():
        return not_after()

    before = dt.datetime.now(dt.UTC)
    given_up_at = await within_bound(reads())
    assert before < given_up_at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.05)


async def test_the_moment_given_up_on_is_in_the_databases_time():
    """A database whose clock is ahead by a minute (another host, no NTP) would refuse every
    action at once if told the moment in this process's time."""
    asked = dt.datetime.now(dt.UTC)
    answered = asked + dt.timedelta(milliseconds=2)
    action_bound.database_clock_seen(asked + dt.timedelta(seconds=60, milliseconds=1), asked, answered)
    assert action_bound._clock_ahead == pytest.approx(60.0)

    async def reads():
        return not_after()

    given_up_at = await within_bound(reads())
    ahead = (given_up_at - dt.datetime.now(dt.UTC)).total_seconds()
    assert 59.9 < ahead <= 60.05


def test_a_clock_read_over_a_slow_round_trip_is_not_taken():
    """Read anywhere in a second's round trip (a busy event loop late to take the answer),
    the database's clock says little: the last good reading stays."""
    asked = dt.datetime.now(dt.UTC)
    action_bound.database_clock_seen(
        asked + dt.timedelta(seconds=2), asked, asked + dt.timedelta(milliseconds=4)
    )
    assert action_bound._clock_ahead == pytest.approx(2.0, abs=0.01)
    action_bound.database_clock_seen(asked, asked, asked + dt.timedelta(seconds=1))
    assert action_bound._clock_ahead == pytest.approx(2.0, abs=0.01)
