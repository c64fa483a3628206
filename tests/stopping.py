"""Freezing a process for a test (SIGSTOP), and knowing it is frozen.

kill() only queues the signal: a thread busy on the other core may still answer a request
sent right after it (a test once saw a frozen Janus answer). `freeze` returns once every
thread of the process shows the stopped state in /proc."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def _all_stopped(pid: int) -> bool:
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            # "pid (comm) S ...": the state follows the last ')' (comm may hold spaces).
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # a thread that ended meanwhile
        if state not in ("T", "t"):
            return False
    return True


def freeze(pid: int, timeout: float = 5.0) -> None:
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    while not _all_stopped(pid):
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} did not stop within {timeout} s")
        time.sleep(0.001)


def database_processes(data_directory: str) -> list[int]:
    """The postmaster of this test stack's PostgreSQL and its children."""
    postmaster = int(Path(data_directory, "postmaster.pid").read_text().split()[0])
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return [postmaster, *map(int, children)]


class Frozen:
    """Every process of the test stack's PostgreSQL stopped (SIGSTOP) until the block ends."""

    def __init__(self, processes: list[int]):
        self.processes = processes

    def __enter__(self) -> None:
        for pid in self.processes:
            freeze(pid)

    def __exit__(self, *failure: object) -> None:
        for pid in self.processes:
            os.kill(pid, signal.SIGCONT)
