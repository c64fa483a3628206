"""A BENCH_PATCH for the app under a benchmark (scripts/bench/app_runner.py): every garbage
collection of the app's process that pauses it for more than 20 ms is written to its log
(stderr, so --app-log of scripts/bench-fanout) with the time of day, its generation and how
long it took, to be laid beside the benchmark's phases:

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
_started: list[float] = [0.0]


def _timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    took = time.perf_counter() - _started[0]
    if took > REPORTED:
        # Frozen: objects the collector no longer walks (app/gc_tuning.py), counted after.
        print(
            f"gc pause {time.strftime('%H:%M:%S')} generation {info['generation']} "
            f"{took * 1000:.0f} ms, {info['collected']} collected, {gc.get_freeze_count()} frozen",
            file=sys.stderr,
            flush=True,
        )


gc.callbacks.append(_timed)
