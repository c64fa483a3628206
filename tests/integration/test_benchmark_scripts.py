"""The benchmark scripts (BENCHMARKS.md) still run end to end, at sizes that take seconds: a
change to the live core or the stack that breaks one would otherwise be found only by the
next person who needs its figures. Nothing here is timed (the figures are the scripts' own
business); what is checked is what must hold at any speed: no errors, nobody stuck, every
interview dispatched heard, the interviewer's state within its bound."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A run may wait for a core on a busy machine; this only stops a hung one.
HUNG = 600


def run(*command: str) -> str:
    """The command's output; it must succeed. Run in a session of its own, so that a hung run
    is ended with everything it started (its app process, its PostgreSQL and Janus)."""
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = process.communicate(timeout=HUNG)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"{command[0]} hung for {HUNG} s: {out[-3000:]}{err[-3000:]}")
    assert process.returncode == 0, out[-3000:] + err[-3000:]
    return out


def run_script(tmp_path: Path, *command: str) -> dict:
    figures = tmp_path / "figures.json"
    run(*command, "--json", str(figures), "--app-log", str(tmp_path / "app.log"))
    return json.loads(figures.read_text())


def test_bench_dispatch_runs_and_every_offer_arrives(tmp_path):
    figures = run_script(
        tmp_path,
        "scripts/bench-dispatch",
        "--candidates",
        "20",
        "--interviewers",
        "3",
        "--seconds",
        "3",
        "--baseline-rounds",
        "10",
        "--room-rounds",
        "2",
    )
    assert figures["errors"] == {} and figures["app_log_errors"] == 0
    assert figures["stuck_at_end"] == 0
    assert figures["interviews"] > 0 and figures["offer_latency"]["n"] == figures["interviews"]
    assert figures["floor"]["n"] > 0 and figures["baseline"]["n"] == 10


def test_bench_fanout_runs_and_the_interviewer_state_stays_small(tmp_path):
    figures = run_script(
        tmp_path,
        "scripts/bench-fanout",
        "--waiting",
        "30",
        "--interviewers",
        "2",
        "--seconds",
        "2",
        "--nexts",
        "1",
        "--no-storm",
    )
    churn = figures["churn"]
    assert churn["changes"] > 0 and churn["interviewer_states_per_second"] > 0
    assert 0 < churn["largest_interviewer_state"] <= 16 * 1024
    assert figures["floor"] and figures["idle_healthz"]


def test_bench_registration_runs_and_every_registration_is_confirmed(tmp_path):
    figures = run_script(
        tmp_path, "scripts/bench-registration", "--registrations", "40", "--concurrency", "4"
    )
    assert figures["registrations"] == 40
    assert figures["page_per_second"] > 0 and figures["baseline_per_second"] > 0
    assert figures["confirmed_per_second"] > 0


@pytest.mark.parametrize(
    "module, arguments",
    [
        ("scripts.bench.view_reads", ["--waiting", "50", "--reads", "5"]),
        ("scripts.bench.queue_changes", ["--waiting", "50", "--changes", "5"]),
    ],
)
def test_the_read_and_queue_benchmarks_run(module, arguments):
    assert "SELECT 1" in run(sys.executable, "-m", module, *arguments)  # the baseline beside each figure
