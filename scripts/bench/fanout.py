"""The fan-out benchmark: scripts/bench-fanout [--events E] [--waiting W] [--interviewers I]
[--rate R] [--churn tail|anywhere|next] [--seconds S] [--nexts K] [--no-storm] [--processes N]
[--storm-only] [--reuse] [--json F] [--profile F [--profile-churn]] [--stalls] [--against-one].

E events with W candidates waiting in each (checked in straight in the database, in order,
then connected over their own sockets to one app process, or dealt out over N) and I
interviewers each. A page's place comes from its states and the shared `queue` messages,
applied as the page does (app/live/PROTOCOL.md, "The queue message"). Measured,
from the clients' side and from /proc:

1. idle: the app's CPU with every socket open and nothing changing, /healthz's latency;
2. churn: R queue changes per second for S seconds through the candidates' sockets,
   `tail` (a candidate checks in at the end of the queue, another leaves it from the end:
   nobody else's place moves) or `anywhere` (they leave from a random place: everyone
   behind them moves), or `next` (an interviewer of a random event presses Next, or Withdraw
   when their offer is open: everyone waiting in that event moves; per press, the time until
   every other waiting page of the event shows its new place). The app's CPU, the
   interviewers' states per change made, the largest interviewer state, /healthz's worst;
3. Next: K times an interviewer presses Next (nothing else changing): the time until every
   other waiting candidate of that event shows their new place (p50, p100);
4. the floor: the same number of sockets on a bare aiohttp process (scripts/bench/
   fanout_floor.py) that sends each its own small state: the time until all have it; and
   one message the same for all, written by send_str, send_frame and a prebuilt frame;
5. reconnect storm (unless --no-storm): the app is killed (SIGKILL) and started again, and
   every socket reconnects at once: the time until all have a full state again, whether
   anybody's place changed, /healthz meanwhile (one probe on a kept connection, one on a
   new connection per request as an orchestrator's, one on the health listener's port), the
   app's CPU; beside the
   storm floor (the bare aiohttp process restarted, the same sockets back at once).
   --storm-only: this and its floor alone. BENCH_STORM_SIGNAL=N: the restarted app is sent
   signal N once all are back (a BENCH_PATCH profiling the storm stops there).

--stalls: the app's event-loop turns are timed (scripts/bench/app_runner.py, BENCH_STALLS);
the longest during the churn are printed by what ran in them.

--processes N --against-one: the whole run (but the storm) with one process first, on a
stack of its own, then with N, and each process's CPU per change against one doing all
(near-linear: 1/N), counted in all and above each run's idle CPU.

/healthz is probed on the app's own port (answered by the main event loop, the old path)
and, when the app has one, on the health listener's port (app/health_process.py, a child
process of the app, the new path), side by side in the same run (scripts/bench/fanout_health.py).

Figures are for this machine as it is: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg

from scripts.bench.common import AppProcess, argument_parser, percentile, stack_environ
from scripts.bench.fanout_health import HealthProbe, figures as probe_figures, health_port_environ, line
from scripts.bench.fanout_health import SIDE_BY_SIDE_INTERVAL, ProbeFloor, listener_probe
from scripts.bench.raw_sockets import RawSocket, open_many

CONNECT_TIMEOUT = 600.0
SHARED_WAYS = ("send_str", "send_frame", "write")


@dataclass
class Event:
    id: int
    waiting: list[tuple[int, str]]  # (candidate id, token) in queue order
    spare: list[tuple[int, str]]  # registered, not checked in
    interviewers: list[tuple[int, str]]


async def seed(
    db: asyncpg.Connection, events: int, waiting: int, spare: int, interviewers: int
) -> list[Event]:
    organization = await db.fetchval(
        "INSERT INTO organization (name) VALUES ($1) RETURNING id", f"Bench AB {secrets.token_hex(3)}"
    )
    made = []
    for _ in range(events):
        tag = secrets.token_hex(4)
        event_id = await db.fetchval(
            """
            INSERT INTO event (organization_id, title, starts_at, duration_minutes,
                               interview_minutes, capacity, state)
            VALUES ($1, 'Benchmark', now(), 600, 10, $2, 'live') RETURNING id""",
            organization,
            min(waiting + spare, 10_000),
        )
        people = await db.fetch(
            """
            INSERT INTO event_interviewer (event_id, email, name, access_token, access_code)
            SELECT $1, 'i' || n || '-' || $2 || '@example.se', 'Intervjuare ' || n, t, '123456'
            FROM unnest($3::text[]) WITH ORDINALITY AS x(t, n) RETURNING id, access_token""",
            event_id,
            tag,
            [secrets.token_urlsafe(16) for _ in range(interviewers)],
        )
        candidates = await db.fetch(
            """
            INSERT INTO candidate (event_id, name, email, access_token, pin)
            SELECT $1, 'Kandidat ' || n, 'c' || n || '-' || $2 || '@example.se', t, '654321'
            FROM unnest($3::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n
            RETURNING id, access_token""",
            event_id,
            tag,
            [secrets.token_urlsafe(16) for _ in range(waiting + spare)],
        )
        candidates = sorted(candidates, key=lambda r: r["id"])
        queued = candidates[:waiting]
        await db.execute(
            """
            INSERT INTO queue_entry (event_id, candidate_id, checked_in_at, queued_at)
            SELECT $1, id, now() - make_interval(secs => ($3 - n) / 1000.0),
                   now() - make_interval(secs => ($3 - n) / 1000.0)
            FROM unnest($2::bigint[]) WITH ORDINALITY AS x(id, n)""",
            event_id,
            [r["id"] for r in queued],
            len(queued),
        )
        made.append(
            Event(
                event_id,
                [(r["id"], r["access_token"]) for r in queued],
                [(r["id"], r["access_token"]) for r in candidates[waiting:]],
                [(r["id"], r["access_token"]) for r in people],
            )
        )
    return made


def people_of(events: list[Event], secret: str) -> list[tuple[tuple[str, int], str, str]]:
    from app.link_sessions import CANDIDATE_SESSION, INTERVIEWER_SESSION

    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    people = []
    for event in events:
        for person_id, token in event.interviewers:
            cookie = (
                f"{INTERVIEWER_SESSION.cookie}="
                f"{INTERVIEWER_SESSION.encode(secret, person_id, expires, token)}"
            )
            people.append((("i", person_id), f"/i/{token}/ws", cookie))
        for person_id, token in event.waiting + event.spare:
            cookie = (
                f"{CANDIDATE_SESSION.cookie}={CANDIDATE_SESSION.encode(secret, person_id, expires, token)}"
            )
            people.append((("c", person_id), f"/c/{token}/ws", cookie))
    return people


def raise_open_files(sockets: int) -> None:
    """Room for this many sockets in this process and in the app processes it starts (they
    inherit the limit): 20,000 sockets over two processes pass the usual 20,000 a process
    may open, all in the load generator. Raised as far as the system lets (root: further
    than the hard limit)."""
    import resource

    wanted = sockets + 1024  # the database, the floor, the app's own files
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def cpu_over(pids: list[int], seconds: float) -> float:
    """The app processes' CPU, summed, as a fraction of one core."""
    before, started = sum(map(cpu_seconds, pids)), time.perf_counter()
    await asyncio.sleep(seconds)
    return (sum(map(cpu_seconds, pids)) - before) / (time.perf_counter() - started)


async def churn(
    args, events: list[Event], sockets: dict[tuple[str, int], RawSocket], pids: list[int]
) -> dict:
    """R changes per second: one candidate checks in at the end (a spare one, or one who
    left), one leaves (from the end, or from anywhere)."""
    lobbies = [s for s in sockets.values() if s.who[0] == "i"]
    states_before = sum(s.states for s in lobbies)
    candidate_states_before = sum(s.states for s in sockets.values() if s.who[0] == "c")
    queue_messages_before = sum(s.queue_messages for s in sockets.values())
    out = {e.id: [c for c, _ in e.spare] for e in events}
    queued = {e.id: [c for c, _ in e.waiting] for e in events}
    made = 0
    cpu_before, started = [cpu_seconds(p) for p in pids], time.perf_counter()
    interval = 1.0 / args.rate
    deadline = started + args.seconds
    next_at = started
    pressing = NextPresses(sockets) if args.churn == "next" else None
    while time.perf_counter() < deadline:
        event = random.choice(events)
        if pressing is not None:
            pressing.press(events)
        elif made % 2 == 0 and out[event.id]:
            candidate = out[event.id].pop(0)
            sockets[("c", candidate)].send('{"type":"check_in"}')
            queued[event.id].append(candidate)
        elif queued[event.id]:
            index = -1 if args.churn == "tail" else random.randrange(len(queued[event.id]))
            candidate = queued[event.id].pop(index)
            sockets[("c", candidate)].send('{"type":"leave"}')
            out[event.id].append(candidate)
        made += 1
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    elapsed = time.perf_counter() - started
    per_process = [(cpu_seconds(p) - b) / elapsed for p, b in zip(pids, cpu_before)]
    cpu = sum(per_process)
    await asyncio.sleep(1.0)  # the last changes' states
    presses = await pressing.finish() if pressing is not None else None
    for event in events:  # the queue as the app has it now, for what follows
        event.waiting = [(c, "") for c in queued[event.id]]
        event.spare = [(c, "") for c in out[event.id]]
    return {
        "changes": made,
        "seconds": elapsed,
        "changes_per_second": made / elapsed,
        "cpu": cpu,
        "cpu_per_process": per_process,
        "interviewer_states_per_second": (sum(s.states for s in lobbies) - states_before)
        / elapsed
        / max(len(lobbies), 1),
        "candidate_states_per_second": (
            sum(s.states for s in sockets.values() if s.who[0] == "c") - candidate_states_before
        )
        / elapsed,
        "largest_interviewer_state": max((s.largest for s in lobbies), default=0),
        "queue_messages_per_second": (sum(s.queue_messages for s in sockets.values()) - queue_messages_before)
        / elapsed,
        "unapplied_queue_messages": sum(s.unapplied for s in sockets.values()),
        "presses": presses,
    }


class NextPresses:
    """`--churn next`: each change is an interviewer of a random event pressing *Next*, or
    *Withdraw* when their offer is still open (the candidate gets the old place back), so
    every change moves everyone waiting in that event. Per press, the time until every
    other waiting page of the event shows its new place. An event whose last press is still
    being watched is skipped for another (a page watches one place at a time)."""

    TIMEOUT = 10.0

    def __init__(self, sockets: dict[tuple[str, int], RawSocket]):
        self.sockets = sockets
        self.offered: set[int] = set()  # interviewers holding an open offer
        self.busy: set[int] = set()  # events whose last press is being watched
        self.watches: list[asyncio.Task] = []
        self.times: list[float] = []
        self.missing = 0

    def press(self, events: list[Event]) -> None:
        free = [e for e in events if e.id not in self.busy]
        if not free:
            return
        event = random.choice(free)
        interviewer = random.choice(event.interviewers)[0]
        withdraw = interviewer in self.offered
        step = 1 if withdraw else -1  # a withdrawn candidate is back at the head
        watched = []
        for candidate, _ in event.waiting:
            socket = self.sockets[("c", candidate)]
            if socket.position is None or (not withdraw and socket.position == 1):
                continue
            socket.waiting_for, socket.reached_at = socket.position + step, None
            watched.append(socket)
        self.offered.symmetric_difference_update({interviewer})
        self.busy.add(event.id)
        self.sockets[("i", interviewer)].send('{"type":"withdraw"}' if withdraw else '{"type":"next"}')
        self.watches.append(asyncio.create_task(self._watch(event, watched, time.perf_counter())))

    async def _watch(self, event: Event, watched: list[RawSocket], started: float) -> None:
        deadline = started + self.TIMEOUT
        while time.perf_counter() < deadline and any(s.reached_at is None for s in watched):
            await asyncio.sleep(0.01)
        self.times.extend(s.reached_at - started for s in watched if s.reached_at is not None)
        self.missing += sum(1 for s in watched if s.reached_at is None)
        for socket in watched:
            socket.waiting_for = None
        self.busy.discard(event.id)

    async def finish(self) -> dict:
        """Wait for the last presses, then withdraw every open offer (the queue as it was)."""
        await asyncio.gather(*self.watches)
        for interviewer in self.offered:
            self.sockets[("i", interviewer)].send('{"type":"withdraw"}')
        self.offered.clear()
        await asyncio.sleep(1.0)
        return {
            "presses": len(self.watches),
            "pages": len(self.times),
            "missing": self.missing,
            "p50": percentile(self.times, 0.5),
            "p99": percentile(self.times, 0.99),
            "p100": max(self.times, default=float("nan")),
        }


async def one_next(event: Event, sockets: dict[tuple[str, int], RawSocket], timeout: float = 30.0) -> dict:
    """An interviewer of the event presses Next: the time until every other waiting
    candidate has a state with their place one up."""
    lobby = next(
        sockets[("i", i)]
        for i, _ in event.interviewers
        if b'"interview":null' in sockets[("i", i)].last_state
    )
    watched = []
    for candidate, _ in event.waiting[1:]:
        socket = sockets[("c", candidate)]
        if socket.position is None:
            continue
        socket.waiting_for, socket.reached_at = socket.position - 1, None
        watched.append(socket)
    started = time.perf_counter()
    lobby.send('{"type":"next"}')
    deadline = started + timeout
    while time.perf_counter() < deadline and any(s.reached_at is None for s in watched):
        await asyncio.sleep(0.01)
    late = [s for s in watched if s.reached_at is None]
    times = [s.reached_at - started for s in watched if s.reached_at is not None]
    for s in watched:
        s.waiting_for = None
    event.waiting = event.waiting[1:]
    return {
        "sockets": len(watched),
        "missing": len(late),
        "by_queue_message": sum(1 for s in watched if s.queue_messages),
        "p50": percentile(times, 0.5),
        "p100": max(times, default=float("nan")),
    }


async def listening(port: int) -> None:
    """Until a process listens on the port (10 s at most: then the connects will tell)."""
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)


