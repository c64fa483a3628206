"""A whole local stack of the tests' own (PostgreSQL, Janus, coturn, a mail catcher on free
loopback ports), thrown away afterwards."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.localstack.processes import free_port
from app.localstack.stack import LocalStack


@contextmanager
def throwaway_stack(prefix: str) -> Iterator[LocalStack]:
    state_dir = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(state_dir, 0o755)  # PostgreSQL runs as an unprivileged user and must enter it
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SNABB_") and k != "DATABASE_URL"}
    local = LocalStack(state_dir, free_port(), env_name="test", throwaway=True, base_environ=environ)
    local.start()
    try:
        yield local
    finally:
        local.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
