"""Events move to live when check-in opens and to finished when their time is over."""

from __future__ import annotations

from app.live.event_states import advance_event_states
from tests.integration.live_support import make_live_event


async def state_of(db, event_id: int) -> str:
    return await db.fetchval("SELECT state::text FROM event WHERE id = $1", event_id)


async def test_events_follow_the_clock(db, settings):
    opens = settings.live.checkin_opens_minutes
    later = await make_live_event(db, starts_in_minutes=opens + 30, state="published")
    soon = await make_live_event(db, starts_in_minutes=opens - 1, state="published")
    # 120 minutes long (live_support), started 130 minutes ago: over.
    over = await make_live_event(db, starts_in_minutes=-130, state="live")
    busy = await make_live_event(db, starts_in_minutes=-130, state="live")
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', 'janus1', 1, now(), now(),
                now() + interval '1 minute')""",
        busy.id,
        busy.candidates[0],
        busy.interviewers[0],
    )
    draft = await make_live_event(db, starts_in_minutes=-130, state="draft")

    changed = await advance_event_states(db, settings.live)
    assert soon.id in changed and over.id in changed
    assert [await state_of(db, e.id) for e in (later, soon, over, busy, draft)] == [
        "published",
        "live",
        "finished",
        "live",
        "draft",
    ]
    assert not set(await advance_event_states(db, settings.live)) & {
        later.id,
        soon.id,
        over.id,
        busy.id,
        draft.id,
    }

    # The last interview ends: now the event is finished too.
    await db.execute(
        "UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'time' WHERE event_id = $1",
        busy.id,
    )
    assert busy.id in await advance_event_states(db, settings.live)
    assert await state_of(db, busy.id) == "finished"