async def floor(args, people_count: int, environ: dict) -> tuple[list[float], dict[str, float]]:
    """The same number of sockets on a bare aiohttp process: POST /round → all have theirs
    (each its own frame, K rounds); then one message the same for all, by each way of
    writing it (scripts/bench/fanout_floor.py)."""
    from app.localstack.processes import free_port

    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "scripts.bench.fanout_floor",
        str(port),
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        await listening(port)
        sockets = await open_many(
            "127.0.0.1",
            port,
            [(("c", n), f"/f/{n}/ws", "x=1") for n in range(people_count)],
            args.connect_concurrency,
            CONNECT_TIMEOUT,
        )
        results, shared = [], {}
        async with aiohttp.ClientSession() as http:

            async def all_reached(query: str) -> float:
                """POST /round?query: the time until every socket has its waiting_for."""
                started = time.perf_counter()
                async with http.post(f"http://127.0.0.1:{port}/round{query}") as response:
                    await response.read()
                deadline = started + 60.0
                while any(s.reached_at is None for s in sockets) and time.perf_counter() < deadline:
                    await asyncio.sleep(0.01)
                await asyncio.sleep(1.0)
                return max((s.reached_at or float("inf")) for s in sockets) - started

            for round_ in range(1, args.nexts + 1):
                for socket in sockets:
                    if socket.initial is None:  # the first round: where the floor put it
                        socket.initial = int(socket.position)
                    socket.waiting_for, socket.reached_at = socket.initial + 1000 * round_, None
                results.append(await all_reached(""))
            for round_, how in enumerate(SHARED_WAYS, args.nexts + 1):
                for socket in sockets:
                    socket.waiting_for, socket.reached_at = 1_000_000 * round_, None
                shared[how] = await all_reached(f"?shared={how}")
        for socket in sockets:
            socket.close()
        return results, shared
    finally:
        process.kill()
        await process.wait()


