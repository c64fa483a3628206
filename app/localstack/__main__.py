"""scripts/run: the whole service on this machine, until Ctrl-C.

Starts the local stack (PostgreSQL, migrations, Janus, coturn, mail catcher), seeds the demo data,
then the application, prints where to go, and on Ctrl-C (or SIGTERM) stops all it started.
Arguments are passed to the application (`--port 9000`, `--host 127.0.0.2`).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.localstack import processes, running
from app.localstack.restarts import Restarter
from app.localstack.stack import LocalStack, health_port_beside
from app.seed import seed_url
from app.timefmt import in_swedish_time

ROOT = Path(__file__).resolve().parent.parent.parent
STATE_DIR = ROOT / ".local"


def turn_line(stack: LocalStack) -> str:
    if stack.coturn is None:
        return "as SNABB_TURN_URLS names"
    return (
        f"coturn on {stack.coturn.host}:{stack.coturn.port} (UDP, TCP), "
        f'{stack.coturn.tls_port} (TLS, self-signed: README.md, "TURN")'
    )


def health_line(stack: LocalStack, host: str, address: str) -> str:
    """Where the probes are answered: the health port when there is one (DEPLOYMENT.md,
    "Health checks"), else the app's own port."""
    port = stack.settings().app.health_port
    if not port:
        return f"{address}healthz"
    return f"http://{host}:{port}/healthz (also /livez, /readyz; {address}healthz on the app's port)"


def _terminate(signum, frame):
    raise KeyboardInterrupt


def stack_host(host: str) -> str:
    """Where the stack puts Janus, coturn and the links for an application listening on
    `host`: that address, or loopback for a name or an any-address (0.0.0.0), which a browser
    cannot be sent to and coturn cannot listen on (it takes addresses only)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "127.0.0.1"
    return "127.0.0.1" if address.is_unspecified else host


def stack_for(argv: list[str]) -> tuple[LocalStack, argparse.Namespace]:
    """The stack for the application's own --port and --host (the rest of `argv` is the
    application's alone): the public URL, Janus's event_backend_url and Janus's and coturn's
    addresses go with --host, so a page served at 127.0.0.2 calls and is called back there."""
    parser = argparse.ArgumentParser(prog="scripts/run", add_help=False)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    known, _ = parser.parse_known_args(argv)
    return LocalStack(STATE_DIR, known.port, host=stack_host(known.host)), known


USAGE = """usage: scripts/run [--host H] [--port P]

Set up and run the whole service on this machine until Ctrl-C: PostgreSQL, Janus, coturn,
a mail catcher and the demo data, then the application (python -m app) with these
arguments. --host: the address the application, Janus, coturn and the links use
(default 127.0.0.1); --port: the application's port (default 8080). Logs of the services:
.local/logs/; the application's: this terminal. README.md, "The two commands"."""


def ended(what: str, code: int) -> str:
    """How a process ended, from its return code (negative: a signal)."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"{what} was stopped by {name}"
    return f"{what} exited with code {code}"


def app_ended(code: int) -> str:
    return ended("the application", code)


WATCH_SECONDS = 1.0


def watch(app_process: subprocess.Popen, stack: LocalStack) -> int:
    """Until the application ends (its return code): a service of the stack that dies
    meanwhile is said, and started again on its own port (app/localstack/restarts.py)."""
    restarter = Restarter(stack)
    while True:
        try:
            return app_process.wait(timeout=WATCH_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        for restart in restarter.restart_what_died():
            print(
                f"scripts/run: {ended(restart.name, restart.ended)}: {restart.outcome}"
                f" (its log: {stack.logs_dir}).",
                file=sys.stderr,
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        print(USAGE)  # nothing started
        return 0
    stack, known = stack_for(argv)
    signal.signal(signal.SIGTERM, _terminate)
    # Started in the background by a non-interactive shell, SIGINT arrives ignored: Ctrl-C
    # (or kill -INT) must stop everything all the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = time.monotonic()
    app_process: subprocess.Popen | None = None
    try:
        print("Starting PostgreSQL, Janus, coturn and the mail catcher …", flush=True)
        stack.start()
        stack.environ.update(health_port_beside(stack.environ, known.host))
        demo = asyncio.run(seed_url(stack.environ["DATABASE_URL"]))
        app_process = processes.start([sys.executable, "-m", "app", *argv], None, env=stack.environ, cwd=ROOT)
        processes.wait_for_port(known.host, known.port, 30, app_process, "the application")
        running.publish(stack.environ, stack.base_environ)
        address = f"http://{stack.host}:{known.port}/"  # the public URL's host, as in the links
        print(
            f"""
Snabbintervjuer is running (started in {time.monotonic() - started:.1f} s).

  Open:         {address}
  Demo login:   {demo["email"]} / {demo["password"]}
  Demo event:   starts {in_swedish_time(demo["starts_at"]):%Y-%m-%d %H:%M} (Swedish time)
  Caught mail:  {address}dev/mail
  TURN:         {turn_line(stack)}
  Health:       {health_line(stack, known.host, address)}
  Logs:         {stack.logs_dir} (the services'; the application's in this terminal)

Press Ctrl-C to stop everything.
""",
            flush=True,
        )
        code = watch(app_process, stack)
        # Not after a Ctrl-C (KeyboardInterrupt, below): the application ended on its own, and
        # everything else stops with it; said, or the terminal's last line was an access log.
        print(
            f"\nscripts/run: {app_ended(code)}: stopping everything it started.", file=sys.stderr, flush=True
        )
        return code if code >= 0 else 128 - code
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
        return 0
    except RuntimeError as error:
        print(f"scripts/run: {error}", file=sys.stderr)
        return 1
    finally:
        running.withdraw()
        processes.stop(app_process, signal.SIGINT)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
