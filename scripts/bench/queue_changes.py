"""The app's own cost of a candidate's check-in and leave: python -m scripts.bench.queue_changes
[--waiting N] [--changes K] [--app-root PATH] [--reuse].

One event with N candidates waiting (seeded as scripts/bench-fanout does), in a throwaway
PostgreSQL. K times a candidate checks in at the end of the queue and leaves it again, as
the candidate's socket does it (app/live/actions.py: `check_in`, `leave`), on one connection.
Measured per check-in and per leave: the round trips to the database (statements, BEGIN and
COMMIT among them), this process's CPU time (time.process_time: the app's side, not the
database's) and the wall clock; beside, in the same run, K bare round trips (`SELECT 1`) on
the same connection, the least any statement costs.

With --app-root the same for another checkout's app (the code before a change, say).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def counting_connection() -> Any:
    """asyncpg's Connection, counting the round trips it makes."""
    import asyncpg

    class Counting(asyncpg.Connection):
        round_trips = 0

        async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
            if not args:  # (with arguments it goes through _execute, counted there)
                Counting.round_trips += 1
            return await super().execute(query, *args, timeout=timeout)

        async def _execute(self, *args: Any, **kwargs: Any) -> Any:
            Counting.round_trips += 1
            return await super()._execute(*args, **kwargs)

    return Counting


async def measure(args: argparse.Namespace, environ: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    import asyncpg

    from app.live import interviews, queue
    from app.settings import load_settings
    from scripts.bench.fanout import seed

    settings = load_settings(environ)
    counting = counting_connection()
    db = await asyncpg.connect(settings.database.url.get_secret_value(), connection_class=counting)
    try:
        (event,) = await seed(db, 1, args.waiting, args.changes, 3)

        async def check_in(candidate: int) -> None:
            await queue.check_in(db, candidate, settings.live)

        async def leave(candidate: int) -> None:
            # actions.leave of the app measured: one statement first where it has that
            if hasattr(queue, "left_waiting"):
                if await queue.left_waiting(db, candidate):
                    return
                await interviews.live_interview(db, candidate_id=candidate)
                await queue.leave(db, candidate, waiting_tried=True)
            else:
                await interviews.live_interview(db, candidate_id=candidate)
                await queue.leave(db, candidate)

        async def select_one(_: int) -> None:
            await db.fetchval("SELECT 1")

        spent: dict[str, list[tuple[int, float, float]]] = {
            "check-in": [],
            "leave": [],
            "baseline: SELECT 1": [],
        }

        async def timed(name: str, step: Callable[[int], Awaitable[None]], candidate: int) -> None:
            trips, cpu, wall = counting.round_trips, time.process_time(), time.perf_counter()
            await step(candidate)
            spent[name].append(
                (counting.round_trips - trips, time.process_time() - cpu, time.perf_counter() - wall)
            )

        for candidate, _ in event.spare[: args.changes]:
            await timed("check-in", check_in, candidate)
            await timed("leave", leave, candidate)
            await timed("baseline: SELECT 1", select_one, candidate)
        return {
            name: (
                statistics.mean(t for t, _, _ in rows),
                statistics.mean(c for _, c, _ in rows),
                statistics.median(w for _, _, w in rows),
            )
            for name, rows in spent.items()
        }
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.queue_changes", description=__doc__)
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--app-root", default=str(ROOT))
    parser.add_argument("--reuse", action="store_true", help="the stack the environment names")
    args = parser.parse_args()
    from scripts.bench.common import in_process

    before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    figures = in_process(args, partial(measure, args))
    after = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"A check-in and a leave, {args.waiting} waiting, {args.changes} each, the app of {args.app_root}")
    print(f"  machine load average before {before}, after {after}")
    base_cpu = figures["baseline: SELECT 1"][1]
    for name, (trips, cpu, wall) in figures.items():
        print(
            f"  {name:20s} {trips:5.1f} round trips  CPU {cpu * 1000:7.3f} ms ({cpu / base_cpu:4.1f}× a SELECT 1)"
            f"  wall p50 {wall * 1000:7.3f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