async def storm_floor(args, people_count: int) -> float:
    """The storm's baseline: the bare aiohttp process of the floor (no database, no session,
    a small state each) killed and started again on the same port, and the same number of
    sockets reconnecting at once the way the storm's do: the time until all have a state.
    What this machine and this load generator need for N handshakes and N first frames."""
    from app.localstack.processes import free_port

    port = free_port()
    environ = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    argv = [sys.executable, "-m", "scripts.bench.fanout_floor", str(port)]

    async def started() -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(*argv, env=environ)
        await listening(port)
        return process

    people = [(("c", n), f"/f/{n}/ws", "x=1") for n in range(people_count)]
    process = await started()
    try:
        sockets = await open_many("127.0.0.1", port, people, args.connect_concurrency, CONNECT_TIMEOUT)
        process.kill()
        await process.wait()
        for socket in sockets:
            socket.close()
        process = await started()
        began = time.perf_counter()
        sockets = await open_many("127.0.0.1", port, people, len(people), CONNECT_TIMEOUT, retry=True)
        seconds = time.perf_counter() - began
        for socket in sockets:
            socket.close()
        return seconds
    finally:
        process.kill()
        await process.wait()


async def queue_places(db: asyncpg.Connection, events: list[Event]) -> dict[int, int]:
    """Every waiting candidate's place, as the database has it (the truth a page is shown)."""
    rows = await db.fetch(
        """
        SELECT candidate_id, row_number() OVER (PARTITION BY event_id
                                                ORDER BY queued_at, id) AS place
        FROM queue_entry WHERE event_id = ANY($1::bigint[]) AND state = 'waiting'""",
        [e.id for e in events],
    )
    return {row["candidate_id"]: row["place"] for row in rows}


