"""A registration that ends while its candidate is on the event day: cancelled by the
candidate, removed or erased by the employer (README "Candidates").

The candidate is taken out the way the event day itself does it (queue.py `leave`, which
withdraws an open offer; interviews.py `end_interview` for a call under way), with those
notifications, so the interviewers' screens update when the caller commits; and their own
open pages are told (`registration_ended`, PROTOCOL.md), which show the page the link now
leads to instead of a queue they are no longer in. The rooms that ends are returned: the
caller closes them after its commit (`close_rooms`), since a Janus call must not hold
database locks.
"""

from __future__ import annotations

import asyncpg

from app.live import dispatch, interviews, queue
from app.live.interviews import RoomToClose


async def _take_out(connection: asyncpg.Connection, candidate_id: int) -> list[RoomToClose]:
    # The queue entry first, as an accept takes it (live_accept, then the interview): an
    # accept cannot come between what is read here and the leave below, which would refuse
    # a candidate in an interview (a 500 on the employer's Remove).
    await queue.entry(connection, candidate_id, for_update=True)
    live = await interviews.live_interview(connection, candidate_id=candidate_id)
    if live is not None and live["state"] == "active":
        room = await interviews.end_interview(connection, live["id"], "candidate")
        return [room] if room is not None else []
    await queue.leave(connection, candidate_id)  # withdraws an open offer too
    if live is None:
        return []
    room = await interviews.room_of_ended(connection, live["id"])
    return [room] if room is not None else []


async def end_on_event_day(
    connection: asyncpg.Connection, event_id: int, candidate_id: int
) -> list[RoomToClose]:
    """In the caller's transaction, which holds the candidate's row (lock order as in
    queue.py `check_in`: the candidate, then the queue entry)."""
    rooms = await _take_out(connection, candidate_id)
    # One notification does both: the round it starts takes this one off the interviewers'
    # lists of registered candidates, and it names the candidate, whose pages are told.
    await queue.notify(connection, event_id, "registration_ended", candidate=candidate_id)
    return rooms


async def close_rooms(janus: dispatch.Rooms, rooms: list[RoomToClose]) -> None:
    """After the commit."""
    for room in rooms:
        await dispatch.close_room(janus, room.server, room.room_id, room.secret)
