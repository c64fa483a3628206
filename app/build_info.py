"""What code runs: the package's version and the git commit it was built from.

An operator asks it first when something goes wrong after an upgrade (DEPLOYMENT.md,
"Upgrades"). An image has no git history: its build is given the commit
(`SOURCE_COMMIT=$(git rev-parse HEAD) docker compose build`, the Dockerfile makes it
SNABB_SOURCE_COMMIT). A source tree asks git. Said in the start-up line, on /metrics
(`snabb_build_info`) and on the operations page.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from app.paths import PACKAGE_DIR

UNKNOWN = "unknown"
# A commit as git names it, whole or abbreviated; anything else given is not shown.
_COMMIT = re.compile(r"[0-9a-f]{7,40}")


@dataclass(frozen=True)
class BuildInfo:
    version: str
    commit: str  # 12 hex digits, or "unknown"

    def __str__(self) -> str:
        return f"{self.version}, commit {self.commit}"


@cache
def build_info() -> BuildInfo:
    return BuildInfo(_version(), _commit(os.environ.get("SNABB_SOURCE_COMMIT", "")))


def _version() -> str:
    try:
        return metadata.version("snabbintervjuer")
    except metadata.PackageNotFoundError:  # run from a tree never installed
        return UNKNOWN


def _commit(given: str) -> str:
    given = given.strip().lower()
    if _COMMIT.fullmatch(given):
        return given[:12]
    return _from_git() or UNKNOWN


def _from_git() -> str | None:
    """HEAD of the source tree the package runs from, if it is a git checkout."""
    source = PACKAGE_DIR.parent
    if not (source / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    head = done.stdout.strip()
    return head[:12] if done.returncode == 0 and _COMMIT.fullmatch(head) else None