async def storm(
    app: AppProcess, people, sockets: dict, events: list[Event], args, db: asyncpg.Connection
) -> dict:
    """Kill the app, start it again, reconnect every socket at once. Places are compared
    in the database before and after, and each reconnected page's with the database's."""
    before = await queue_places(db, events)
    await app.kill()
    for socket in sockets.values():
        socket.close()
    await app.start()
    probe, fresh_probe = HealthProbe(app.url), HealthProbe(app.url, fresh=True)
    listener = listener_probe(app)  # the health listener's port, beside the main port's
    probe_floor = ProbeFloor()
    await probe_floor.start()
    extra = {"floor_healthz": HealthProbe(probe_floor.url, fresh=True)}
    if listener:
        extra["listener_healthz"] = listener
        extra["listener_livez"] = HealthProbe(listener.url, fresh=True, path="/livez")
    for each in (probe, fresh_probe, *extra.values()):
        each.start()
    for each in (probe, fresh_probe, *extra.values()):
        await each.answering()  # so the first of each window opens as the storm begins
    app_cpu, own_cpu = cpu_seconds(app.process.pid), time.process_time()
    started = time.perf_counter()
    reopened = await open_many("127.0.0.1", app.port, people, len(people), CONNECT_TIMEOUT, retry=True)
    back = time.perf_counter() - started
    app_cpu, own_cpu = cpu_seconds(app.process.pid) - app_cpu, time.process_time() - own_cpu
    if os.environ.get("BENCH_STORM_SIGNAL"):  # a BENCH_PATCH profiling the storm alone stops here
        os.kill(app.process.pid, int(os.environ["BENCH_STORM_SIGNAL"]))
    await asyncio.sleep(2.0)  # any later state (a reconnect's notification) settles
    health, fresh_health = probe.window(), fresh_probe.window()
    await probe.stop()
    await fresh_probe.stop()
    listener_figures = {name: probe_figures(each.window(), each.failures) for name, each in extra.items()}
    for each in extra.values():
        await each.stop()
    await probe_floor.stop()
    after = await queue_places(db, events)
    moved = sum(1 for who, place in before.items() if after.get(who) != place)
    shown_wrong = sum(1 for s in reopened if s.who[0] == "c" and s.position != after.get(s.who[1]))
    for socket in reopened:
        sockets[socket.who] = socket
    return {
        "sockets": len(reopened),
        "all_back_seconds": back,
        # Where the time went: the app's CPU (of a core) and the load generator's own.
        "app_cpu_seconds": app_cpu,
        "client_cpu_seconds": own_cpu,
        "places_changed": moved,
        "pages_showing_another_place": shown_wrong,
        "healthz_worst": max(health, default=float("nan")),
        "healthz_p50": percentile(health, 0.5),
        "healthz_p90": percentile(health, 0.9),
        "healthz_failures": probe.failures,
        # On a new connection each: behind the storm's in the listening socket's queue. The
        # first of each window was sent as the storm began (the kept connection's was opened
        # before it).
        "healthz_first": health[0] if health else float("nan"),
        "healthz_worst_after_first": max(health[1:], default=float("nan")),
        "healthz_fresh_worst_after_first": max(fresh_health[1:], default=float("nan")),
        "healthz_fresh_worst": max(fresh_health, default=float("nan")),
        "healthz_fresh_p50": percentile(fresh_health, 0.5),
        "healthz_fresh_p90": percentile(fresh_health, 0.9),
        "healthz_fresh_failures": fresh_probe.failures,
        **listener_figures,
    }


