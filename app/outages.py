"""An outage of the database as each part of the process (a loop, the live actions) meets
it: a warning when the part first fails to reach the database, and a line when it reaches it
again, with how long its own tries failed. Every part tries again meanwhile, each at its own
pace; a warning per try filled the log while the database was down (one loop wrote over a
thousand lines a second) and hid everything else. The parts' figures differ for one outage
(each from its own first failure, after its own time-out, to its own next try), so the first
success after an outage also logs, once, how long the outage was as the whole process saw it
(ProcessOutage). docs/architecture.md, "Background work in every process"; DEPLOYMENT.md,
"When PostgreSQL is away".
"""

from __future__ import annotations

import logging
import time
from types import TracebackType

import asyncpg

# What PostgreSQL's absence raises in asyncpg whatever the code around it: it cannot be
# reached, it is shutting down or restarting, it has no connection to spare, or the
# connection was cut.
DATABASE_GONE = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
)


def from_the_database(failure: BaseException) -> bool:
    """Whether `failure` says the database is away: one of asyncpg's errors for it, or a
    network error or time-out (a refused or cut connection, a name that does not resolve, a
    statement or a connect that timed out) raised in asyncpg's code, or by a time-out around
    it. A network error elsewhere (a browser that hung up mid-answer) is not an outage."""
    if isinstance(failure, DATABASE_GONE):
        return True
    if not isinstance(failure, (OSError, TimeoutError)):
        return False
    seen: set[int] = set()
    error: BaseException | None = failure
    while error is not None and id(error) not in seen:  # the error and what it came from
        seen.add(id(error))
        if _passes_through_asyncpg(error.__traceback__):
            return True
        error = error.__cause__ or error.__context__
    return False


def _passes_through_asyncpg(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith("asyncpg"):
            return True
        traceback = traceback.tb_next
    return False


class ProcessOutage:
    """The outage as the whole process saw it, for the one line that says how long it was:
    each part's own figure runs from its own first failure to its own next success, which
    depend on its pace and its time-outs (a hung database fails a 2 s heartbeat only when
    its statement times out, a listener's probe later still), so four parts gave four
    figures for one outage. This one runs from the last answer any part had before the
    first failure to the first answer after it: at most one try's interval longer than the
    database was away, while the first failure may come a time-out after it went."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self.answered: float | None = None  # monotonic time of the latest success of any part
        self.failed: float | None = None  # the first failure of an outage under way
        self.answered_before: float | None = None  # the latest success before that failure
        self.first: str = ""  # the part that met it first
        self.ended: float | None = None  # the answer that ended the last outage

    def failure(self, who: str, now: float, began: float | None = None) -> None:
        """`began`: when the failed try began, if the part knows. A try that began before the
        last outage ended failed in it (a statement sent into a database that hung, timed
        out only after it answered again): not a new outage, which would be logged with a
        length of milliseconds."""
        if began is not None and self.ended is not None and began < self.ended:
            return
        if self.failed is None:
            self.failed, self.answered_before, self.first = now, self.answered, who

    def answer(self, now: float) -> None:
        if self.failed is not None:
            since_failure = _duration(now - self.failed)
            since_answer = None if self.answered_before is None else _duration(now - self.answered_before)
            if since_answer == since_failure:  # refused at once (a restart): one figure
                self.log.warning(
                    "the database answers this process again: the outage lasted %s (first met by %s)",
                    since_failure,
                    self.first,
                )
            elif since_answer is None:
                self.log.warning(
                    "the database answers this process again: the outage lasted at least %s "
                    "(from the first failure, met by %s; no part had reached it before)",
                    since_failure,
                    self.first,
                )
            else:
                self.log.warning(
                    "the database answers this process again: the outage lasted %s to %s (from "
                    "the first failure, met by %s, or from the last answer any part had before it)",
                    since_failure,
                    since_answer,
                    self.first,
                )
            self.failed, self.ended = None, now
        self.answered = now


# One per process: every part's outage tells it of its first failure and of every success.
PROCESS = ProcessOutage(logging.getLogger(__name__))


class Outage:
    """One part's view of the database's outages. `quiet_ends_it`: for users that cannot
    tell when the database answers again (the pages: most of them never ask it), no "back"
    line; an outage is over once no failure has been seen for that many seconds, and the
    next failure is logged as a new one."""

    def __init__(
        self,
        log: logging.Logger,
        who: str,
        meanwhile: str,
        quiet_ends_it: float | None = None,
        process: ProcessOutage = PROCESS,
    ):
        self.log = log
        self.who = who  # the part, as the lines name it ("candidate reminders")
        self.meanwhile = meanwhile  # what the part does until the database is back
        self.quiet_ends_it = quiet_ends_it
        self.process = process
        self.since: float | None = None
        self.last: float = 0.0  # monotonic time of the latest failure seen

    @property
    def under_way(self) -> bool:
        return self.since is not None

    def seen(self, failure: BaseException, began: float | None = None) -> None:
        """A try failed: the first of an outage is logged (the error's type only: an
        asyncpg error may quote the connection's address and user). `began`: when the try
        began (time.monotonic()), for the process's count of outages (ProcessOutage)."""
        now = time.monotonic()
        if self.quiet_ends_it is not None and now - self.last > self.quiet_ends_it:
            self.since = None
        self.last = now
        if self.since is None:
            self.since = now
            self.process.failure(self.who, now, began)
            self.log.warning(
                "%s: the database is unavailable (%s); %s",
                self.who,
                type(failure).__name__,
                self.meanwhile,
            )

    def over(self) -> None:
        """A try succeeded (said after every success: the process's figure needs the last
        answer before an outage). The end of this part's outage, if there was one, is logged
        with what this part measured: from its own first failure to this success, which is
        not how long the database was away (ProcessOutage says that)."""
        now = time.monotonic()
        if self.since is not None:
            self.log.info(
                "%s: the database is back for this part after %s of its own failed tries",
                self.who,
                _duration(now - self.since),
            )
            self.since = None
        self.process.answer(now)


def _duration(seconds: float) -> str:
    """A cut connection made again at once is away for milliseconds: "0.0 s" read as if
    nothing had been away at all."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
