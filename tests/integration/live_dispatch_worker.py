"""The second application process of the concurrency test (test_live_concurrency.py).

Run as `python -m tests.integration.live_dispatch_worker` with the stack's environment. It
reads the interviewer ids as JSON from stdin, opens its own database pool and Janus
connections, says "ready", waits for "go", presses *Next* for every interviewer at once
and prints each outcome as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys

import asyncpg

from app.janus.pool import JanusPool
from app.live import dispatch
from app.live.errors import LiveError
from app.settings import load_settings


async def press_next(pool, rooms, settings, interviewer_id: int) -> dict:
    try:
        got = await dispatch.next_candidate(pool, rooms, settings, interviewer_id)
    except LiveError as error:
        return {"interviewer": interviewer_id, "error": error.code}
    return {"interviewer": interviewer_id, "candidate": None if got is None else got.offer.candidate_id}


async def main() -> None:
    interviewers = json.loads(sys.stdin.readline())
    settings = load_settings()
    pool = await asyncpg.create_pool(
        settings.database.url.get_secret_value(), min_size=len(interviewers), max_size=len(interviewers)
    )
    rooms = JanusPool(settings.janus)
    rooms.start()
    try:
        for connection in rooms.connections.values():
            await connection.wait_ready(20)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        results = await asyncio.gather(*(press_next(pool, rooms, settings, i) for i in interviewers))
        print(json.dumps(results), flush=True)
    finally:
        await rooms.stop()
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