async def steady(args, apps: list[AppProcess], events: list[Event], sockets: dict, figures: dict) -> None:
    """Idle, churn and the Nexts, with /healthz probed throughout (all but the storm)."""
    pids = [each.process.pid for each in apps]
    probe = HealthProbe(apps[0].url)
    # The old path on a new connection each, as an orchestrator probes, and the new path.
    side_by_side = {
        "main port, new connection each": HealthProbe(apps[0].url, fresh=True, interval=SIDE_BY_SIDE_INTERVAL)
    }
    if listener := listener_probe(apps[0], SIDE_BY_SIDE_INTERVAL):
        side_by_side["health listener, new connection each"] = listener
    probe_floor = ProbeFloor()  # what the machine gives any probe meanwhile
    await probe_floor.start()
    side_by_side["a bare process's constant (floor)"] = HealthProbe(
        probe_floor.url, fresh=True, interval=SIDE_BY_SIDE_INTERVAL
    )
    for each in (probe, *side_by_side.values()):
        each.start()
    for each in (probe, *side_by_side.values()):
        await each.answering()
    print("idle ...", flush=True)
    figures["idle_cpu"] = await cpu_over(pids, 10.0)
    figures["idle_healthz"] = probe.window()
    figures["idle_probes"] = {name: probe_figures(p.window(), p.failures) for name, p in side_by_side.items()}
    print(f"churn: {args.rate}/s for {args.seconds:.0f} s ({args.churn}) ...", flush=True)
    began = time.perf_counter()  # CLOCK_MONOTONIC: the app's loop turns are timed by it too
    failed = {name: p.failures for name, p in side_by_side.items()}
    if args.profile and args.profile_churn:
        for pid in pids:
            os.kill(pid, signal.SIGUSR1)
    figures["churn"] = await churn(args, events, sockets, pids)
    if args.profile and args.profile_churn:
        for pid in pids:
            os.kill(pid, signal.SIGUSR2)
    figures["churn_window"] = (began, time.perf_counter())
    figures["churn_healthz"] = probe.window()
    figures["churn_probes"] = {
        name: probe_figures(p.window(), p.failures - failed[name]) for name, p in side_by_side.items()
    }
    for each in side_by_side.values():
        await each.stop()
    await probe_floor.stop()
    print(f"{args.nexts} × Next ...", flush=True)
    nexts = []
    for _ in range(args.nexts):
        event = max(events, key=lambda e: len(e.waiting))
        nexts.append(await one_next(event, sockets))
        await asyncio.sleep(1.0)
    figures["nexts"] = nexts
    figures["next_healthz"] = probe.window()
    await probe.stop()


