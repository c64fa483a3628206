"""The process's open files (app/open_files.py) and the log of running out of them
(app/logs.py OutOfFilesFilter)."""

from __future__ import annotations

import errno
import logging
import resource

from app import open_files
from app.logs import OutOfFilesFilter


def test_the_live_sockets_stop_short_of_the_limit(monkeypatch):
    for soft, allowed in ((20_000, 20_000 - open_files.KEPT_FOR_THE_REST), (256, open_files.FEWEST)):
        monkeypatch.setattr(resource, "getrlimit", lambda _which, soft=soft: (soft, 1_048_576))
        assert open_files.live_sockets_allowed() == allowed
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (resource.RLIM_INFINITY,) * 2)
    assert open_files.live_sockets_allowed() == open_files.UNLIMITED


def test_the_soft_limit_is_raised_to_the_hard_one(monkeypatch):
    limits = {"now": (1024, 65536)}
    monkeypatch.setattr(resource, "getrlimit", lambda _which: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", lambda _which, pair: limits.update(now=pair))
    assert open_files.take_the_hard_limit() == 65536
    # No hard limit at all: as many as a process may have.
    limits["now"] = (1024, resource.RLIM_INFINITY)
    assert open_files.take_the_hard_limit() == open_files.UNLIMITED


def refused_accept(created: float) -> logging.LogRecord:
    error = OSError(errno.EMFILE, "Too many open files")
    record = logging.LogRecord(
        "asyncio",
        logging.ERROR,
        __file__,
        1,
        "socket.accept() out of system resource",
        (),
        (OSError, error, None),
    )
    record.created = created
    return record


def test_running_out_of_files_is_told_once_a_minute_without_its_tracebacks():
    told = OutOfFilesFilter()
    first = refused_accept(1000.0)
    assert told.filter(first) and first.exc_info is None
    assert (
        first.getMessage()
        == "out of open files: connections refused (OSError); 1 refusal(s) since this was last said"
    )
    assert not any(told.filter(refused_accept(1000.0 + n / 100)) for n in range(1, 4001))
    again = refused_accept(1061.0)
    assert told.filter(again)
    assert "4001 refusal(s)" in again.getMessage()
    other = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "Task was destroyed", (), None)
    assert told.filter(other) and other.getMessage() == "Task was destroyed"
