"""What a running `scripts/run` tells the admin scripts beside it (README, "Admin scripts").

The local stack hands its addresses and generated secrets to the application as environment
variables. An admin who runs `scripts/provision`, `scripts/migrate` or
`scripts/render-janus-config` in another terminal has none of them; so scripts/run writes
them to `.local/running.json` (readable by its owner only) while it runs, and
`load_settings_or_exit` takes them from there when the environment names no database. A file
left by a scripts/run that died is ignored: it names the process that wrote it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.paths import PACKAGE_DIR

# Only a source tree has a local stack: an installed package has no `.local` beside it.
RUNNING_FILE = PACKAGE_DIR.parent / ".local" / "running.json"


def publish(environ: dict[str, str], base: dict[str, str], path: Path | None = None) -> None:
    """Write what the stack added to or changed in the environment it was started with."""
    path = path or RUNNING_FILE
    added = {name: value for name, value in environ.items() if base.get(name) != value}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump({"pid": os.getpid(), "environ": added}, handle)


def withdraw(path: Path | None = None) -> None:
    (path or RUNNING_FILE).unlink(missing_ok=True)


def running_environ(path: Path | None = None) -> dict[str, str]:
    """The running local service's environment, or {} when none runs."""
    try:
        written = json.loads((path or RUNNING_FILE).read_text())
        os.kill(int(written["pid"]), 0)  # raises when that scripts/run is gone
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    environ = written.get("environ")
    return dict(environ) if isinstance(environ, dict) else {}