async def run(args, environ: dict) -> dict:
    from app.settings import load_settings

    settings = load_settings(environ)
    db = await asyncpg.connect(settings.database.url.get_secret_value())
    spans_file = Path(tempfile.mkstemp(prefix="bench-spans-", suffix=".json")[1])
    app_environ = {
        **environ,
        "SNABB_LIVE_OFFER_SECONDS": "60",
        "SNABB_LIVE_GRACE_SECONDS": "120",
        "BENCH_SPANS_FILE": str(spans_file),
    }
    if args.profile:
        app_environ["BENCH_PROFILE"] = str(Path(args.profile).resolve())
        if args.profile_churn:
            app_environ["BENCH_PROFILE_CHURN"] = "1"
        if args.processes > 1:
            app_environ["BENCH_PROFILE_PID"] = "1"
    if args.stalls:
        app_environ["BENCH_STALLS"] = "1"
    apps = [
        AppProcess(
            {**app_environ, **health_port_environ(Path(args.app_root).resolve())},
            module="scripts.bench.app_runner",
            log_path=Path(args.app_log),
            root=Path(args.app_root).resolve(),
        )
        for _ in range(args.processes)
    ]
    app = apps[0]
    figures: dict = {
        "load_average_before": os.getloadavg(),
        "events": args.events,
        "waiting": args.waiting,
        "interviewers": args.interviewers,
        "rate": args.rate,
        "churn_mode": args.churn,
        "app_root": args.app_root,
        "processes": args.processes,
    }
    try:
        spare = max(2, int(args.rate * args.seconds / args.events) + 2)
        print(
            f"seeding {args.events} events × {args.waiting} waiting (+{spare} not checked "
            f"in), {args.interviewers} interviewers each ...",
            flush=True,
        )
        events = await seed(db, args.events, args.waiting, spare, args.interviewers)
        people = people_of(events, settings.app.secret_key.get_secret_value())
        raise_open_files(len(people))
        if not args.storm_only:
            print(f"floor: {len(people)} sockets on a bare aiohttp process ...", flush=True)
            figures["floor"], figures["floor_shared"] = await floor(args, len(people), environ)
        if args.storm and len(apps) == 1:
            print(
                f"storm floor: {len(people)} sockets back at once to a bare aiohttp process ...", flush=True
            )
            figures["storm_floor"] = await storm_floor(args, len(people))
        for each in apps:
            await each.start()
        print(f"connecting {len(people)} sockets to {len(apps)} app process(es) ...", flush=True)
        started = time.perf_counter()
        # With several processes the sockets are dealt out in turn: each holds a share of
        # every event's (one database, LISTEN/NOTIFY between them).
        opened = [
            socket
            for shares in await asyncio.gather(
                *(
                    open_many(
                        "127.0.0.1",
                        each.port,
                        people[index :: len(apps)],
                        args.connect_concurrency,
                        CONNECT_TIMEOUT,
                    )
                    for index, each in enumerate(apps)
                )
            )
            for socket in shares
        ]
        figures["connect_seconds"] = time.perf_counter() - started
        sockets = {s.who: s for s in opened}
        await asyncio.sleep(3.0)
        if not args.storm_only:
            await steady(args, apps, events, sockets, figures)
        if args.storm and len(apps) == 1:
            print(f"reconnect storm: kill -9, restart, {len(people)} sockets at once ...", flush=True)
            try:
                figures["storm"] = await storm(app, people, sockets, events, args, db)
            except (OSError, ConnectionError, TimeoutError) as failure:
                figures["storm_failed"] = repr(failure)
        for socket in sockets.values():
            socket.close()
    finally:
        for each in apps:
            # Room to write the spans at exit: ten thousand sockets closing take a while.
            await each.stop(timeout=120)
        await db.close()
    figures["load_average_after"] = os.getloadavg()
    spans = json.loads(spans_file.read_text()) if spans_file.stat().st_size else {}
    spans_file.unlink()
    turns = spans.pop("_turns", {})
    if "churn_window" in figures:
        start, end = figures["churn_window"]
        figures["churn_turns"] = {
            name: {
                "worst": max(took for _, took, _ in during),
                "total": sum(took for _, took, _ in during),
                "cpu": sum(cpu for _, _, cpu in during),
            }
            for name, timed in turns.items()
            if (during := [turn for turn in timed if start <= turn[0] <= end])
        }
    figures["spans"] = {
        name: {"n": len(v), "p50": percentile(v, 0.5), "p99": percentile(v, 0.99), "total": sum(v)}
        for name, v in spans.items()
        if not name.startswith("_")  # "_marks": the offer path's marks, not spans
    }
    return figures


def per_change_per_process(f: dict) -> tuple[float, float]:
    """A process's CPU per queue change made during the churn: all it spent, and what it spent
    beyond its idle (the sockets' pings, its own timers, the probes), which a change does not
    cause and which every added process brings with it."""
    c = f["churn"]
    processes = len(c["cpu_per_process"])
    per_change = c["cpu"] / processes / c["changes_per_second"]
    above_idle = (c["cpu"] - f["idle_cpu"]) / processes / c["changes_per_second"]
    return per_change, above_idle


