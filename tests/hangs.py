"""What a hung test leaves behind: the stack of every asyncio task, printed when pytest-timeout
(setup.cfg, [tool:pytest] timeout) fails a test. Its own dump shows the threads only, and a test
hung on an await shows nothing there but the event loop idle in select()."""

from __future__ import annotations

import asyncio
import gc
import io

import pytest


def tasks_report() -> str:
    """Every pending task of every event loop not closed, each with where it waits. The loops
    are found among the live objects: by the time a test has hung, the current loop may have
    been unset by whatever ran before it (asyncio.run() does that)."""
    loops = [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop) and not o.is_closed()]
    if not loops:
        return "no event loop"
    out = io.StringIO()
    for loop in loops:
        tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
        out.write(f"{loop!r}: {len(tasks)} asyncio tasks pending:\n")
        for task in tasks:
            task.print_stack(limit=12, file=out)
    return out.getvalue()


def is_timeout(call: pytest.CallInfo) -> bool:
    return call.excinfo is not None and str(call.excinfo.value).startswith("Timeout")
