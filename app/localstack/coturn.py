"""coturn for the local stack: TURN over UDP, TCP and TLS with the per-ticket credentials of
app/turn.py, so that a local call can be relayed as a deployed one is (DEPLOYMENT.md, "TURN").

The configuration is the deployment's own (config/deploy/turnserver.conf) with the local
address, ports, secret and a certificate made at start: self-signed, for `host` only, and
trusted by nobody unless told to. A browser that does not trust it simply gathers no
TURN/TLS candidates; the test harness tells Chromium to trust exactly this certificate by
its key (`spki`, for --ignore-certificate-errors-spki-list), the way the deploy check does.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.localstack import processes

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY_CONF = ROOT / "config" / "deploy" / "turnserver.conf"
# What the deployment's file says about its container (ports, certificate, user, log,
# relay ports); the local stack says its own.
_CONTAINER_LINES = (
    "listening-port",
    "tls-listening-port",
    "cert=",
    "pkey=",
    "proc-user",
    "proc-group",
    "log-file",
    "min-port",
    "max-port",
)
REALM = "snabbintervjuer.local"
SERVICE_USER = "turnserver"  # made by Debian's coturn package


def turnserver_binary() -> str:
    binary = shutil.which("turnserver") or (
        "/usr/bin/turnserver" if Path("/usr/bin/turnserver").exists() else None
    )
    if binary is None:
        raise RuntimeError("coturn not found: install the Debian package coturn")
    return binary


def make_certificate(folder: Path, host: str) -> str:
    """A self-signed certificate for `host` (an IP address), valid for a week; returns the
    base64 SHA-256 of its public key, the form Chromium's SPKI allow-list takes."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "turn-cert.pem", folder / "turn-key.pem"
    kind = "IP" if _is_address(host) else "DNS"
    processes.run_checked(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "7",
            "-subj",
            "/CN=Snabbintervjuer local TURN",
            "-addext",
            f"subjectAltName={kind}:{host}",
        ],
        what="openssl req",
    )
    os.chmod(key, 0o600)
    public = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], capture_output=True, check=True
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"], input=public, capture_output=True, check=True
    ).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


@dataclass
class LocalCoturn:
    state_dir: Path
    host: str
    secret: str
    log_path: Path
    port: int = field(default_factory=processes.free_port)
    tls_port: int = field(default_factory=processes.free_port)
    process: subprocess.Popen | None = field(default=None, init=False)
    spki: str = field(default="", init=False)

    @property
    def urls(self) -> list[str]:
        return [
            f"turn:{self.host}:{self.port}?transport=udp",
            f"turn:{self.host}:{self.port}?transport=tcp",
            f"turns:{self.host}:{self.tls_port}?transport=tcp",
        ]

    @property
    def relay_ports(self) -> tuple[int, int]:
        # A range mostly of its own per stack, like Janus's RTP range (app/localstack/stack.py;
        # coturn tries another port when one is taken). Wide: Chromium allocates a relay per
        # local address and TURN URL for each peer connection, and does not release them when
        # its page closes: they last until they expire (10 minutes). One namespace run held
        # some 15 more ports after each relayed call; 100 ports ran out after about 20.
        start = 40000 + (self.port % 20) * 1000
        return start, start + 999

    def config_text(self) -> str:
        lines = [
            line for line in DEPLOY_CONF.read_text().splitlines() if not line.startswith(_CONTAINER_LINES)
        ]
        low, high = self.relay_ports
        lines += [
            f"listening-ip={self.host}",
            f"relay-ip={self.host}",
            f"listening-port={self.port}",
            f"tls-listening-port={self.tls_port}",
            f"cert={self.state_dir / 'turn-cert.pem'}",
            f"pkey={self.state_dir / 'turn-key.pem'}",
            f"min-port={low}",
            f"max-port={high}",
            "no-dtls",
            f"static-auth-secret={self.secret}",
            f"realm={REALM}",
            # Janus is on this very address, which the deployment's list denies.
            f"allowed-peer-ip={self.host}",
            f"pidfile={self.state_dir / 'turnserver.pid'}",
            f"log-file={self.log_path}",
        ]
        if ipaddress.ip_address(self.host).is_loopback:
            lines.append("allow-loopback-peers")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 20) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.spki = make_certificate(self.state_dir, self.host)
        conf = self.state_dir / "turnserver.conf"
        descriptor = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:  # it holds the secret
            handle.write(self.config_text())
        # As root: coturn runs as its own user from the start (as deployed, it never runs as
        # root for long), which also lets the network tests tell its packets from a
        # browser's (tests/netns.py). Its folder, key and configuration are its own.
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.touch()
        for path in (self.state_dir, conf, self.state_dir / "turn-key.pem", self.log_path):
            processes.hand_to_unprivileged(path, SERVICE_USER)
        # Its log file and its console (the banner) both go to log_path.
        self.process = processes.start(
            [turnserver_binary(), "-c", str(conf)], self.log_path, as_unprivileged=True, user=SERVICE_USER
        )
        processes.wait_for_port(self.host, self.port, timeout, self.process, "coturn")
        processes.wait_for_port(self.host, self.tls_port, timeout, self.process, "coturn (TLS)")
        self._wait_for_udp(timeout)

    def _wait_for_udp(self, timeout: float) -> None:
        """Until a STUN Binding request over UDP is answered (RFC 5389: type 0x0001, no
        attributes, the magic cookie, a transaction id)."""
        request = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + secrets.token_bytes(12)
        deadline = time.monotonic() + timeout
        assert self.process is not None, "started first"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.settimeout(0.2)
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"coturn exited with code {self.process.returncode}")
                probe.sendto(request, (self.host, self.port))
                try:
                    if probe.recv(1024)[8:20] == request[8:20]:
                        return
                except OSError:  # no answer yet, or refused while it starts
                    continue
        raise RuntimeError(f"coturn did not answer over UDP on {self.host}:{self.port}")

    def stop(self) -> None:
        processes.stop(self.process, signal.SIGTERM, timeout=10)
        self.process = None
