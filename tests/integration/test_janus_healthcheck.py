"""janus/healthcheck.py, the Janus container's health check, asked of the test's real Janus:
healthy where Janus listens, unhealthy at an address Janus is not bound to (a Janus on a host
of its own is bound to its private address, and a probe of loopback would never answer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

CHECK = Path(__file__).resolve().parents[2] / "janus" / "healthcheck.py"


def health(bind_ip: str, port: int) -> subprocess.CompletedProcess:
    environment = {"SNABB_JANUS_SERVER_WS_PORT": str(port), "SNABB_JANUS_SERVER_BIND_IP": bind_ip}
    return subprocess.run(
        [sys.executable, str(CHECK)], env=environment, capture_output=True, text=True, timeout=30, check=False
    )


def test_the_check_asks_janus_where_it_listens(settings):
    port = urlsplit(settings.janus.servers[0].url).port
    assert health("127.0.0.1", port).returncode == 0  # bound to one address: asked there
    assert health("0.0.0.0", port).returncode == 0  # every address: asked on loopback
    elsewhere = health("127.0.0.77", port)  # an address it is not bound to
    assert elsewhere.returncode != 0 and "janus: no answer" in elsewhere.stderr
