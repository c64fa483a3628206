"""A loop that waits with a time-out ends when it is cancelled, even when what it waits for
comes in the same turn of the event loop as the cancel (at a process's stop: the Janus
connections close, which is a change the reconciler waits for, as its task is cancelled).
Python 3.11's `asyncio.wait_for` returned the result then and dropped the cancel, and the
loop ran on: the app's stop waited for it forever. `asyncio.timeout` keeps it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from app.live.reconciler import _reconcile_forever


class QuietReconciler:
    def __init__(self) -> None:
        self.janus = SimpleNamespace(connections={}, changed=asyncio.Event())
        self.rounds = 0

    async def run_once(self) -> None:
        self.rounds += 1

    def next_loss_in(self) -> float | None:
        return None


async def test_a_cancel_that_comes_with_the_change_it_waits_for_ends_the_reconciler():
    reconciler = QuietReconciler()
    task = asyncio.create_task(_reconcile_forever(reconciler, interval=30.0))
    while reconciler.rounds == 0:
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)  # waiting for a change now
    reconciler.janus.changed.set()  # in the same turn: the change and the stop
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2.0)
