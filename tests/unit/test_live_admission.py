"""The admission of sockets opening at once (app/live/arrivals.py, Admission): never more
than its limit between arrival and first state, the rest in the order they came, and no
slot lost to a release called twice or to a socket that stopped waiting."""

from __future__ import annotations

import asyncio

from app.live.arrivals import Admission


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_at_most_the_limit_at_once_the_rest_first_come_first_served():
    admission = Admission(3)
    order: list[int] = []
    releases: dict[int, asyncio.Event] = {n: asyncio.Event() for n in range(10)}

    async def socket(n: int) -> None:
        admitted = await admission.enter()
        order.append(n)
        await releases[n].wait()
        admitted.release()

    tasks = [asyncio.create_task(socket(n)) for n in range(10)]
    await _settle()
    assert order == [0, 1, 2] and admission.waiting == 7
    releases[1].set()
    await _settle()
    assert order == [0, 1, 2, 3]  # the freed slot went to the first that waited
    for n in (0, 2, 3, 4, 5, 6, 7, 8, 9):
        releases[n].set()
        await _settle()
    await asyncio.gather(*tasks)
    assert order == list(range(10))
    assert admission.most_admitted == 3 and admission.waited == 7
    assert admission.admitted == 0 and admission.waiting == 0


async def test_a_release_counts_once():
    admission = Admission(1)
    first = await admission.enter()
    second = asyncio.create_task(admission.enter())
    third = asyncio.create_task(admission.enter())
    await _settle()
    first.release()
    first.release()  # again (its first state made, then its handler's end): nothing more
    await _settle()
    assert second.done() and not third.done()
    (await second).release()
    (await third).release()
    assert admission.admitted == 0


async def test_a_socket_that_stops_waiting_takes_no_slot_with_it():
    admission = Admission(1)
    held = await admission.enter()
    gone = asyncio.create_task(admission.enter())
    after = asyncio.create_task(admission.enter())
    await _settle()
    gone.cancel()
    await _settle()
    assert admission.waiting == 1
    held.release()
    (await asyncio.wait_for(after, 1)).release()
    assert admission.admitted == 0


async def test_a_slot_handed_to_a_socket_as_it_is_cancelled_goes_to_the_next():
    admission = Admission(1)
    held = await admission.enter()
    unlucky = asyncio.create_task(admission.enter())
    after = asyncio.create_task(admission.enter())
    await _settle()
    held.release()  # the slot is handed to `unlucky`, which is cancelled before it runs
    unlucky.cancel()
    await _settle()
    assert unlucky.cancelled()
    (await asyncio.wait_for(after, 1)).release()
    assert admission.admitted == 0
