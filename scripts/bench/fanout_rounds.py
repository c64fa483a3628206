"""The fan-out's own work per change, without sockets or a database: python -m
scripts.bench.fanout_rounds [--waiting N] [--changes K] [--app-root PATH].

What the hub (app/live/hub.py) does in the app's process for each change of an event with N
waiting, measured in CPU time (time.process_time, so that a machine shared with other work
charges less of its waiting to the figure than a wall clock would):

1. `QueueChain.read` of a new view (app/live/queue_frames.py): whose own facts changed
   (EventView.own_changes) and the `queue` message, for a check-in or a leave at the end of
   the queue (`tail`), the head of the queue taken by a *Next* (`next`), and a leave from
   the middle (`middle`);
2. a round of the hub with N waiting sockets, none of which needs anything (a change at the
   end of the queue): what it costs to tell that apart.

The baseline, measured in the same run: one pass over the N sockets reading one attribute,
and one set of the N candidate ids made, the least any work per socket or per candidate can
cost in Python. With --app-root the same is measured for another checkout's app (the code
before a change, say), its modules imported instead of these.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def make_view(event_view: Any, order: list[int], seq: int) -> Any:
    head = [{"candidate_id": c, "name": f"Kandidat {c}", "waiting_since": NOW} for c in order[:30]]
    counts = {"registered": len(order), "checked_in": len(order), "waiting": len(order)}
    return event_view.EventView(
        NOW,
        {"state": "live", "ends_at": None},
        list(order),
        {},  # nobody checked in is outside the order
        head,
        counts,
        [0.0, 0.0, 0.0],
        600.0,
        [],
        {},
        set(),
        [],
        seq=seq,
    )


def orders(kind: str, waiting: int, changes: int) -> list[list[int]]:
    """The queue's order after each change: a check-in then a leave at the end (`tail`), the
    head taken then given back (`next`), someone in the middle leaving and coming back at
    the end (`middle`)."""
    base = list(range(1, waiting + 1))
    made = []
    for n in range(changes):
        if kind == "tail":
            made.append(base + [waiting + 1] if n % 2 == 0 else base)
        elif kind == "next":
            made.append(base[1:] if n % 2 == 0 else base)
        else:
            middle = waiting // 2
            made.append(base[:middle] + base[middle + 1 :] if n % 2 == 0 else base)
    return made


class Page:
    """A waiting candidate's socket as the hub sees it."""

    notice: Callable[[dict[str, Any]], Awaitable[None]] | None = None
    _sent = 0

    def __init__(self, candidate: int, version: int | None):
        self.who = ("candidate", candidate)
        self.queue_version = version

    async def refresh(self, only_if_changed: bool = False, view: Any = None) -> None:
        return None

    def post(self, message: dict[str, Any]) -> None:
        return None

    def write_shared(self, frames: list[bytes], wire: bytes, number: int, version: int) -> bool:
        self.queue_version = version
        return True


def cpu_ms(work: Any, times: int) -> float:
    started = time.process_time()
    for _ in range(times):
        work()
    return (time.process_time() - started) / times * 1000


def measure(args: argparse.Namespace) -> dict[str, float]:
    from app.live import event_view, hub, queue_frames

    figures = {}
    for kind in ("tail", "next", "middle"):
        views = [
            make_view(event_view, order, seq)
            for seq, order in enumerate(orders(kind, args.waiting, args.changes), 1)
        ]
        chain = queue_frames.QueueChain()
        chain.read(views[0])
        started = time.process_time()
        for view in views[1:]:
            chain.read(view)
            chain.take_own()
        figures[f"QueueChain.read, {kind}"] = (time.process_time() - started) / (len(views) - 1) * 1000

    last = make_view(event_view, list(range(1, args.waiting + 1)), 1)
    chain = queue_frames.QueueChain()
    chain.read(last)
    pages = [Page(c, last.queue_version) for c in range(1, args.waiting + 1)]

    async def rounds() -> float:
        live = hub.Hub("postgresql://unused")
        for page in pages:
            await live.subscribe(1, page)

        async def latest(event_id: int) -> Any:
            return last

        live.views.latest = latest  # type: ignore[method-assign]  # no database here
        live._chains[1] = chain
        started = time.process_time()
        for _ in range(args.changes):
            await live.refresh(1)
        return (time.process_time() - started) / args.changes * 1000

    figures["hub round, nobody moved"] = asyncio.run(rounds())
    figures["baseline: one pass over the sockets"] = cpu_ms(
        lambda: sum(1 for page in pages if page.queue_version is None), args.changes
    )
    ids = last.order
    figures["baseline: a set of the candidate ids"] = cpu_ms(lambda: set(ids), args.changes)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.fanout_rounds", description=__doc__)
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--app-root", default=str(Path(__file__).resolve().parents[2]))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.app_root).resolve()))
    figures = measure(args)
    baseline = figures["baseline: one pass over the sockets"]
    print(f"The fan-out's own work per change, {args.waiting} waiting, the app of {args.app_root}")
    for name, ms in figures.items():
        print(f"  {name:44s} {ms:8.3f} ms CPU ({ms / baseline:5.1f}× one pass over the sockets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
