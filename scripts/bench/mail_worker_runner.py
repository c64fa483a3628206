"""`python -m scripts.bench.mail_worker_runner FILE`: `python -m app.mail` under cProfile,
counting CPU time (not the wall clock, which on a shared machine charges a call with the
time the process waited for a core), its stats written to FILE when the worker stops.
scripts/bench-registration runs it with BENCH_WORKER_PROFILE=FILE and --mail-worker process."""

from __future__ import annotations

import cProfile
import sys
import time

from app.mail.__main__ import main as worker_main


def main() -> int:
    profiler = cProfile.Profile(time.process_time)
    try:
        return profiler.runcall(worker_main)
    finally:
        profiler.dump_stats(sys.argv[1])


if __name__ == "__main__":
    sys.exit(main())
