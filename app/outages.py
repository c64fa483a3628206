"""An outage of the database as one of the process's loops meets it, logged twice: once when
the loop first fails to reach the database, and once when it reaches it again, with how long
it was away. Every loop tries again meanwhile (each at its own pace); a warning per try
filled the log while the database was down (one loop wrote over a thousand lines a second)
and hid everything else. docs/architecture.md, "Background work in every process".
"""

from __future__ import annotations

import logging
import time


class Outage:
    def __init__(self, log: logging.Logger, who: str, meanwhile: str):
        self.log = log
        self.who = who  # the loop, as the lines name it ("candidate reminders")
        self.meanwhile = meanwhile  # what the loop does until the database is back
        self.since: float | None = None

    @property
    def under_way(self) -> bool:
        return self.since is not None

    def seen(self, failure: BaseException) -> None:
        """A try failed: the first of an outage is logged (the error's type only: an
        asyncpg error may quote the connection's address and user)."""
        if self.since is None:
            self.since = time.monotonic()
            self.log.warning(
                "%s: the database is unavailable (%s); %s",
                self.who,
                type(failure).__name__,
                self.meanwhile,
            )

    def over(self) -> None:
        """A try succeeded: the end of an outage, if there was one, is logged."""
        if self.since is not None:
            self.log.warning("%s: the database is back after %.1f s", self.who, time.monotonic() - self.since)
            self.since = None