def report_steady(f: dict) -> None:
    """Idle, churn, the Nexts and the fan-out's floor."""

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:7.1f} ms"

    idle = f["idle_healthz"]
    print(
        f"  idle: app CPU {f['idle_cpu'] * 100:5.1f} % of a core; /healthz p50 "
        f"{ms(percentile(idle, 0.5))}, worst {ms(max(idle, default=float('nan')))}"
    )
    c = f["churn"]
    worst = max(f["churn_healthz"], default=float("nan"))
    print(
        f"  churn ({f['churn_mode']}): {c['changes_per_second']:.1f} changes/s → app CPU "
        f"{c['cpu'] * 100:5.1f} % of a core ({c['cpu'] / max(f['idle_cpu'], 1e-9):.1f}× idle)"
    )
    per_change, above_idle = per_change_per_process(f)
    print(
        (
            "    per process: " + ", ".join(f"{x * 100:.1f} %" for x in c["cpu_per_process"]) + "; "
            if len(c["cpu_per_process"]) > 1
            else "    "
        )
        + f"CPU per change per process {per_change * 1000:.2f} ms, "
        f"{above_idle * 1000:.2f} ms above idle"
    )
    print(
        f"    interviewer states per second each {c['interviewer_states_per_second']:.2f} "
        f"(per change made: {c['interviewer_states_per_second'] / c['changes_per_second']:.2f})"
        f"; largest interviewer state {c['largest_interviewer_state'] / 1000:.1f} kB"
    )
    print(
        f"    candidate states sent per second (all sockets) "
        f"{c['candidate_states_per_second']:.0f}; shared queue messages received per "
        f"second {c['queue_messages_per_second']:.0f} ({c['unapplied_queue_messages']} "
        f"could not be applied)"
    )
    if c.get("presses"):
        p = c["presses"]
        print(
            f"    {p['presses']} presses → every other waiting page of the event updated: "
            f"{p['pages']} pages, p50 {ms(p['p50'])}, p99 {ms(p['p99'])}, p100 {ms(p['p100'])}"
            f"{'; MISSING ' + str(p['missing']) if p['missing'] else ''}"
        )
    print(f"    /healthz worst {ms(worst)} ({worst / max(percentile(idle, 0.5), 1e-9):.1f}× the idle p50)")
    for phase in ("idle", "churn"):
        for name, probed in f.get(f"{phase}_probes", {}).items():
            print(line(f"/healthz {phase}, {name}:", probed))
    turns = f.get("churn_turns")
    if turns:
        print("    the app's longest event-loop turns during the churn (--stalls), by what ran in them:")
        for name, turn in sorted(turns.items(), key=lambda item: -item[1]["worst"])[:12]:
            print(
                f"      {name[:60]:60s} worst {ms(turn['worst'])}, in all "
                f"{turn['total']:6.2f} s ({turn['cpu']:6.2f} s CPU)"
            )
    floor = f["floor"]
    print(f"  floor (bare aiohttp, every socket its own frame): {', '.join(ms(x) for x in floor)}")
    print(
        "  floor of one shared frame (bare aiohttp, encoded once): "
        + ", ".join(f"{how} {ms(seconds)}" for how, seconds in f.get("floor_shared", {}).items())
    )
    for n in f["nexts"]:
        print(
            f"  Next → every other waiting socket updated: {n['sockets']} sockets, p50 "
            f"{ms(n['p50'])}, p100 {ms(n['p100'])} ({n['p100'] / min(floor):.1f}× the best "
            f"floor; {n['by_queue_message']} sockets had the shared queue message)"
            f"{'; MISSING ' + str(n['missing']) if n['missing'] else ''}"
        )
    worst = max(f["next_healthz"], default=float("nan"))
    print(f"    /healthz worst during the Nexts {ms(worst)}")


