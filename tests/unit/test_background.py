"""app/background.py: work started and not awaited is held until done, and a failure is
logged by its type only."""

from __future__ import annotations

import asyncio
import gc
import logging

from app.background import Background


async def test_a_started_task_is_held_until_it_is_done():
    background = Background("test-work")
    finished = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0.01)
        gc.collect()  # nobody but the set holds the task meanwhile
        finished.set()

    background.start(work())
    assert len(background) == 1
    gc.collect()
    await asyncio.wait_for(finished.wait(), 1)
    await background.wait()
    assert len(background) == 0


async def test_a_failure_is_logged_by_its_type_only(caplog):
    background = Background("test-push", logging.getLogger("test.background"))

    async def failing() -> None:
        raise ConnectionError("postgresql://user:secret@db/app")

    with caplog.at_level(logging.WARNING, "test.background"):
        background.start(failing())
        await background.wait()
        await asyncio.sleep(0)  # the done callbacks run
    assert [record.getMessage() for record in caplog.records] == ["test-push failed: ConnectionError"]
    assert "secret" not in caplog.text


async def test_cancel_stops_what_is_under_way():
    background = Background("test-wait")
    task = background.start(asyncio.sleep(60))
    background.cancel()
    await background.wait()
    assert task.cancelled() and len(background) == 0
