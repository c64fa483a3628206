"""app/mail/batches.py: calls that wait while one runs go together in the next batch."""

from __future__ import annotations

import asyncio

import pytest

from app.mail.batches import Batched


class Recorder:
    def __init__(self, fail_on: int | None = None):
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.fail_on = fail_on

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(list(items))
        await self.release.wait()
        if self.fail_on in items:
            raise ValueError("the database refused")
        return [item * 10 for item in items]


async def test_calls_made_while_one_runs_go_together_in_the_next():
    run = Recorder()
    batched = Batched(run)
    first = asyncio.ensure_future(batched(1))
    await asyncio.sleep(0)  # the first batch is running: [1]
    rest = [asyncio.ensure_future(batched(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    run.release.set()
    assert await first == 10
    assert [await call for call in rest] == [20, 30, 40]
    assert run.batches == [[1], [2, 3, 4]]


async def test_an_error_goes_to_each_caller_of_its_batch_and_later_calls_still_run():
    run = Recorder(fail_on=2)
    batched = Batched(run)
    first = asyncio.ensure_future(batched(1))
    await asyncio.sleep(0)
    second, third = asyncio.ensure_future(batched(2)), asyncio.ensure_future(batched(3))
    await asyncio.sleep(0)
    run.release.set()
    assert await first == 10
    for call in (second, third):
        with pytest.raises(ValueError):
            await call
    assert await batched(5) == 50


async def test_a_cancelled_caller_does_not_cut_the_batch_that_carries_the_others():
    run = Recorder()
    batched = Batched(run)
    first = asyncio.ensure_future(batched(1))
    second = asyncio.ensure_future(batched(2))
    await asyncio.sleep(0)
    first.cancel()
    run.release.set()
    assert await second == 20
    await batched.close()
    assert run.batches == [[1, 2]]
