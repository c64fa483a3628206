"""An outage of the database as one of the process's loops meets it, logged twice: once when
the loop first fails to reach the database, and once when it reaches it again, with how long
it was away. Every loop tries again meanwhile (each at its own pace); a warning per try
filled the log while the database was down (one loop wrote over a thousand lines a second)
and hid everything else. docs/architecture.md, "Background work in every process".
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


class Outage:
    """`quiet_ends_it`: for users that cannot tell when the database answers again (the
    pages: most of them never ask it), no "back" line; an outage is over once no failure has
    been seen for that many seconds, and the next failure is logged as a new one."""

    def __init__(self, log: logging.Logger, who: str, meanwhile: str, quiet_ends_it: float | None = None):
        self.log = log
        self.who = who  # the loop, as the lines name it ("candidate reminders")
        self.meanwhile = meanwhile  # what the loop does until the database is back
        self.quiet_ends_it = quiet_ends_it
        self.since: float | None = None
        self.last: float = 0.0  # monotonic time of the latest failure seen

    @property
    def under_way(self) -> bool:
        return self.since is not None

    def seen(self, failure: BaseException) -> None:
        """A try failed: the first of an outage is logged (the error's type only: an
        asyncpg error may quote the connection's address and user)."""
        now = time.monotonic()
        if self.quiet_ends_it is not None and now - self.last > self.quiet_ends_it:
            self.since = None
        self.last = now
        if self.since is None:
            self.since = now
            self.log.warning(
                "%s: the database is unavailable (%s); %s",
                self.who,
                type(failure).__name__,
                self.meanwhile,
            )

    def over(self) -> None:
        """A try succeeded: the end of an outage, if there was one, is logged."""
        if self.since is not None:
            away = time.monotonic() - self.since
            self.log.warning("%s: the database is back after %s", self.who, _duration(away))
            self.since = None


def _duration(seconds: float) -> str:
    """A cut connection made again at once is away for milliseconds: "0.0 s" read as if
    nothing had been away at all."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
