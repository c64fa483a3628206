"""What the benchmark scripts share: a throwaway stack, the app as a real process, figures.

The stack is the test suite's (app.localstack.stack.LocalStack with env "test": PostgreSQL,
Janus and a mail catcher on free loopback ports, thrown away afterwards). With `--reuse`
nothing is started: the settings come from config/ and the environment as they stand
(DATABASE_URL, SNABB_JANUS_SERVERS and the secrets that go with them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import statistics
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


@contextmanager
def stack_environ(reuse: bool, durable: bool = False) -> Iterator[dict[str, str]]:
    """The environment an app process of the benchmark runs with. `durable`: PostgreSQL
    with fsync and synchronous commits on, as deployed (the tests' cluster runs without)."""
    if reuse:
        yield dict(os.environ)
        return
    from app.localstack.processes import free_port
    from app.localstack.stack import LocalStack

    state_dir = Path(tempfile.mkdtemp(prefix="snabb-bench-"))
    os.chmod(state_dir, 0o755)  # PostgreSQL runs as an unprivileged user and must enter it
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SNABB_") and k != "DATABASE_URL"}
    local = LocalStack(state_dir, free_port(), env_name="test", throwaway=not durable, base_environ=environ)
    print("starting a throwaway stack (PostgreSQL, Janus) on loopback ...", flush=True)
    local.start()
    try:
        yield dict(local.environ)
    finally:
        local.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


class AppProcess:
    """The control plane as its own process (`python -m app`, or a module wrapping it)."""

    def __init__(
        self,
        environ: dict[str, str],
        module: str = "app",
        args: tuple = (),
        log_path: Path | None = None,
        root: Path = ROOT,
    ):
        from app.localstack.processes import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # root: another checkout's app (a baseline of the code before a change).
        self.root = root
        self.environ = {
            **environ,
            "SNABB_APP_HOST": "127.0.0.1",
            "SNABB_APP_PORT": str(self.port),
            "SNABB_APP_PUBLIC_URL": self.url,
            "PYTHONPATH": str(root),
        }
        self.argv = [sys.executable, "-m", module, *args]
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = log_path

    def _output(self) -> int:
        """Where the app's output goes: appended to log_path, or nowhere."""
        if self.log_path is None:
            return asyncio.subprocess.DEVNULL
        return os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    async def start(self, timeout: float = 60) -> None:
        output = self._output()
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, cwd=self.root, env=self.environ, stdout=output, stderr=output
            )
        finally:
            if output != asyncio.subprocess.DEVNULL:
                os.close(output)
        async with aiohttp.ClientSession() as http:
            for _ in range(int(timeout / 0.1)):
                if self.process.returncode is not None:
                    raise RuntimeError(f"the app exited with {self.process.returncode}")
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("the app did not become healthy")

    async def kill(self) -> None:
        """SIGKILL: no clean-up code of the app runs (tests of a crash)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def stop(self, timeout: float = 30) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)  # aiohttp's run_app shuts down cleanly
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def in_process(args: argparse.Namespace, measure: Callable[[dict[str, str]], Coroutine[Any, Any, T]]) -> T:
    """`measure(environ)` in this process, against the app of `args.app_root` (another
    checkout's, the code before a change, say) on a throwaway stack (or the one the
    environment names, `args.reuse`): for the benchmarks that call the app's functions
    themselves instead of running it as a process."""
    with stack_environ(args.reuse) as environ:
        # The app measured is the one of --app-root: this checkout's served the stack only.
        for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
            del sys.modules[name]
        sys.path.insert(0, str(Path(args.app_root).resolve()))
        return asyncio.run(measure(environ))


def argument_parser(prog: str, doc: str) -> argparse.ArgumentParser:
    """The options every benchmark has."""
    parser = argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the database and Janus named by the environment"
    )
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    return parser


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 100 values is the 99th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(round(fraction * len(ordered), 6)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.50),
        "p90": percentile(values, 0.90),
        "p99": percentile(values, 0.99),
        "mean": statistics.fmean(values) if values else float("nan"),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


async def seed_one_to_one(db, title: str, checked_in: bool = True):
    """A live event with one interviewer and one candidate (checked in unless told not):
    (event id, the interviewer's row, the candidate's row), rows with id and access_token."""
    import secrets

    tag = secrets.token_hex(4)
    organization = await db.fetchval(
        "INSERT INTO organization (name) VALUES ($1) RETURNING id", f"{title} AB {tag}"
    )
    event_id = await db.fetchval(
        """
        INSERT INTO event (organization_id, title, starts_at, duration_minutes,
                           interview_minutes, capacity, state)
        VALUES ($1, $2, now(), 120, 10, 10, 'live') RETURNING id""",
        organization,
        title,
    )
    interviewer = await db.fetchrow(
        """
        INSERT INTO event_interviewer (event_id, email, name, access_token, access_code)
        VALUES ($1, $2, 'Intervjuare', $3, '123456') RETURNING id, access_token""",
        event_id,
        f"i-{tag}@example.se",
        secrets.token_urlsafe(16),
    )
    candidate = await db.fetchrow(
        """
        INSERT INTO candidate (event_id, name, email, access_token, pin)
        VALUES ($1, 'Kandidat', $2, $3, '654321') RETURNING id, access_token""",
        event_id,
        f"c-{tag}@example.se",
        secrets.token_urlsafe(16),
    )
    if checked_in:
        await db.execute(
            "INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)", event_id, candidate["id"]
        )
    return event_id, interviewer, candidate


def run_and_report(args: argparse.Namespace, run, report) -> int:
    """A benchmark's main: `run(args, environ)` on its stack, `report(figures)`, the JSON."""
    import json
    import time

    started = time.perf_counter()
    with stack_environ(args.reuse) as environ:
        figures = asyncio.run(run(args, environ))
    report(figures)
    print(f"  (run took {time.perf_counter() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


def write_json(path: str | None, figures: dict) -> None:
    """--json: the figures as JSON too, for comparing runs."""
    if path:
        Path(path).write_text(json.dumps(figures, indent=2))
