"""A Janus server with our rendered configuration, as a child process on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from app.localstack import processes

ROOT = Path(__file__).resolve().parent.parent.parent
# Built by scripts/bootstrap from janus/loopback-shim/: lets Janus offer 127.0.0.1 (see there).
LOOPBACK_SHIM = ROOT / ".local" / "lib" / "loopback_shim.so"


def janus_binary() -> str:
    binary = shutil.which("janus") or ("/usr/bin/janus" if Path("/usr/bin/janus").exists() else None)
    if binary is None:
        raise RuntimeError("Janus not found: install the Debian package janus")
    return binary


@dataclass
class LocalJanus:
    config_dir: Path
    ws_port: int
    admin_ws_port: int
    log_path: Path
    host: str = "127.0.0.1"  # where browsers and the control plane reach its WebSocket
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.ws_port}"

    def start(self, timeout: float = 20) -> None:
        argv = [
            janus_binary(),
            "--config",
            str(self.config_dir / "janus.jcfg"),
            "--configs-folder",
            str(self.config_dir),
            "--disable-colors",
        ]
        if not LOOPBACK_SHIM.exists():
            raise RuntimeError(f"{LOOPBACK_SHIM} is missing: run scripts/bootstrap")
        env = dict(os.environ, LD_PRELOAD=str(LOOPBACK_SHIM))
        self.process = processes.start(argv, self.log_path, env=env)
        processes.wait_for_port(self.host, self.ws_port, timeout, self.process, "Janus")
        # The control plane adds its own token through the Admin API before anything else.
        processes.wait_for_port("127.0.0.1", self.admin_ws_port, timeout, self.process, "Janus Admin API")

    def stop(self) -> None:
        processes.stop(self.process, signal.SIGINT, timeout=15)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None
