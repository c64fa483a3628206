"""The organizer's live figures (app/live/organizer.py) count what the page shows."""

from __future__ import annotations

from app.live.organizer import organizer_state
from tests.integration.live_support import make_live_event


async def test_an_offer_whose_room_is_still_being_made_is_a_room_in_use(db):
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
    state = await organizer_state(db, event.id)
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
    state = await organizer_state(db, event.id)
    assert (state["rooms_in_use"], state["offers_open"], state["interviews_active"]) == (2, 1, 1)

    await db.execute(
        "UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'time' WHERE event_id = $1",
        event.id,
    )
    state = await organizer_state(db, event.id)
    assert (state["rooms_in_use"], state["interviews_done"]) == (0, 1)
