"""Offers first: while a *Next* or *Pick* of this process is on its way to its offer, the
hub's rounds (every socket of an event told of a change, app/live/hub.py) give way to it.

A round lets the event loop go every few tenths of a millisecond, so a press's frame and its
statement's result wait only for that turn. But between its turns the round keeps working
while the press's statement is in the database, and on a machine whose cores the app shares
with PostgreSQL and the pages' own clients the round's work is what the statement waits
behind (BENCHMARKS.md, "Offers first"). A round that lets go while an offer is under way
therefore waits for it: at most GIVE_WAY_SECONDS at a time, and never longer in all than it
has itself worked, so a round takes at most twice its work however many presses come, and
the queue positions it carries are late by no more than that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter

# The longest a round waits for the offers under way before it takes another turn.
GIVE_WAY_SECONDS = 0.01


class OffersUnderWay:
    """The presses of this process between their frame and their answer (app/live/presses.py)."""

    def __init__(self) -> None:
        self._count = 0
        self._none = asyncio.Event()
        self._none.set()

    @property
    def any(self) -> bool:
        return self._count > 0

    @contextmanager
    def one(self) -> Iterator[None]:
        self._count += 1
        self._none.clear()
        try:
            yield
        finally:
            self._count -= 1
            if not self._count:
                self._none.set()

    async def until_none(self, at_most: float) -> None:
        """Until no offer is under way, or `at_most` seconds have passed."""
        if not self._count:
            return
        try:
            async with asyncio.timeout(at_most):
                await self._none.wait()
        except TimeoutError:
            pass


class RoundTurns:
    """A round's share of the event loop: it lets go once `turn_seconds` have passed since its
    turn began and, when an offer is under way, gives way to it (the module's docstring)."""

    __slots__ = ("_offers", "_turn_seconds", "_began", "_worked", "_waited")

    def __init__(self, offers: OffersUnderWay, turn_seconds: float):
        self._offers, self._turn_seconds = offers, turn_seconds
        self._began = perf_counter()
        self._worked = self._waited = 0.0

    async def let_go_when_due(self) -> None:
        now = perf_counter()
        if now - self._began < self._turn_seconds:
            return
        self._worked += now - self._began
        await asyncio.sleep(0)
        owed = self._worked - self._waited
        if self._offers.any and owed > 0:
            waiting_from = perf_counter()
            await self._offers.until_none(min(GIVE_WAY_SECONDS, owed))
            self._waited += perf_counter() - waiting_from
        self._began = perf_counter()
