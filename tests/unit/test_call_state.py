"""The browser's call logic without a browser: the call state machine (live/call-state.js)
and the bitrate control (send-control.js), by their node tests in tests/js/."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1] / "js"


def test_call_logic_in_node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: scripts/bootstrap installs nodejs")
    files = sorted(str(path) for path in TESTS.glob("*.test.mjs"))
    assert len(files) >= 2
    result = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout
