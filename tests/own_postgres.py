"""A PostgreSQL cluster of a test's own, to stop and start without disturbing the session's."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.localstack.postgres import LocalPostgres, cluster_dir
from app.localstack.processes import free_port


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[tuple[LocalPostgres, Path]]:
    """The cluster (not yet started) and its state folder; afterwards it is stopped, if it
    runs, and the folder removed."""
    state_dir = Path(tempfile.mkdtemp(prefix=prefix))
    state_dir.chmod(0o755)  # PostgreSQL runs as an unprivileged user and must enter it
    postgres = LocalPostgres(
        cluster_dir(state_dir / "postgres"), free_port(), state_dir / "postgres.log", throwaway=True
    )
    try:
        yield postgres, state_dir
    finally:
        postgres.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
