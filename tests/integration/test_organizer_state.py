"""The organizer's live figures (app/live/organizer.py) count what the page shows."""

from __future__ import annotations

from app.live.event_view import read_event_view
from app.live.organizer import organizer_state
from tests.integration.live_support import make_live_event


async def read_state(db, event_id: int, settings) -> dict:
    """As the organizer's socket has it: cut from the event's view."""
    return organizer_state(await read_event_view(db, event_id, settings))


async def test_an_offer_whose_room_is_still_being_made_is_a_room_in_use(db, settings):
    event = await make_live_event(db, starts_in_minutes=-5, state="live")
    # Attaching the room notifies no one: a figure that waited for it would stay at 0.
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               offer_expires_at)
        VALUES ($1, $2, $3, 'next', 'offered', now() + interval '30 seconds')""",
        event.id,
        event.candidates[0],
        event.interviewers[0],
    )
    state = await read_state(db, event.id, settings)
    assert (state["rooms_in_use"], state["offers_open"], state["interviews_active"]) == (1, 1, 0)

    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', 'janus1', 1, now(), now(),
                now() + interval '1 minute')""",
        event.id,
        event.candidates[1],
        event.interviewers[1],
    )
    state = await read_state(db, event.id, settings)
    assert (state["rooms_in_use"], state["offers_open"], state["interviews_active"]) == (2, 1, 1)

    await db.execute(
        "UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'time' WHERE event_id = $1",
        event.id,
    )
    state = await read_state(db, event.id, settings)
    assert (state["rooms_in_use"], state["interviews_done"]) == (0, 1)


async def test_not_checked_in_is_a_no_show_only_once_the_event_is_over(db, settings):
    """Before, everyone not yet checked in counted as a no-show, days before the event."""
    event = await make_live_event(db, candidates=3, starts_in_minutes=10, state="published")
    await db.execute(
        "INSERT INTO queue_entry (event_id, candidate_id, state, left_reason) VALUES ($1, $2, 'left', 'missed')",
        event.id,
        event.candidates[0],
    )
    state = await read_state(db, event.id, settings)
    assert (state["over"], state["no_shows"], state["not_checked_in"], state["missed"]) == (False, 1, 2, 1)
    await db.execute(
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes + 1) WHERE id = $1",
        event.id,
    )
    state = await read_state(db, event.id, settings)
    assert (state["over"], state["no_shows"]) == (True, 3)


async def test_every_interviewer_with_what_they_do(db, settings):
    event = await make_live_event(db, interviewers=2, candidates=1, starts_in_minutes=-5)
    await db.execute(
        "INSERT INTO interviewer_presence (interviewer_id, event_id, connected, paused) VALUES ($1, $2, true, true)",
        event.interviewers[1],
        event.id,
    )
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', 'janus1', 1, now(), now(), now() + interval '1 minute')""",
        event.id,
        event.candidates[0],
        event.interviewers[0],
    )
    people = (await read_state(db, event.id, settings))["interviewers"]
    assert [
        (p["name"], p["connected"], p["paused"], p["interview_state"], p["candidate_name"]) for p in people
    ] == [
        ("Intervjuare 0", False, False, "active", "Kandidat 0"),
        ("Intervjuare 1", True, True, None, None),
    ]
