"""`python -m scripts.bench.failover_baseline_app`: the app with its reaction to a lost or
returning Janus switched off from outside, so only the periodic reconciler rounds act: the
baseline of scripts/bench-failover (how the control plane behaved before it reacted)."""

import runpy

from app.janus.connection import JanusConnection

JanusConnection._changed = lambda self: None  # type: ignore[method-assign]  # switched off on purpose
runpy.run_module("app", run_name="__main__")
