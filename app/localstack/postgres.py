"""A private PostgreSQL cluster: initialised once in a folder of ours, started on a loopback port."""

from __future__ import annotations

import glob
import hashlib
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.localstack import processes

DATABASE_NAME = "snabbintervjuer"
SUPERUSER = "postgres"


def cluster_dir(preferred: Path) -> Path:
    """`preferred` when the unprivileged user can reach it, else a folder under /var/lib.

    A checkout under /root (mode 700) cannot hold a cluster that runs as `postgres`."""
    preferred.parent.mkdir(parents=True, exist_ok=True)
    if processes.reachable_by_unprivileged(preferred.parent):
        return preferred
    digest = hashlib.sha256(str(preferred.resolve()).encode()).hexdigest()[:12]
    fallback = Path("/var/lib/snabbintervjuer") / digest / preferred.name
    fallback.parent.mkdir(parents=True, exist_ok=True)
    fallback.parent.chmod(0o755)
    fallback.parent.parent.chmod(0o755)
    return fallback


def postgres_bindir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if not candidates:
        raise RuntimeError("PostgreSQL server not found: install the Debian package postgresql")
    return Path(candidates[-1]).parent


@dataclass
class LocalPostgres:
    data_dir: Path
    port: int
    log_path: Path
    # Tests trade durability for speed; a developer's cluster keeps fsync on.
    throwaway: bool = False
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE_NAME}"

    @property
    def admin_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not processes.reachable_by_unprivileged(self.data_dir.parent):
            raise RuntimeError(
                f"the user '{processes.UNPRIVILEGED_USER}' cannot reach "
                f"{self.data_dir.parent}; PostgreSQL needs a folder it can enter"
            )
        processes.hand_to_unprivileged(self.data_dir)
        self.data_dir.chmod(0o700)
        # Trust on loopback only: the cluster listens on 127.0.0.1 and a socket in its own folder.
        processes.run_checked(
            [
                str(postgres_bindir() / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ],
            as_unprivileged=True,
            what="initdb",
        )

    def start(self, timeout: float = 30) -> None:
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        # A postmaster.pid left by a server that was killed stays: PostgreSQL reads it to refuse
        # to start while that server's children still hold its shared memory, and removes it
        # itself once they are gone.
        argv = [
            str(postgres_bindir() / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.data_dir}",
            "-c",
            "max_connections=200",
        ]
        if self.throwaway:
            argv += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        self.process = processes.start(argv, self.log_path, as_unprivileged=True)
        processes.wait_for_port("127.0.0.1", self.port, timeout, self.process, "PostgreSQL")
        self._wait_accepting(timeout)
        self._ensure_database()

    def _psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(postgres_bindir() / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-tAq",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def _wait_accepting(self, timeout: float) -> None:
        # The port opens before recovery ends; "the database system is starting up" until then.
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._psql("SELECT 1")
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _ensure_database(self) -> None:
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")
        if not exists:
            self._psql(f"CREATE DATABASE {DATABASE_NAME}")

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, data is flushed.
        processes.stop(self.process, signal.SIGINT, timeout=30)
        self.process = None
