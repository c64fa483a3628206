"""/healthz probed from outside during the fan-out benchmark (scripts/bench/fanout.py): on the
app's own port, the old path, answered by the main event loop, and on the health listener's
port (app/health_listener.py), the new, answered by a thread with its own loop; both in the
same run, under the same load.

An orchestrator's probe opens a new connection each time ("fresh"); the old path is also
probed on one kept connection, the figure earlier runs recorded.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp

from scripts.bench.common import AppProcess, percentile

INTERVAL = 0.05


class HealthProbe:
    """/healthz every 50 ms; the latencies of the window. `fresh`: a new connection for each
    request, as an orchestrator's probe opens one (else one kept open, reused)."""

    def __init__(self, url: str, fresh: bool = False):
        self.url, self.fresh = url, fresh
        self.times: list[float] = []
        self.failures = 0
        self.task: asyncio.Task | None = None

    async def _run(self) -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=self.fresh)) as http:
            while True:
                started = time.perf_counter()
                try:
                    async with http.get(
                        f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=30)
                    ) as response:
                        await response.read()
                    self.times.append(time.perf_counter() - started)
                except (aiohttp.ClientError, TimeoutError):
                    self.failures += 1
                await asyncio.sleep(INTERVAL)

    def window(self) -> list[float]:
        taken, self.times = self.times, []
        return taken

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def health_port_environ(app_root: Path) -> dict[str, str]:
    """A free port for the health listener, when the app of `app_root` has one (an older
    checkout, run as a baseline, refuses a setting it does not know)."""
    from app.localstack.processes import free_port

    settings = (app_root / "app" / "settings.py").read_text()
    return {"SNABB_APP_HEALTH_PORT": str(free_port())} if "health_port" in settings else {}


def listener_url(app: AppProcess) -> str | None:
    port = app.environ.get("SNABB_APP_HEALTH_PORT")
    return f"http://127.0.0.1:{port}" if port else None


def listener_probe(app: AppProcess) -> HealthProbe | None:
    url = listener_url(app)
    return HealthProbe(url, fresh=True) if url else None


def figures(times: list[float], failures: int) -> dict:
    """One probe's window: the first request (its connection opened as the window began),
    p50, p90, the worst, and the worst after the first."""
    return {
        "n": len(times),
        "first": times[0] if times else float("nan"),
        "p50": percentile(times, 0.5),
        "p90": percentile(times, 0.9),
        "worst": max(times, default=float("nan")),
        "worst_after_first": max(times[1:], default=float("nan")),
        "failures": failures,
    }


def line(name: str, f: dict) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:7.1f} ms"

    return (
        f"    {name:52s} p50 {ms(f['p50'])}, p90 {ms(f['p90'])}, worst {ms(f['worst'])} "
        f"(first {ms(f['first'])}), {f['n']} answered, {f['failures']} failed"
    )
