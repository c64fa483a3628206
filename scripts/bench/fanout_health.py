"""/healthz probed from outside during the fan-out benchmark (scripts/bench/fanout.py): on the
app's own port, the old path, answered by the main event loop, and on the health listener's
port (app/health_process.py), the new, answered by a child process of the app; both in the
same run, under the same load.

An orchestrator's probe opens a new connection each time ("fresh"); the old path is also
probed on one kept connection, the figure earlier runs recorded.
"""

from __future__ import annotations

import asyncio
import http.client
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from scripts.bench.common import ROOT, AppProcess, percentile

INTERVAL = 0.05
# The two probes added beside the kept connection's while the app's CPU under churn is
# measured: a few a second, so that they add next to nothing to it.
SIDE_BY_SIDE_INTERVAL = 0.2


class HealthProbe:
    """/healthz every `interval` seconds, from a process of its own; the latencies of the
    window. `fresh`: a new connection for each request, as an orchestrator's probe opens one
    (else one kept open, reused).

    Its own process, as an orchestrator is: a probe on the load generator's event loop timed
    that loop too, which ten thousand sockets reconnecting at once keep busy for seconds (a
    first request "took" 24 s to the health listener, whose answers were all a few ms)."""

    def __init__(self, url: str, fresh: bool = False, interval: float = INTERVAL, path: str = "/healthz"):
        self.url, self.fresh, self.interval, self.path = url, fresh, interval, path
        self.failures = 0
        self.process: subprocess.Popen | None = None
        self._file = Path(tempfile.mkstemp(prefix="bench-health-probe-")[1])
        self._read = 0

    def start(self) -> None:
        argv = [
            sys.executable,
            "-m",
            "scripts.bench.fanout_health",
            f"{self.url}{self.path}",
            str(self.fresh),
        ]
        self.process = subprocess.Popen([*argv, str(self.interval), str(self._file)], cwd=ROOT)

    async def answering(self, timeout: float = 60) -> None:
        """Until its process has made its first request (a Python starting takes a second or
        more here); that request is not counted: the next window begins with the next."""
        for _ in range(int(timeout / 0.05)):
            if self.window() or self.failures:
                self.failures = 0
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the health probe of {self.url} made no request")

    def window(self) -> list[float]:
        with self._file.open() as lines:
            lines.seek(self._read)
            text = lines.read()
        complete = text[: text.rfind("\n") + 1]  # a line being written is read next time
        self._read += len(complete)
        times = []
        for line in complete.splitlines():
            if line == "failed":
                self.failures += 1
            else:
                times.append(float(line))
        return times

    async def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            await asyncio.to_thread(self.process.wait)
        self._file.unlink(missing_ok=True)


def probe_forever(url: str, fresh: bool, interval: float, out: Path) -> None:
    """The probe's process: GET `url` again and again, one line per request, its seconds or
    "failed"."""
    address = urlsplit(url)
    connection: http.client.HTTPConnection | None = None
    with out.open("a", buffering=1) as lines:
        while True:
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
                connection.request("GET", address.path)
                connection.getresponse().read()
                lines.write(f"{time.perf_counter() - started:.6f}\n")
                if fresh:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                lines.write("failed\n")
                if connection is not None:
                    connection.close()
                connection = None
            time.sleep(interval)


def health_port_environ(app_root: Path) -> dict[str, str]:
    """A free port for the health listener, when the app of `app_root` has one (an older
    checkout, run as a baseline, refuses a setting it does not know)."""
    from app.localstack.processes import free_port

    settings = (app_root / "app" / "settings.py").read_text()
    return {"SNABB_APP_HEALTH_PORT": str(free_port())} if "health_port" in settings else {}


def listener_url(app: AppProcess) -> str | None:
    port = app.environ.get("SNABB_APP_HEALTH_PORT")
    return f"http://127.0.0.1:{port}" if port else None


def listener_probe(app: AppProcess, interval: float = INTERVAL) -> HealthProbe | None:
    url = listener_url(app)
    return HealthProbe(url, fresh=True, interval=interval) if url else None


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


class ProbeFloor:
    """A bare process answering /healthz with a constant (no database, no event loop of
    anybody else's): what this machine, as loaded as it is, gives any probe at all."""

    def __init__(self) -> None:
        from app.localstack.processes import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        argv = [sys.executable, "-m", "scripts.bench.fanout_health", "serve", str(self.port)]
        self.process = subprocess.Popen(argv, cwd=ROOT)
        for _ in range(600):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError("the probe floor's process did not listen")

    async def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            await asyncio.to_thread(self.process.wait)


def serve_constant(port: int) -> None:
    from aiohttp import web

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve_constant(int(sys.argv[2]))
    else:
        probe_forever(sys.argv[1], sys.argv[2] == "True", float(sys.argv[3]), Path(sys.argv[4]))
