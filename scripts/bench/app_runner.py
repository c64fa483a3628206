"""`python -m scripts.bench.app_runner`: the app as `python -m app` runs it, plus what a
benchmark asks for by environment variable. Nothing in app/ is changed: functions are
wrapped from outside, by name, before the app starts.

BENCH_SPANS_FILE  timing spans around the steps of a dispatch and of the fan-out, written
                  as JSON {"span name": [seconds, ...]} when the app stops
BENCH_PROFILE     run under cProfile and write its stats there (BENCH_PROFILE_CPU=1: CPU time)
BENCH_PAGES       a folder served at /bench-pages/ (the pages of scripts/bench-join)
BENCH_PATCH       a Python file run first: to try a change to the app without editing app/
BENCH_STALLS      with BENCH_SPANS_FILE: every turn of the event loop timed, by what ran in
                  it (the task's coroutine, or the callback), written as "_turns" beside
                  the spans: {name: [[began, took, CPU], ...]} for turns of TURN_KEPT_SECONDS or more
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
        ("app.janus.pool", "JanusPool._loads", "  its placement (rooms counted per server)"),
        ("app.janus.pool", "create_room", "  its VideoRoom create (Janus)"),
        ("app.janus.pool", "JanusPool.add_tokens", "  its tokens added (Admin API)"),
        ("app.janus.pool", "JanusPool.remove_tokens", "a room's tokens removed at its end (Admin API)"),
        ("app.live.dispatch", "attach_room", "attach room + NOTIFY room"),
        ("app.live.dispatch", "next_candidate", "next_candidate total"),
        ("app.live.hub", "Hub.refresh", "hub refresh (every socket of the event)"),
        ("asyncpg.pool", "Pool._acquire", "pool acquire wait"),
        ("app.live.feeds", "read_event_view", "event view read (shared per change)"),
        ("app.live.feeds", "candidate_state", "candidate snapshot"),
        ("app.live.feeds", "interviewer_state", "interviewer snapshot"),
    ]
    for module_name, dotted, name in wanted:
        owner = importlib.import_module(module_name)
        *path, attribute = dotted.split(".")
        for part in path:
            owner = getattr(owner, part)
        if hasattr(owner, attribute):
            timed(owner, attribute, name)


MARKS: dict[str, dict[int, float]] = defaultdict(dict)  # step -> interview id -> time
OFFER_PATH = [
    ("next", "notified", "offer path: Next handled -> dispatch NOTIFY heard"),
    ("notified", "sent", "offer path: NOTIFY heard -> offer written to the socket"),
    ("next", "attached", "after the offer: Next handled -> room attached"),
]


def trace_offers() -> None:
    """Marks along one offer's way through the app, keyed by the interview: the pieces of
    `next` -> offer that the spans above do not cover (the NOTIFY's trip and the hub)."""
    import json as json_module

    from app.live import channel, dispatch, hub

    next_candidate, attach_room = dispatch.next_candidate, dispatch.attach_room
    dispatch_statement = dispatch._dispatch

    async def traced_dispatch(*args, **kwargs):
        offer = await dispatch_statement(*args, **kwargs)
        if offer is not None:
            MARKS["dispatched"][offer.interview_id] = time.perf_counter()
        return offer

    async def traced_next(*args, **kwargs):
        started = time.perf_counter()
        done = await next_candidate(*args, **kwargs)
        if done is not None:
            MARKS["next"][done.offer.interview_id] = started
        return done

    async def traced_attach(connection, offer, *args, **kwargs):
        row = await attach_room(connection, offer, *args, **kwargs)
        MARKS["attached"][offer.interview_id] = time.perf_counter()
        return row

    notified = hub.Hub._notified

    def traced_notified(self, connection, pid, name, payload):
        try:
            message = json_module.loads(payload)
            if message.get("kind") == "offer":
                MARKS["notified"].setdefault(message["interview"], time.perf_counter())
        except (ValueError, KeyError, AttributeError):
            pass
        return notified(self, connection, pid, name, payload)

    send = channel.Socket.send

    async def traced_send(self, message):
        await send(self, message)
        if isinstance(message, dict) and message.get("type") == "offer":
            MARKS["sent"].setdefault(message.get("interview"), time.perf_counter())

    dispatch.next_candidate, dispatch.attach_room = traced_next, traced_attach
    dispatch._dispatch = traced_dispatch
    trace_presses()

    import asyncpg.connection  # the dispatch statement itself: sent, and its result in

    fetchrow = asyncpg.connection.Connection.fetchrow

    async def traced_fetchrow(self, query, *args, **kwargs):
        if "live_dispatch(" not in query:
            return await fetchrow(self, query, *args, **kwargs)
        sent = time.perf_counter()
        row = await fetchrow(self, query, *args, **kwargs)
        if row is not None and row["o_interview"] is not None:
            MARKS["statement_sent"][row["o_interview"]] = sent
            MARKS["statement_done"][row["o_interview"]] = time.perf_counter()
        return row

    asyncpg.connection.Connection.fetchrow = traced_fetchrow
    fetch = asyncpg.connection.Connection.fetch

    async def traced_fetch(self, query, *args, **kwargs):  # the presses sent together
        if "live_dispatch_many(" not in query:
            return await fetch(self, query, *args, **kwargs)
        sent = time.perf_counter()
        rows = await fetch(self, query, *args, **kwargs)
        done = time.perf_counter()
        for row in rows:
            if row["o_interview"] is not None:
                MARKS["statement_sent"][row["o_interview"]] = sent
                MARKS["statement_done"][row["o_interview"]] = done
        return rows

    asyncpg.connection.Connection.fetch = traced_fetch
    hub.Hub._notified, channel.Socket.send = traced_notified, traced_send  # type: ignore[method-assign]  # traced


def trace_presses() -> None:
    """The "next" mark where the app's sockets press through app/live/presses.py (an app
    without it presses through dispatch.next_candidate, traced above)."""
    try:
        from app.live import presses
    except ImportError:
        return
    press = presses.Presses.dispatch

    async def traced_press(self, *args, **kwargs):
        started = time.perf_counter()
        offer = await press(self, *args, **kwargs)
        if offer is not None:
            MARKS["next"][offer.interview_id] = started
        return offer

    presses.Presses.dispatch = traced_press  # type: ignore[method-assign]  # traced


def offer_path_spans() -> None:
    for start, end, name in OFFER_PATH:
        SPANS[name] = [MARKS[end][key] - MARKS[start][key] for key in MARKS[start] if key in MARKS[end]]


def offer_marks() -> dict[str, dict[str, float]]:
    """The marks themselves, for the benchmark to put its own (the client's `next` sent, the
    client's `offer` received) beside: perf_counter is CLOCK_MONOTONIC on Linux, one clock
    for every process of the machine."""
    return {step: {str(key): at for key, at in marks.items()} for step, marks in MARKS.items()}


# Turns of the event loop this long or longer are kept one by one, with when they began
# (the benchmark keeps those of its measured run); shorter ones only counted.
TURN_KEPT_SECONDS = 0.0005
# name -> [(began, took, of which CPU)]: on a shared machine a turn's wall time also holds
# the time the process waited for a core while in it.
TURNS: dict[str, list[tuple[float, float, float]]] = defaultdict(list)


def _turn_name(handle) -> str:
    """What ran in one turn of the loop: the task's coroutine, else the callback's name."""
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    coroutine = owner.get_coro() if hasattr(owner, "get_coro") else None
    if coroutine is not None:
        return getattr(coroutine, "__qualname__", type(coroutine).__name__)
    return getattr(callback, "__qualname__", type(callback).__name__)


def time_loop_turns() -> None:
    """Time every callback the loop runs (asyncio's own loop: Handle._run): which task holds
    the loop, and for how long at a time, is what every other socket waits for."""
    import asyncio.events

    run = asyncio.events.Handle._run

    def timed_run(self):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return run(self)
        finally:
            took = time.perf_counter() - started
            if took >= TURN_KEPT_SECONDS:
                TURNS[_turn_name(self)].append((started, took, time.thread_time() - cpu))

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]  # measured


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
            offer_path_spans()
            with open(path, "w") as handle:
                json.dump({**SPANS, "_marks": offer_marks(), "_turns": TURNS}, handle)

        atexit.register(write)
        if os.environ.get("BENCH_STALLS"):
            time_loop_turns()
        instrument()
        trace_offers()
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

    # BENCH_PROFILE_CPU=1: the process's CPU time, not the wall clock: on a machine shared
    # with other work the wall clock charges a system call with the time the process then
    # spent waiting for a core (a loopback send() that wakes the reader, say).
    profiler = (
        cProfile.Profile(time.process_time) if os.environ.get("BENCH_PROFILE_CPU") else cProfile.Profile()
    )
    if os.environ.get("BENCH_PROFILE_CHURN"):
        # Only what the bench's churn costs: it sends SIGUSR1 as the churn starts and
        # SIGUSR2 as it ends (the sockets' handshakes would be most of a whole run's profile).
        import signal

        signal.signal(signal.SIGUSR1, lambda *_: profiler.enable())
        signal.signal(signal.SIGUSR2, lambda *_: profiler.disable())
        try:
            return app_main([])
        finally:
            profiler.dump_stats(_profile_file(profile_path))
    try:
        return profiler.runcall(app_main, [])
    finally:
        profiler.dump_stats(_profile_file(profile_path))


def _profile_file(path: str) -> str:
    """BENCH_PROFILE_PID=1 (bench-fanout --processes N): one file per process, .PID added."""
    return f"{path}.{os.getpid()}" if os.environ.get("BENCH_PROFILE_PID") else path


if __name__ == "__main__":
    sys.exit(main())
