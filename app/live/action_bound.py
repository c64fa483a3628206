"""A live action's database work is done within ACTION_SECONDS of its message, or not at all.

While PostgreSQL hangs (a frozen host, a long lock) an action used to wait for
`database.command_timeout` and could then still be applied when the database woke: an
*Extend* pressed during a freeze lengthened the interview minutes after the interviewer had
given up on it. Now an action that has not given back a connection by the bound is refused
`unavailable` (try again), and what it started is undone: its statement is cancelled (a
wait for a lock ends at once and rolls back), and a connection still not back a moment later
is closed under it, so that a backend that hangs finds the connection gone when it wakes and
rolls its transaction back instead of committing it. A statement that is its own
transaction (*Next*, *Join*, *End*, *Pause*, a leave) carries the moment the action is given up on
to the database (`not_after`), which refuses to run it after that moment: a backend that
wakes from a hang would otherwise run what lies in its buffer and commit it.

The connections an action takes are known through the pools' own hooks (app/db.py: `taken`
on acquire, `given_back` on release), so no action, and no statement of the queue, pays for
it beyond a context variable's look-up. An action that gave a connection back has done
database work that counts (a commit, or a refusal read): from then on it runs to its end as
before, its Janus calls included, since refusing it then would say nothing changed when
something had.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
from collections.abc import Awaitable
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")

# The bound. A press answered within a few seconds is still one the person is waiting for
# (their page says the service is slow after three); past it they press again or walk
# away, so applying it later would surprise them. Well above a busy event's slowest
# answers (BENCHMARKS.md: a hundred Nexts at once are answered within a second) and well
# below `database.command_timeout` (10 s), which bounds everything else.
ACTION_SECONDS = 4.0
# How long a refused action is given to undo its own work (its statement cancelled, its
# transaction rolled back: milliseconds with a database that answers) before its
# connections are closed under it.
UNDO_SECONDS = 0.5


class ActionTooSlow(TimeoutError):
    """The action's database work did not get done within the bound: nothing was changed.
    A TimeoutError, so the channel answers it `unavailable` like any database time-out."""


# How far the database's clock is ahead of this process's (seconds; measured with every
# heartbeat: database_clock_seen). The moment an action is given up on is told to the
# database in the database's own time: on another host its clock may be off by seconds
# (NTP not running, a virtual machine resumed), and a bound of a few seconds read by a
# clock ahead by more would refuse every action.
_clock_ahead = 0.0


# A reading whose round trip took longer than this says little (the read may have come
# anywhere in it: a busy event loop late to take the answer): the last good one stays.
_CLOCK_READ_SECONDS = 0.25


def database_clock_seen(database_now: dt.datetime, asked: dt.datetime, answered: dt.datetime) -> None:
    """The database's clock_timestamp() read between `asked` and `answered` (this process's
    clock): it is taken as read halfway through the round trip."""
    global _clock_ahead
    if (answered - asked).total_seconds() > _CLOCK_READ_SECONDS:
        return
    halfway = asked + (answered - asked) / 2
    _clock_ahead = (database_now - halfway).total_seconds()


class _Scope:
    """The connections one action holds now (by the backend's process id), whether its
    database work is settled (a connection given back, or `settled` said), and when it is
    given up on (in the database's time: _clock_ahead)."""

    def __init__(self, seconds: float) -> None:
        self.held: dict[int, Any] = {}
        self.settled = False
        self.not_after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds + _clock_ahead)


_CURRENT: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("live_action_scope", default=None)


async def taken(connection: asyncpg.Connection) -> None:
    """The pools' `setup`: a connection handed to the task that asked for it."""
    scope = _CURRENT.get()
    if scope is not None:
        scope.held[connection.get_server_pid()] = connection


def not_after() -> dt.datetime | None:
    """When the running live action is given up on (None outside one): its one-statement
    writes pass it to the database's guard, live_in_time (migration 0063), so that such a
    statement read by a backend only after it, when the backend wakes from a hang, does
    nothing."""
    scope = _CURRENT.get()
    return None if scope is None else scope.not_after


def settled() -> None:
    """The running action's database work is done (committed, or refused) on a connection
    that was not its own (a press of *Next* sent in another's statement: app/live/
    presses.py): from now on it runs to its end, as after giving a connection back."""
    scope = _CURRENT.get()
    if scope is not None:
        scope.settled = True


def given_back(connection: asyncpg.Connection) -> None:
    """Called by the pools' `reset` as a connection comes back in good order."""
    scope = _CURRENT.get()
    if scope is not None and scope.held.pop(connection.get_server_pid(), None) is not None:
        scope.settled = True


async def within_bound(work: Awaitable[T]) -> T:
    """`work`'s result, or ActionTooSlow when it holds or waits for a database connection
    ACTION_SECONDS after it began and has given none back yet (above)."""
    seconds = ACTION_SECONDS  # (read at each call: a test may move it)
    scope = _Scope(seconds)
    token = _CURRENT.set(scope)
    try:
        task = asyncio.ensure_future(work)  # runs in a copy of this context: with the scope
    finally:
        _CURRENT.reset(token)
    try:
        await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()  # the socket went: its action with it, as before
        raise
    if task.done() or scope.settled:
        return await task
    await _undo(task, scope)
    raise ActionTooSlow(f"a live action's database work took over {seconds} s")


async def _undo(task: asyncio.Future[Any], scope: _Scope) -> None:
    """Cancelling the task makes asyncpg cancel the statement under way on the server; a
    connection whose backend does not answer even that is closed, which rolls back what it
    did not commit. The task's own end (its error) is nobody's reply any more."""
    task.cancel()
    await asyncio.wait({task}, timeout=UNDO_SECONDS)
    for connection in list(scope.held.values()):
        if not connection.is_closed():
            connection.terminate()
    scope.held.clear()
    if task.done() and not task.cancelled():
        task.exception()  # seen: not logged as "never retrieved"
    else:
        task.add_done_callback(_quietly)


def _quietly(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()
