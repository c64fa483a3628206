"""A BENCH_PATCH for the app under a benchmark (scripts/bench/app_runner.py): every garbage
collection of the app's process that pauses it for more than 20 ms is written to its log
(stderr, so --app-log of scripts/bench-fanout) with the time of day, its generation, how
long it took and the CPU it took (on a loaded machine the rest is the process waiting for a
core), and how many objects are frozen (app/gc_tuning.py), to be laid beside the
benchmark's phases:

    BENCH_PATCH=scripts/bench/fanout_gc_patch.py scripts/bench-fanout --no-storm

A full collection (generation 2) walks every object of the process: with ten thousand
sockets it is what /healthz's worst and a *Next*'s slowest page wait for (BENCHMARKS.md).
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

REPORTED = 0.02  # seconds
_started: list[float] = [0.0, 0.0]


def _timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[:] = [time.perf_counter(), time.thread_time()]
        return
    took = time.perf_counter() - _started[0]
    cpu = time.thread_time() - _started[1]
    if took > REPORTED:
        # Frozen: objects the collector no longer walks (app/gc_tuning.py), counted after a
        # full collection only: the count walks them all, a cost of its own.
        frozen = f", {gc.get_freeze_count()} frozen" if info["generation"] == 2 else ""
        print(
            f"gc pause {time.strftime('%H:%M:%S')} generation {info['generation']} "
            f"{took * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU), {info['collected']} collected{frozen}",
            file=sys.stderr,
            flush=True,
        )


gc.callbacks.append(_timed)


def _report_thaws() -> None:
    """Each thaw of app/gc_tuning.py (where the app has it), with the sockets' counts."""
    try:
        from app import gc_tuning
    except ImportError:
        return
    tick = gc_tuning.Collector.tick

    def reported(collector: Any) -> str:
        done = tick(collector)
        if done == "thaw":
            opened, closed = collector._counts()
            print(
                f"gc thaw {time.strftime('%H:%M:%S')}: {opened} sockets opened, {closed} closed",
                file=sys.stderr,
                flush=True,
            )
        return done

    setattr(gc_tuning.Collector, "tick", reported)  # noqa: B010 (a method replaced from outside)


_report_thaws()
