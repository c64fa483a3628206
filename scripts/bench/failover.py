"""scripts/bench-failover: a Janus killed in the middle of an interview, timed from the
clients' side (both people's sockets), through a real app process and real Janus processes.

- **move**: two Janus servers; the one holding the interview's room is killed (SIGKILL):
  kill → `room_changed` on both sockets (the later of the two);
- **none left**: both are killed: kill → both states say `media: "unavailable"` (the clock
  stopped); one is started again: start → `room_changed` on both (the interview resumed).

Baseline, in the same run on the same servers: the same app with its reaction to a lost or
returning server switched off from outside (scripts/bench/failover_baseline_app.py), so that
only the periodic reconciler rounds (`live.reconcile_interval`, 15 s) act, as before the
reaction existed. The browsers' own rejoin after `room_changed` comes on top of these
figures (tests/browser/test_janus_failover.py measures the whole: kill → frames again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg

from scripts.bench.common import (
    AppProcess,
    argument_parser,
    run_and_report,
    seed_one_to_one,
    summary,
)

TIMEOUT = 90.0


class Janus:
    """A Janus of the benchmark's own, to kill and start again."""

    def __init__(self, environ: dict[str, str], name: str, folder: Path):
        from app.janus_config import render_janus_config
        from app.localstack.janus_server import LocalJanus
        from app.localstack.processes import free_port
        from app.settings import load_settings

        ws, admin = free_port(), free_port()
        self.server = {
            "name": name,
            "url": f"ws://127.0.0.1:{ws}",
            "public_url": f"ws://127.0.0.1:{ws}",
            "admin_url": f"ws://127.0.0.1:{admin}",
        }
        settings = load_settings(
            {
                **environ,
                "SNABB_JANUS_SERVER_WS_PORT": str(ws),
                "SNABB_JANUS_SERVER_ADMIN_WS_PORT": str(admin),
                "SNABB_JANUS_SERVERS": json.dumps([self.server]),
            }
        )
        render_janus_config(settings, folder / name, name)
        self.local = LocalJanus(folder / name, ws, admin, folder / f"{name}.log")
        self.name = name

    def start(self) -> float:
        self.local.start()
        return time.monotonic()

    def kill(self) -> float:
        self.local.process.kill()
        killed = time.monotonic()
        self.local.process.wait(10)
        return killed

    def stop(self) -> None:
        if self.local.running:
            self.local.stop()


class Socket:
    def __init__(self, ws):
        self.ws = ws
        self.messages: list[dict] = []
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type == aiohttp.WSMsgType.TEXT:
                self.messages.append(json.loads(frame.data))
                self.arrived.set()

    async def wait_for(self, match, after: int = 0) -> float:
        """When (time.monotonic()) the first matching message from index `after` came."""
        deadline = time.monotonic() + TIMEOUT
        seen = after
        while True:
            for message in self.messages[seen:]:
                if match(message):
                    return time.monotonic()
            seen = len(self.messages)
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), max(0.01, deadline - time.monotonic()))

    async def request(self, **message) -> dict:
        mark = len(self.messages)
        await self.ws.send_str(json.dumps(message))
        await self.wait_for(lambda m: m["type"] not in ("state", "offer"), mark)
        return next(m for m in self.messages[mark:] if m["type"] not in ("state", "offer"))


def _media(value: str):
    return lambda m: m["type"] == "state" and (m.get("interview") or {}).get("media") == value


def _waiting(message: dict) -> bool:
    return message["type"] == "state" and (message.get("queue") or {}).get("state") == "waiting"


def _room_changed(message: dict) -> bool:
    return message["type"] == "room_changed"


