"""A registration that ends while its candidate is on the event day: cancelled by the
candidate, removed or erased by the employer (README "Candidates").

The candidate is taken out the way the event day itself does it (queue.py `leave`, which
withdraws an open offer; interviews.py `end_interview` for a call under way), with those
notifications, so the interviewers' screens update when the caller commits; and their own
open pages are told (`registration_ended`, PROTOCOL.md), which show the page the link now
leads to instead of a queue they are no longer in. The rooms that ends are returned: the
caller closes them after its commit (`close_rooms`), since a Janus call must not hold
database locks.

What ended an interview or offer this way is recorded as the registration's end
(`end_reason` 'cancelled', 'removed' or 'erased'), not as the candidate leaving the call or
the queue: the employer reading the records afterwards sees why it ended. An open offer the
candidate did not end themselves (a removal, or an erasure the candidate did not ask for) is
withdrawn rather than missed, as an interviewer's withdrawal is: it was not the candidate's
doing, so it is neither a miss nor an interview in the summary.
"""

from __future__ import annotations

import asyncio

import asyncpg

from app.live import dispatch, interviews, queue
from app.live.interviews import RoomToClose

# How the registration ended, recorded as the end_reason of what it ended (migration 0044).
REASONS = ("cancelled", "removed", "erased")


async def _take_out(
    connection: asyncpg.Connection, candidate_id: int, reason: str, by_candidate: bool
) -> list[RoomToClose]:
    # The queue entry first, as an accept takes it (live_accept, then the interview): an
    # accept cannot come between what is read here and the leave below, which would refuse
    # a candidate in an interview (a 500 on the employer's Remove).
    await queue.entry(connection, candidate_id, for_update=True)
    live = await interviews.live_interview(connection, candidate_id=candidate_id)
    if live is not None and live["state"] == "active":
        room = await interviews.end_interview(connection, live["id"], reason)
        return [room] if room is not None else []
    # Withdraws an open offer too.
    await queue.leave(
        connection, candidate_id, offer_ends=("missed" if by_candidate else "withdrawn", reason)
    )
    if live is None:
        return []
    room = await interviews.room_of_ended(connection, live["id"])
    return [room] if room is not None else []


async def end_on_event_day(
    connection: asyncpg.Connection, event_id: int, candidate_id: int, reason: str, *, by_candidate: bool
) -> list[RoomToClose]:
    """In the caller's transaction, which holds the candidate's row (lock order as in
    queue.py `check_in`: the candidate, then the queue entry). `reason`: one of REASONS;
    `by_candidate`: the candidate ended the registration themselves."""
    if reason not in REASONS:
        raise ValueError(f"registration ended by {reason!r}?")
    rooms = await _take_out(connection, candidate_id, reason, by_candidate)
    # One notification does both: the round it starts takes this one off the interviewers'
    # lists of registered candidates, and it names the candidate, whose pages are told.
    await queue.notify(connection, event_id, "registration_ended", candidate=candidate_id)
    return rooms


async def close_rooms(janus: dispatch.Rooms, rooms: list[RoomToClose]) -> None:
    """After the commit. All at once: an event deleted while it is held ends every call of
    it, and with its Janus server gone each would wait for its timeout in turn."""
    await asyncio.gather(
        *(dispatch.close_room(janus, room.server, room.room_id, room.secret) for room in rooms)
    )
