"""scripts/run starts again a service of its own that dies while the application runs
(app/localstack/stack.py restart_what_died, app/localstack/__main__.py watch): before, a
Janus that crashed left a developer's calls failing until everything was started again."""

from __future__ import annotations

import asyncio
import signal
import smtplib
import subprocess

import asyncpg
import pytest

from app.localstack import processes
from app.localstack.__main__ import watch
from app.localstack.restarts import Restart, Restarter
from tests.stacks import throwaway_stack


@pytest.fixture
def own_stack():
    with throwaway_stack("snabb-restarts-") as local:
        yield local


def stopped(process: subprocess.Popen, how: signal.Signals) -> None:
    process.send_signal(how)
    process.wait(30)


async def test_every_service_that_died_is_started_again_on_its_own_port(own_stack):
    restarter = Restarter(own_stack)
    assert restarter.restart_what_died() == []  # all alive: nothing done
    janus_port, mail_port = own_stack.janus.ws_port, int(own_stack.environ["SNABB_MAIL_SMTP_PORT"])
    stopped(own_stack.janus.process, signal.SIGKILL)
    stopped(own_stack.mail_process, signal.SIGKILL)
    # Killed: its children go a moment later, and until then it refuses to start beside them
    # (its postmaster.pid is kept for that); tried again the next round.
    stopped(own_stack.postgres.process, signal.SIGKILL)
    said = {restart.name: restart for restart in restarter.restart_what_died()}
    assert said["Janus"] == Restart("Janus", -signal.SIGKILL, "started it again")
    assert said["the mail catcher"] == Restart("the mail catcher", -signal.SIGKILL, "started it again")
    for _ in range(10):
        if own_stack.postgres.process.poll() is None:
            break
        await asyncio.sleep(1)
        restarter.restart_what_died()
    assert own_stack.janus.ws_port == janus_port and own_stack.janus.running
    processes.wait_for_port("127.0.0.1", janus_port, 5, own_stack.janus.process, "Janus")
    with smtplib.SMTP("127.0.0.1", mail_port, timeout=5) as smtp:
        assert smtp.noop()[0] == 250
    db = await asyncpg.connect(own_stack.environ["DATABASE_URL"])
    try:
        assert await db.fetchval("SELECT 1") == 1
    finally:
        await db.close()
    assert restarter.restart_what_died() == []


async def test_a_service_that_cannot_stay_up_is_tried_a_few_times_then_left(own_stack):
    now = [0.0]
    restarter = Restarter(own_stack, clock=lambda: now[0])
    real_start = own_stack.janus.start

    def broken_start(timeout: float = 20) -> None:
        raise RuntimeError("Janus exited with code 1 while starting")

    own_stack.janus.start = broken_start
    stopped(own_stack.janus.process, signal.SIGKILL)
    outcomes = []
    for _ in range(5):
        outcomes += [restart.outcome for restart in restarter.restart_what_died()]
        now[0] += 5
    assert outcomes == [
        "could not start it again (Janus exited with code 1 while starting)",
        "could not start it again (Janus exited with code 1 while starting)",
        "could not start it again (Janus exited with code 1 while starting)",
        "it ended 4 times within a minute: not started again",
    ]
    own_stack.janus.start = real_start
    own_stack.janus.start()


async def test_scripts_run_says_which_died_and_goes_on_until_the_application_ends(own_stack, capsys):
    application = subprocess.Popen(["sleep", "4"])  # stands for the application's process
    stopped(own_stack.janus.process, signal.SIGKILL)
    assert await asyncio.to_thread(watch, application, own_stack) == 0
    said = capsys.readouterr().err
    assert said.count("scripts/run: Janus was stopped by SIGKILL: started it again (its log:") == 1, said
    assert own_stack.janus.running
