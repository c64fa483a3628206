"""The admission of sockets opening at once (app/live/arrivals.py, Admission): never more
than its limit between arrival and first state, the rest in the order they came, and no
slot lost to a release called twice or to a socket that stopped waiting; the garbage
collector's full collections put off while sockets wait, its thresholds as they were after."""

from __future__ import annotations

import asyncio
import gc

from app.live import arrivals
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


async def test_full_collections_are_put_off_while_sockets_wait_and_come_back_after():
    before = gc.get_threshold()
    admission = Admission(1)
    held = await admission.enter()
    assert gc.get_threshold() == before  # nobody waits: no storm
    waiting = [asyncio.create_task(admission.enter()) for _ in range(3)]
    await _settle()
    assert gc.get_threshold() == (*before[:2], arrivals.YOUNG_COLLECTIONS_BEFORE_A_FULL_ONE)
    held.release()
    for task in waiting:
        (await task).release()
    assert gc.get_threshold() == before


async def test_a_storm_longer_than_the_put_off_gets_its_full_collections_back(monkeypatch):
    monkeypatch.setattr(arrivals, "FULL_COLLECTIONS_PUT_OFF_AT_MOST", 1.0)
    before = gc.get_threshold()
    admission = Admission(1)
    held = await admission.enter()
    first = asyncio.create_task(admission.enter())
    await _settle()
    assert gc.get_threshold()[2] == arrivals.YOUNG_COLLECTIONS_BEFORE_A_FULL_ONE
    await asyncio.sleep(1.5)
    assert gc.get_threshold() == before  # lifted by the clock, with no new arrival
    later = [asyncio.create_task(admission.enter()) for _ in range(2)]
    await _settle()
    assert gc.get_threshold() == before  # and not put off again by the next
    held.release()
    for task in [first, *later]:
        (await task).release()
    assert gc.get_threshold() == before


async def test_two_storms_in_one_process_put_back_the_thresholds_once_both_are_over():
    before = gc.get_threshold()
    first, second = Admission(1), Admission(1)
    held = [await first.enter(), await second.enter()]
    waiting = [asyncio.create_task(first.enter()), asyncio.create_task(second.enter())]
    await _settle()
    held[0].release()
    (await waiting[0]).release()  # the first storm is over, the second goes on
    assert gc.get_threshold()[2] == arrivals.YOUNG_COLLECTIONS_BEFORE_A_FULL_ONE
    held[1].release()
    (await waiting[1]).release()
    assert gc.get_threshold() == before
