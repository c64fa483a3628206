"""What a hung test leaves behind: the stack of every asyncio task, printed when pytest-timeout
(setup.cfg, [tool:pytest] timeout) fails a test. Its own dump shows the threads only, and a test
hung on an await shows nothing there but the event loop idle in select()."""

from __future__ import annotations

import asyncio
import io
import warnings

import pytest


def tasks_report() -> str:
    """Every pending task of the tests' event loop, each with where it waits."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return "no event loop"
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    out = io.StringIO()
    out.write(f"{len(tasks)} asyncio tasks pending:\n")
    for task in tasks:
        task.print_stack(limit=12, file=out)
    return out.getvalue()


def is_timeout(call: pytest.CallInfo) -> bool:
    return call.excinfo is not None and str(call.excinfo.value).startswith("Timeout")
