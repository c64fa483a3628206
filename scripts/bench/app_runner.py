"""`python -m scripts.bench.app_runner`: the app as `python -m app` runs it, plus what a
benchmark asks for by environment variable. Nothing in app/ is changed: functions are
wrapped from outside, by name, before the app starts.

BENCH_SPANS_FILE  timing spans around the steps of a dispatch and of the fan-out, written
                  as JSON {"span name": [seconds, ...]} when the app stops
BENCH_PROFILE     run under cProfile and write its stats there
BENCH_PAGES       a folder served at /bench-pages/ (the pages of scripts/bench-join)
BENCH_PATCH       a Python file run first: to try a change to the app without editing app/
"""
from __future__ import annotations

import atexit
import functools
import json
import os
import sys
import time
from collections import defaultdict

SPANS: dict[str, list[float]] = defaultdict(list)


def timed(owner, attribute: str, name: str) -> None:
    original = getattr(owner, attribute)

    @functools.wraps(original)
    async def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            SPANS[name].append(time.perf_counter() - started)

    setattr(owner, attribute, wrapper)


def instrument() -> None:
    """Spans around whatever of these the app has (app/live changes; a name it no longer
    has is skipped)."""
    import importlib

    wanted = [
        ("app.live.dispatch", "_dispatch", "dispatch transaction (locked, incl. pool wait)"),
        ("app.janus.pool", "JanusPool.create_private_room", "Janus room creation"),
        ("app.live.dispatch", "attach_room", "attach room + NOTIFY offer"),
        ("app.live.dispatch", "next_candidate", "next_candidate total"),
        ("app.live.hub", "Hub.refresh", "hub refresh (every socket of the event)"),
        ("asyncpg.pool", "Pool._acquire", "pool acquire wait"),
        ("app.views.live_sockets", "read_event_view", "event view read (shared per change)"),
        ("app.views.live_sockets", "candidate_state", "candidate snapshot"),
        ("app.views.live_sockets", "interviewer_state", "interviewer snapshot"),
    ]
    for module_name, dotted, name in wanted:
        owner = importlib.import_module(module_name)
        *path, attribute = dotted.split(".")
        for part in path:
            owner = getattr(owner, part)
        if hasattr(owner, attribute):
            timed(owner, attribute, name)


def serve_pages(folder: str) -> None:
    import app.application
    create_app = app.application.create_app

    def with_pages(settings):
        application = create_app(settings)
        application.router.add_static("/bench-pages", folder)
        return application

    app.application.create_app = with_pages  # app.__main__ imports it when it runs


def main() -> int:
    path = os.environ.get("BENCH_SPANS_FILE")
    if path:
        def write() -> None:
            with open(path, "w") as handle:
                json.dump(SPANS, handle)

        atexit.register(write)
        instrument()
    if os.environ.get("BENCH_PATCH"):
        import runpy
        runpy.run_path(os.environ["BENCH_PATCH"])
    if os.environ.get("BENCH_PAGES"):
        serve_pages(os.environ["BENCH_PAGES"])
    from app.__main__ import main as app_main
    profile_path = os.environ.get("BENCH_PROFILE")
    if not profile_path:
        return app_main([])
    import cProfile
    profiler = cProfile.Profile()
    try:
        return profiler.runcall(app_main, [])
    finally:
        profiler.dump_stats(profile_path)


if __name__ == "__main__":
    sys.exit(main())
