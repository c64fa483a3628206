"""The browser's call state machine (web/static/js/live/call-state.js): its node tests."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1] / "js" / "call-state.test.mjs"


def test_call_state_machine():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: scripts/bootstrap installs nodejs")
    result = subprocess.run([node, "--test", str(TESTS)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout
