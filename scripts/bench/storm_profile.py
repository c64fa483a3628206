"""A BENCH_PATCH file (scripts/bench/app_runner.py) profiling a reconnect storm: the app's
CPU under cProfile (process time, not the wall clock) from its start until SIGUSR1, which
scripts/bench/fanout.py sends once every socket is back when BENCH_STORM_SIGNAL=10:

    BENCH_PATCH=scripts/bench/storm_profile.py BENCH_STORM_SIGNAL=10 \\
    STORM_PROFILE_OUT=/tmp/storm.prof scripts/bench-fanout --storm-only

The first app process is killed by the storm before it writes anything; the restarted one
writes the profile of the storm alone.
"""

import cProfile
import os
import signal
import time

_profile = cProfile.Profile(time.process_time)
_profile.enable()


def _stop(signum, frame) -> None:
    _profile.disable()
    _profile.dump_stats(os.environ.get("STORM_PROFILE_OUT", "/tmp/storm.prof"))


signal.signal(signal.SIGUSR1, _stop)
