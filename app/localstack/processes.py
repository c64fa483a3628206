"""Child processes that die with their parent and stop in order."""

from __future__ import annotations

import ctypes
import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path

_PR_SET_PDEATHSIG = 1
UNPRIVILEGED_USER = "postgres"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now; fixed ports would make two runs collide."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_if_free(port: int, host: str = "127.0.0.1") -> int:
    """`port` when nobody listens on it at `host`, else a free one: the well-known port
    where it can be had, and a second run beside the first still starts."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As the listener itself binds: a port left in TIME_WAIT by a run just stopped
            # is free to take.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            probe.listen()
    except OSError:
        return free_port(host if ":" not in host else "127.0.0.1")
    return port


def wait_for_port(
    host: str, port: int, timeout: float, process: subprocess.Popen | None = None, what: str = "service"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} while starting")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {host}:{port} within {timeout:.0f} s")


def die_with_parent() -> None:
    # Set after any uid change (CPython runs preexec_fn last), so the kernel keeps it:
    # if the orchestrator is killed outright, its children do not linger.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def running_as_root() -> bool:
    return os.geteuid() == 0


def unprivileged_account(name: str = UNPRIVILEGED_USER) -> pwd.struct_passwd:
    """PostgreSQL refuses to run as root; as root we run it as the `postgres` system user
    (and coturn as its own, `turnserver`)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(
            f"running as root needs the system user '{name}' "
            "(it comes with the Debian package of that service)"
        ) from None


def start(
    argv: list[str],
    log_path: Path | None,
    *,
    as_unprivileged: bool = False,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: str = UNPRIVILEGED_USER,
) -> subprocess.Popen:
    """Start a child in its own session so a Ctrl-C reaches only us; we stop it in order.

    Its output goes to `log_path`, or to our own terminal when that is None. As root,
    `as_unprivileged` runs it as `user` from the start: a child that dropped privileges
    itself would lose die_with_parent (the kernel clears it on a change of user)."""
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab") if log_path is not None else None
    kwargs: dict = {}
    if as_unprivileged and running_as_root():
        account = unprivileged_account(user)
        kwargs.update(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
    try:
        return subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT if log else None,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
            env=env,
            cwd=cwd,
            **kwargs,
        )
    finally:
        if log is not None:
            log.close()


def stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def run_checked(argv: list[str], *, as_unprivileged: bool = False, what: str) -> None:
    kwargs: dict = {}
    if as_unprivileged and running_as_root():
        account = unprivileged_account()
        kwargs.update(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def hand_to_unprivileged(path: Path, user: str = UNPRIVILEGED_USER) -> None:
    """Make a folder we created usable by the unprivileged account (root only)."""
    if running_as_root():
        account = unprivileged_account(user)
        os.chown(path, account.pw_uid, account.pw_gid)


def reachable_by_unprivileged(path: Path) -> bool:
    if not running_as_root():
        return True
    account = unprivileged_account()
    result = subprocess.run(
        ["test", "-x", str(path)], user=account.pw_uid, group=account.pw_gid, extra_groups=[]
    )
    return result.returncode == 0