class Bench:
    def __init__(self, settings, db, app: AppProcess, servers: list[Janus]):
        self.settings, self.db, self.app, self.servers = settings, db, app, servers

    def cookie(self, side: str, person) -> str:
        from app.link_sessions import CANDIDATE_SESSION, INTERVIEWER_SESSION

        session = CANDIDATE_SESSION if side == "c" else INTERVIEWER_SESSION
        secret = self.settings.app.secret_key.get_secret_value()
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
        return f"{session.cookie}={session.encode(secret, person['id'], expires, person['access_token'])}"

    async def interview(self, http: aiohttp.ClientSession) -> tuple[Socket, Socket, str]:
        """Both sockets of a new interview under way, and the server its room is on."""
        _event, interviewer, candidate = await seed_one_to_one(self.db, "Failover benchmark")
        sockets = []
        for side, person in (("c", candidate), ("i", interviewer)):
            ws = await http.ws_connect(
                f"{self.app.url}/{side}/{person['access_token']}/ws",
                headers={"Cookie": self.cookie(side, person)},
            )
            sockets.append(Socket(ws))
        candidate_socket, lobby = sockets
        # The socket's check-in is written in a batch of arrivals (app/live/arrivals.py): a
        # Next sent before its state says "waiting" can find the queue still empty.
        await candidate_socket.wait_for(_waiting)
        dispatched = await lobby.request(type="next")
        assert dispatched["type"] == "dispatched", dispatched
        accepted = await candidate_socket.request(type="accept")
        assert accepted["type"] == "ticket", accepted
        server = await self.db.fetchval(
            "SELECT janus_server FROM interview WHERE id = $1", dispatched["interview"]
        )
        return candidate_socket, lobby, server

    async def healthy(self, http: aiohttp.ClientSession) -> None:
        """Until the app uses every server again."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            async with http.get(f"{self.app.url}/healthz") as response:
                janus = (await response.json()).get("janus", {})
            if all(state == "ok" for state in janus.values()):
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("the app never saw every Janus again")

    async def end(self, lobby: Socket, *sockets: Socket) -> None:
        await lobby.request(type="end")
        for socket in (lobby, *sockets):
            await socket.ws.close()
            socket.task.cancel()

    async def move(self, http) -> float:
        candidate, lobby, server = await self.interview(http)
        victim = next(j for j in self.servers if j.name == server)
        marks = len(candidate.messages), len(lobby.messages)
        killed = victim.kill()
        told = [await s.wait_for(_room_changed, m) for s, m in zip((candidate, lobby), marks)]
        victim.start()
        await self.healthy(http)
        await self.end(lobby, candidate)
        return max(told) - killed

    async def none_left(self, http) -> tuple[float, float]:
        candidate, lobby, _server = await self.interview(http)
        marks = len(candidate.messages), len(lobby.messages)
        killed = min(j.kill() for j in reversed(self.servers))  # the room's server last
        told = [await s.wait_for(_media("unavailable"), m) for s, m in zip((candidate, lobby), marks)]
        marks = len(candidate.messages), len(lobby.messages)
        started = self.servers[0].start()
        resumed = [await s.wait_for(_room_changed, m) for s, m in zip((candidate, lobby), marks)]
        self.servers[1].start()
        await self.healthy(http)
        await self.end(lobby, candidate)
        return max(told) - killed, max(resumed) - started


async def measure(settings, environ, servers, module: str, repetitions: int, label: str) -> dict:
    db = await asyncpg.connect(settings.database.url.get_secret_value())
    app = AppProcess(environ, module=module)
    figures: dict[str, list[float]] = {"move": [], "told": [], "resumed": []}
    try:
        await app.start()
        async with aiohttp.ClientSession() as http:
            bench = Bench(settings, db, app, servers)
            await bench.healthy(http)
            for repetition in range(repetitions):
                moved = await bench.move(http)
                told, resumed = await bench.none_left(http)
                for key, value in (("move", moved), ("told", told), ("resumed", resumed)):
                    figures[key].append(value)
                print(
                    f"  {label:9s} {repetition + 1:2d}: kill -> room_changed {moved:6.2f} s;"
                    f" none left: kill -> told {told:6.2f} s, start -> resumed {resumed:6.2f} s",
                    flush=True,
                )
    finally:
        await app.stop()
        await db.close()
    return {key: summary(values) for key, values in figures.items()}


async def run(args, environ: dict[str, str]) -> dict:
    from app.settings import load_settings

    folder = Path(tempfile.mkdtemp(prefix="snabb-failover-"))
    servers = [Janus(environ, name, folder) for name in ("janus-a", "janus-b")]
    # The production defaults (config/default.toml), not the test settings' reconciler off.
    environ = {
        **environ,
        "SNABB_JANUS_SERVERS": json.dumps([j.server for j in servers]),
        "SNABB_LIVE_RECONCILE_INTERVAL": str(args.reconcile_interval),
        "SNABB_JANUS_RECONNECT_MAX_DELAY": "2.0",
        "SNABB_LIVE_OFFER_SECONDS": "60",
    }
    settings = load_settings(environ)
    for janus in servers:
        janus.start()
    try:
        figures = {
            "repetitions": args.repetitions,
            "reacting": await measure(settings, environ, servers, "app", args.repetitions, "reacting"),
            "baseline": await measure(
                settings,
                environ,
                servers,
                "scripts.bench.failover_baseline_app",
                args.baseline_repetitions,
                "baseline",
            ),
        }
    finally:
        for janus in servers:
            janus.stop()
    return figures


def report(figures: dict) -> None:
    print()
    print("Failover benchmark: seconds, the later of the two sockets, median (max)")
    print(f"  {'':28s} {'reacting':>16s} {'baseline':>16s} {'ratio':>7s}")
    for key, text in (
        ("move", "kill -> room_changed"),
        ("told", "none left: kill -> told"),
        ("resumed", "none left: start -> resumed"),
    ):
        new, old = figures["reacting"][key], figures["baseline"][key]
        ratio = new["p50"] / old["p50"] if old["p50"] else float("nan")
        print(
            f"  {text:28s} {new['p50']:7.2f} ({max_of(new):6.2f}) "
            f"{old['p50']:7.2f} ({max_of(old):6.2f}) {ratio:7.2f}"
        )
    print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def max_of(values: dict) -> float:
    return values["p99"]


def main() -> int:
    parser = argument_parser("scripts/bench-failover", __doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--baseline-repetitions", type=int, default=2)
    parser.add_argument("--reconcile-interval", type=float, default=15.0)
    return run_and_report(parser.parse_args(), run, report)


if __name__ == "__main__":
    sys.exit(main())
