"""The whole local stack, in start-up order, for scripts/run and for the test harness.

PostgreSQL (unless DATABASE_URL names another), migrations, the rendered Janus configuration
and Janus (unless SNABB_JANUS_SERVERS names others), coturn (unless SNABB_TURN_URLS names
one) and the mail catcher. The stack hands
its addresses and secrets to the application as environment variables, the same channel
operators use, so nothing here is special to development.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.janus_config import render_janus_config
from app.localstack import processes
from app.localstack.coturn import LocalCoturn
from app.localstack.janus_server import LocalJanus
from app.localstack.postgres import LocalPostgres, cluster_dir
from app.migrate import migrate_url
from app.settings import Settings, load_settings

SECRET_NAMES = (
    "SNABB_APP_SECRET_KEY",
    "SNABB_JANUS_ADMIN_SECRET",
    "SNABB_JANUS_ROOM_ADMIN_KEY",
    "SNABB_JANUS_EVENT_SECRET",
    "SNABB_APP_METRICS_TOKEN",
    "SNABB_TURN_SECRET",
)


def load_or_create_secrets(path: Path | None) -> dict[str, str]:
    """Secrets for a local stack: kept in `path` so sessions survive a restart, or fresh
    (a secret added since the file was written is made and kept too)."""
    kept = json.loads(path.read_text()) if path is not None and path.exists() else {}
    values = {name: kept.get(name) or secrets.token_urlsafe(32) for name in SECRET_NAMES}
    values.update(kept)
    if values == kept:
        return values
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(values, handle)
    return values


def health_port_beside(env: dict[str, str], host: str) -> dict[str, str]:
    """The health port for an application run with `env` and listening on `host` (its own
    --host: the health listener binds there): the configured one unless another run holds
    it, then a free one (the banner says which: app/localstack/__main__.py), so a second run
    beside the first starts. Nothing when the environment names one, or none is configured."""
    if env.get("SNABB_APP_HEALTH_PORT"):
        return {}
    configured = load_settings(env).app.health_port
    if not configured:
        return {}
    return {"SNABB_APP_HEALTH_PORT": str(processes.port_if_free(configured, host))}


@dataclass
class LocalStack:
    state_dir: Path
    app_port: int
    env_name: str = "development"
    # Tests: fresh secrets, fsync off, everything thrown away afterwards.
    throwaway: bool = False
    base_environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    # The address browsers reach the application, Janus and coturn at; Janus offers media on
    # `ice_interface` when given (a network namespace's, tests/netns.py), else as configured.
    host: str = "127.0.0.1"
    ice_interface: str | None = None
    postgres: LocalPostgres | None = None
    janus: LocalJanus | None = None
    coturn: LocalCoturn | None = None
    mail_process: subprocess.Popen | None = None
    environ: dict[str, str] = field(default_factory=dict)

    @property
    def maildir(self) -> Path:
        return self.state_dir / "mail"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    def settings(self) -> Settings:
        return load_settings(self.environ)

    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o755)
        env = dict(self.base_environ)
        env["SNABB_ENV"] = self.env_name
        stack_secrets = load_or_create_secrets(None if self.throwaway else self.state_dir / "secrets.json")
        if env.get("SNABB_TURN_URLS"):
            stack_secrets.pop("SNABB_TURN_SECRET")  # their own coturn, with their own secret
        env.update(stack_secrets)
        env["SNABB_APP_PORT"] = str(self.app_port)
        env["SNABB_APP_HOST"] = self.host
        env["SNABB_APP_PUBLIC_URL"] = f"http://{self.host}:{self.app_port}"
        env["SNABB_JANUS_SERVER_EVENT_BACKEND_URL"] = f"http://{self.host}:{self.app_port}/janus/events"
        try:
            self._start_database(env)
            self._start_janus(env)
            self._start_turn(env)
            self._start_mail(env)
        except BaseException:
            self.stop()
            raise
        self.environ = env

    def _start_database(self, env: dict[str, str]) -> None:
        if not env.get("DATABASE_URL"):
            data_dir = cluster_dir(self.state_dir / "postgres")
            self.postgres = LocalPostgres(
                data_dir, processes.free_port(), self.logs_dir / "postgres.log", throwaway=self.throwaway
            )
            self.postgres.start()
            env["DATABASE_URL"] = self.postgres.url
        asyncio.run(migrate_url(env["DATABASE_URL"]))

    def _start_janus(self, env: dict[str, str]) -> None:
        if env.get("SNABB_JANUS_SERVERS"):
            return  # operators named their own Janus servers
        ws_port, admin_port = self._kept_ports("janus", [self.host, "127.0.0.1"])
        rtp_start = 20000 + (ws_port % 200) * 100  # a range of its own, so two stacks never share
        env.update(
            {
                "SNABB_JANUS_SERVER_WS_PORT": str(ws_port),
                "SNABB_JANUS_SERVER_ADMIN_WS_PORT": str(admin_port),
                "SNABB_JANUS_SERVER_RTP_PORT_MIN": str(rtp_start),
                "SNABB_JANUS_SERVER_RTP_PORT_MAX": str(rtp_start + 99),
                "SNABB_JANUS_SERVER_BIND_IP": self.host,
                "SNABB_JANUS_SERVERS": json.dumps(
                    [
                        {
                            "name": "janus1",
                            "url": f"ws://{self.host}:{ws_port}",
                            "public_url": f"ws://{self.host}:{ws_port}",
                            "admin_url": f"ws://127.0.0.1:{admin_port}",
                        }
                    ]
                ),
            }
        )
        if self.ice_interface:
            env["SNABB_JANUS_SERVER_ICE_ENFORCE_LIST"] = self.ice_interface
        config_dir = self.state_dir / "janus"
        render_janus_config(load_settings(env), config_dir, "janus1")
        self.janus = LocalJanus(config_dir, ws_port, admin_port, self.logs_dir / "janus.log", host=self.host)
        self.janus.start()

    def _kept_ports(self, name: str, hosts: list[str]) -> list[int]:
        """Free ports, one per host, the same as the last run's where they are free still: a
        page open across a restart of scripts/run keeps its Content-Security-Policy, which
        names Janus's address (on a port of its own each run, its calls could not come back
        without a reload). A throwaway stack (the tests') takes any."""
        if self.throwaway:
            return [processes.free_port() for _ in hosts]
        path = self.state_dir / "ports.json"
        try:
            kept = json.loads(path.read_text())
        except (OSError, ValueError):
            kept = {}
        before = kept.get(name) if isinstance(kept, dict) else None
        if not (
            isinstance(before, list) and len(before) == len(hosts) and all(isinstance(p, int) for p in before)
        ):
            before = [0] * len(hosts)
        ports = [
            processes.port_if_free(port, host) if port else processes.free_port()
            for port, host in zip(before, hosts)
        ]
        kept = kept if isinstance(kept, dict) else {}
        kept[name] = ports
        path.write_text(json.dumps(kept))
        return ports

    def _start_turn(self, env: dict[str, str]) -> None:
        if env.get("SNABB_TURN_URLS"):
            return  # operators named their own TURN server
        # A folder coturn's own user can reach, as PostgreSQL's (cluster_dir says why).
        self.coturn = LocalCoturn(
            cluster_dir(self.state_dir / "coturn"),
            self.host,
            env["SNABB_TURN_SECRET"],
            self.logs_dir / "coturn.log",
        )
        self.coturn.start()
        env["SNABB_TURN_URLS"] = json.dumps(self.coturn.urls)

    def _start_mail(self, env: dict[str, str]) -> None:
        port = processes.free_port()
        self.start_mail_catcher(port)
        env["SNABB_MAIL_SMTP_HOST"] = "127.0.0.1"
        env["SNABB_MAIL_SMTP_PORT"] = str(port)
        env["SNABB_MAIL_CATCHER_DIR"] = str(self.maildir)

    def start_mail_catcher(self, port: int) -> None:
        self.mail_process = processes.start(
            [
                sys.executable,
                "-m",
                "app.localstack.mailcatcher",
                "--port",
                str(port),
                "--maildir",
                str(self.maildir),
            ],
            self.logs_dir / "mailcatcher.log",
        )
        processes.wait_for_port("127.0.0.1", port, 20, self.mail_process, "mail catcher")

    def stop(self) -> None:
        processes.stop(self.mail_process)
        self.mail_process = None
        if self.coturn is not None:
            self.coturn.stop()
        if self.janus is not None:
            self.janus.stop()
        if self.postgres is not None:
            self.postgres.stop()
