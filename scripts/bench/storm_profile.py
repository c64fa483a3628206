"""A BENCH_PATCH file (scripts/bench/app_runner.py) profiling a reconnect storm: the app's
CPU under cProfile (process time, not the wall clock) from its start until SIGUSR1, which
scripts/bench/fanout.py sends once every socket is back when BENCH_STORM_SIGNAL=10:

    BENCH_PATCH=scripts/bench/storm_profile.py BENCH_STORM_SIGNAL=10 \\
    STORM_PROFILE_OUT=/tmp/storm.prof scripts/bench-fanout --storm-only

The first app process is killed by the storm before it writes anything; the restarted one
writes the profile of the storm alone, and beside it (`.gc.json`) the garbage collector's
collections per generation and their CPU seconds. A collection runs inside whatever
allocated last, so the profile spreads its time over unrelated functions; that file says
how much of the whole it was. STORM_PROFILE_OUT=-: the collections only, no cProfile (whose
overhead per Python call inflates everything else).
"""

import cProfile
import gc
import json
import os
import signal
import time

_out = os.environ.get("STORM_PROFILE_OUT", "/tmp/storm.prof")
_profile = None if _out == "-" else cProfile.Profile(time.process_time)
_counts = [0, 0, 0]
_cpu_seconds = [0.0, 0.0, 0.0]
_began = [0.0]


def _timed(phase: str, info: dict) -> None:
    if phase == "start":
        _began[0] = time.process_time()
        return
    generation = info["generation"]
    _counts[generation] += 1
    _cpu_seconds[generation] += time.process_time() - _began[0]


def _stop(signum, frame) -> None:
    collections = {"count": _counts, "cpu_seconds": _cpu_seconds, "process_cpu_seconds": time.process_time()}
    gc.callbacks.remove(_timed)
    if _profile is not None:
        _profile.disable()
        _profile.dump_stats(_out)
    with open(("/tmp/storm" if _out == "-" else _out) + ".gc.json", "w") as handle:
        json.dump(collections, handle)


gc.callbacks.append(_timed)
if _profile is not None:
    _profile.enable()
signal.signal(signal.SIGUSR1, _stop)