def report(f: dict) -> None:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:7.1f} ms"

    print()
    print(f"Fan-out benchmark: the app of {f['app_root']}")
    print(
        f"  {f['events']} event(s) × {f['waiting']} waiting, "
        f"{f['interviewers']} interviewer(s) each, "
        f"{f.get('processes', 1)} app process(es)"
    )
    print(
        f"  machine load average before {' '.join(f'{x:.1f}' for x in f['load_average_before'])}"
        f", after {' '.join(f'{x:.1f}' for x in f['load_average_after'])} (2 cores)"
    )
    print(f"  sockets connected in {f['connect_seconds']:.1f} s")
    if "churn" in f:
        report_steady(f)
    if "storm_failed" in f:
        print(f"  reconnect storm FAILED: {f['storm_failed']}")
    if "storm" in f:
        s = f["storm"]
        print(
            f"  reconnect storm: {s['sockets']} sockets all back with a full state in "
            f"{s['all_back_seconds']:.1f} s; places changed in the database: "
            f"{s['places_changed']}, pages showing another place than the database: "
            f"{s['pages_showing_another_place']}; "
            f"/healthz worst {ms(s['healthz_worst'])} ({s['healthz_failures']} failed)"
        )
        if "healthz_fresh_worst" in s:
            print(
                f"    /healthz on one kept connection p50 {ms(s['healthz_p50'])}, p90 "
                f"{ms(s['healthz_p90'])}; on a new connection each: p50 "
                f"{ms(s['healthz_fresh_p50'])}, p90 {ms(s['healthz_fresh_p90'])}, worst "
                f"{ms(s['healthz_fresh_worst'])} ({s['healthz_fresh_failures']} failed)"
            )
            print(
                f"    /healthz's first request (its connection made as the storm began) "
                f"{ms(s['healthz_first'])}; the worst after it: kept connection "
                f"{ms(s['healthz_worst_after_first'])}, new connections "
                f"{ms(s['healthz_fresh_worst_after_first'])}"
            )
        for name, what in (
            ("listener_healthz", "/healthz on the health listener, new connection each:"),
            ("listener_livez", "/livez on the health listener (no database), new each:"),
            ("floor_healthz", "a bare process's constant /healthz, new each (floor):"),
        ):
            if name in s:
                print(line(what, s[name]))
        if "app_cpu_seconds" in s:
            print(
                f"    meanwhile the app used {s['app_cpu_seconds']:.1f} s of CPU, the load "
                f"generator {s['client_cpu_seconds']:.1f} s"
            )
    if "storm_floor" in f:
        ratio = f["storm"]["all_back_seconds"] / f["storm_floor"] if "storm" in f else float("nan")
        print(
            f"  storm floor (bare aiohttp restarted, the same sockets back at once): "
            f"{f['storm_floor']:.1f} s; the storm {ratio:.1f}× it"
        )
    print("  app spans (s):")
    for name, span in sorted(f["spans"].items(), key=lambda item: -item[1]["total"]):
        print(
            f"    {name:48s} n={span['n']:7d} p50 {ms(span['p50'])} p99 {ms(span['p99'])}"
            f" total {span['total']:7.1f}"
        )


def main() -> int:
    parser = argument_parser("scripts/bench-fanout", __doc__)
    parser.add_argument("--events", type=int, default=1)
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--interviewers", type=int, default=3)
    parser.add_argument("--rate", type=float, default=10.0, help="queue changes per second")
    parser.add_argument("--churn", choices=("tail", "anywhere", "next"), default="tail")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--nexts", type=int, default=3)
    parser.add_argument("--no-storm", dest="storm", action="store_false")
    parser.add_argument(
        "--storm-only",
        action="store_true",
        help="only the reconnect storm and its floor: no idle, churn, Next or fan-out floor",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="app processes sharing the sockets (no storm with more than one)",
    )
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument(
        "--profile",
        help="run the app under cProfile, stats to this file (with --processes N: .PID added, one per process)",
    )
    parser.add_argument(
        "--profile-churn", action="store_true", help="with --profile: only the churn's seconds"
    )
    parser.add_argument(
        "--stalls", action="store_true", help="time the app's event-loop turns; the longest of the churn"
    )
    parser.add_argument("--app-log", default="/tmp/bench-fanout-app.log")
    parser.add_argument(
        "--app-root",
        default=str(Path(__file__).resolve().parents[2]),
        help="run the app of another checkout (e.g. the code before a change, "
        "as a baseline; its migrations must match)",
    )
    parser.add_argument(
        "--against-one",
        action="store_true",
        help="with --processes N: the same run with one process first, on a stack of its own, "
        "and each process's CPU per change against it",
    )
    args = parser.parse_args()
    Path(args.app_log).write_text("")
    baseline = None
    if args.against_one and args.processes > 1 and not args.storm_only:
        one = argparse.Namespace(**{**vars(args), "processes": 1, "storm": False})
        with stack_environ(args.reuse) as environ:
            baseline = asyncio.run(run(one, environ))
        report(baseline)
    with stack_environ(args.reuse) as environ:
        figures = asyncio.run(run(args, environ))
    report(figures)
    if baseline is not None:
        report_against_one(baseline, figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    return 0


def report_against_one(one: dict, many: dict) -> None:
    """Near-linear means each of N processes spends about 1/N of what one process doing
    all spends per change."""
    (one_all, one_above), (many_all, many_above) = map(per_change_per_process, (one, many))
    print()
    print(
        f"{many['processes']} processes against one, each process's CPU per change: "
        f"{many_all * 1000:.2f} ms against {one_all * 1000:.2f} ms = {many_all / one_all:.2f}×; "
        f"above idle {many_above * 1000:.2f} ms against {one_above * 1000:.2f} ms = "
        f"{many_above / max(one_above, 1e-9):.2f}× (near-linear: {1 / many['processes']:.2f}×)"
    )


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[2])
    sys.exit(main())
