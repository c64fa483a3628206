"""scripts/run's watch over the services it started (app/localstack/__main__.py): one whose
process ends while the application runs (a crash, a kill, the kernel's out-of-memory killer)
is started again on its own port and folder. The application rides through its absence as a
deployed one does (the database's outage, Janus's failover), so a developer's calls and mail
come back without starting everything again. One that cannot stay up (a broken
configuration, its port taken) is tried a few times, then left, said so, rather than
restarted every second for ever."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.localstack.stack import LocalStack

# More ends than this within WINDOW_SECONDS and a service is not started again.
TRIES = 3
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Restart:
    name: str  # "Janus"
    ended: int  # the return code of the process that ended (negative: a signal)
    outcome: str  # what was done, as scripts/run says it


@dataclass
class Restarter:
    stack: LocalStack
    clock: Callable[[], float] = time.monotonic
    tries: dict[str, list[float]] = field(default_factory=dict)
    left: set[str] = field(default_factory=set)  # given up: not started again

    def services(self) -> list[tuple[str, subprocess.Popen | None, Callable[[], None]]]:
        stack = self.stack
        found: list[tuple[str, subprocess.Popen | None, Callable[[], None]]] = []
        for name, service in (
            ("PostgreSQL", stack.postgres),
            ("Janus", stack.janus),
            ("coturn", stack.coturn),
        ):
            if service is not None:
                found.append((name, service.process, service.start))
        if stack.mail_process is not None:
            port = int(stack.environ["SNABB_MAIL_SMTP_PORT"])
            found.append(("the mail catcher", stack.mail_process, lambda: stack.start_mail_catcher(port)))
        return found

    def restart_what_died(self) -> list[Restart]:
        """Each service whose process has ended, started again (or why not)."""
        done = []
        for name, process, start in self.services():
            if name in self.left or process is None or process.poll() is None:
                continue
            now = self.clock()
            recent = [at for at in self.tries.get(name, []) if now - at < WINDOW_SECONDS]
            if len(recent) >= TRIES:
                self.left.add(name)
                outcome = f"it ended {len(recent) + 1} times within a minute: not started again"
            else:
                self.tries[name] = [*recent, now]
                try:
                    start()
                    outcome = "started it again"
                except Exception as error:  # its start's own words; tried again next round
                    outcome = f"could not start it again ({error})"
            done.append(Restart(name, process.returncode, outcome))
        return done
