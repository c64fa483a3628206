"""The presses of *Next* and *Pick* that come together (app/live/presses.py): one statement
for many presses, each candidate to one interviewer across processes, each press answered
on its own, each offer told at once (once on the socket: test_live_dispatch_path.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

import asyncpg
import asyncpg.connection

from app.live import queue
from app.live.errors import LiveError
from app.live.presses import SENDERS, Presses
from app.live.urgent_pool import UrgentFirst
from tests.integration.live_support import assert_invariants, make_live_event


class Told:
    """The offers a Presses told at once: candidate -> their notifications."""

    def __init__(self) -> None:
        self.offers: dict[int, list[dict[str, Any]]] = {}

    async def __call__(self, candidate_id: int, named: dict[str, Any]) -> None:
        self.offers.setdefault(candidate_id, []).append(named)


async def _pools(dsn: str) -> tuple[asyncpg.Pool, asyncpg.Pool]:
    return await asyncpg.create_pool(dsn, min_size=1, max_size=2), await asyncpg.create_pool(
        dsn, min_size=1, max_size=2
    )


async def _outcome(presses: Presses, interviewer_id: int, candidate_id: int | None = None) -> Any:
    try:
        return await presses.dispatch(interviewer_id, candidate_id)
    except LiveError as refused:
        return refused.code


async def test_sixty_presses_at_once_in_two_processes_each_candidate_once(db, stack, settings, monkeypatch):
    event = await make_live_event(db, interviewers=60, candidates=40)
    for candidate_id in event.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    statements = Counter()
    fetch = asyncpg.connection.Connection.fetch

    async def counted(self, query, *args, **kwargs):
        if "live_dispatch_many(" in query:
            statements[id(self)] += 1
        return await fetch(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.connection.Connection, "fetch", counted)
    dsn = stack.environ["DATABASE_URL"]
    (urgent_a, main_a), (urgent_b, main_b) = await _pools(dsn), await _pools(dsn)
    told_a, told_b = Told(), Told()
    # Two processes, as far as the database can tell: their own connections and presses.
    a = Presses(UrgentFirst(urgent_a, main_a), settings.live, None, told_a)
    b = Presses(UrgentFirst(urgent_b, main_b), settings.live, None, told_b)
    try:
        here, there = event.interviewers[::2], event.interviewers[1::2]
        results = await asyncio.gather(*(_outcome(a, i) for i in here), *(_outcome(b, i) for i in there))
    finally:
        for pool in (urgent_a, main_a, urgent_b, main_b):
            await pool.close()

    assert not [r for r in results if isinstance(r, str)], results
    offers = [r for r in results if r is not None]
    assert Counter(o.candidate_id for o in offers) == Counter(event.candidates)  # each once
    assert sum(r is None for r in results) == 20
    assert {o.interviewer_id for o in offers} <= set(event.interviewers)
    # Sent together: thirty presses each side, far fewer statements.
    assert 2 <= sum(statements.values()) < 20, statements
    told = {**told_a.offers, **told_b.offers}
    assert sorted(told) == sorted(o.candidate_id for o in offers)
    for offer in offers:
        (named,) = told[offer.candidate_id]
        assert (named["kind"], named["interview"], named["interviewer"]) == (
            "offer",
            offer.interview_id,
            offer.interviewer_id,
        )
        expires = await db.fetchval(
            "SELECT offer_expires_at FROM interview WHERE id = $1", offer.interview_id
        )
        assert dt.datetime.fromisoformat(named["expires_at"]) == expires
    await assert_invariants(db, event.id)


async def test_presses_in_one_statement_are_answered_each_on_its_own(db, stack, settings):
    event = await make_live_event(db, interviewers=SENDERS + 2, candidates=SENDERS + 2)
    waiting = event.candidates[: SENDERS + 1]
    for candidate_id in waiting:
        await queue.check_in(db, candidate_id, settings.live)
    (urgent, main) = await _pools(stack.environ["DATABASE_URL"])
    presses = Presses(UrgentFirst(urgent, main), settings.live, None, Told())
    *alone, first, second = event.interviewers
    try:
        # The first SENDERS presses go alone; the three that come meanwhile in one statement.
        results = await asyncio.gather(
            *(_outcome(presses, i) for i in alone),
            _outcome(presses, first),
            _outcome(presses, first),  # the same interviewer twice (two tabs)
            _outcome(presses, second, event.candidates[-1]),  # picked, not checked in
        )
    finally:
        await urgent.close()
        await main.close()
    assert sorted(r for r in results if isinstance(r, str)) == ["candidate_not_waiting", "interviewer_busy"]
    offers = [r for r in results if not isinstance(r, str)]
    assert sorted(o.candidate_id for o in offers) == sorted(waiting)
    assert sorted(o.interviewer_id for o in offers) == sorted([*alone, first])
    await assert_invariants(db, event.id)


async def test_a_press_cancelled_while_its_offer_is_told_gives_its_connection_back(db, stack, settings):
    """A process stopping cancels a socket's task while its press tells the candidate of
    the offer: the press is still answered (the offer exists) and the connection it took
    goes back to its pool, so that the pool's close does not wait for it for ever."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await queue.check_in(db, event.candidates[0], settings.live)
    telling, never = asyncio.Event(), asyncio.Event()

    async def tell_and_hang(candidate_id: int, named: dict[str, Any]) -> None:
        telling.set()
        await never.wait()

    (urgent, main) = await _pools(stack.environ["DATABASE_URL"])
    presses = Presses(UrgentFirst(urgent, main), settings.live, None, tell_and_hang)
    try:
        press = asyncio.create_task(presses.dispatch(event.interviewers[0]))
        await asyncio.wait_for(telling.wait(), 10)
        press.cancel()
        await asyncio.gather(press, return_exceptions=True)
        for _ in range(100):  # given back in a task of its own
            if urgent.get_idle_size() == urgent.get_size() and main.get_idle_size() == main.get_size():
                break
            await asyncio.sleep(0.05)
        assert (urgent.get_idle_size(), main.get_idle_size()) == (urgent.get_size(), main.get_size())
        offered = await db.fetchval(
            "SELECT count(*) FROM interview WHERE interviewer_id = $1 AND state = 'offered'",
            event.interviewers[0],
        )
        assert offered == 1
    finally:
        await asyncio.wait_for(urgent.close(), 10)
        await asyncio.wait_for(main.close(), 10)
