"""What an interview leaves behind: the interviewer's record and the candidate's answer."""

from __future__ import annotations

import pytest

from app.live import dispatch, interviews, outcome, queue
from app.live.errors import LiveError
from tests.integration.live_support import make_live_event, offer_with_room


async def test_record_and_feedback(db, pool, settings):
    live = settings.live
    event = await make_live_event(db, interviewers=2, candidates=1)
    for table, count in (("event_question", 3), ("event_attribute", 2)):
        for position in range(1, count + 1):
            await db.execute(
                f"INSERT INTO {table} (event_id, position, text) VALUES ($1, $2, $3)",
                event.id,
                position,
                f"punkt {position}",
            )
    await queue.check_in(db, event.candidates[0], live)
    me, other = event.interviewers
    offer = await dispatch.dispatch(pool, me, live)
    await offer_with_room(db, offer, live)
    interview, candidate = offer.interview_id, offer.candidate_id

    with pytest.raises(LiveError, match="not_active"):  # not before it starts
        await outcome.save_record(db, interview, me, notes="x", covered=[], ratings={})
    await interviews.accept_offer(db, interview, candidate)
    with pytest.raises(LiveError, match="feedback_not_open"):  # not while it lasts
        await outcome.save_feedback(db, interview, candidate, interested=True)

    await outcome.save_record(db, interview, me, notes="Stark", covered=[3, 1], ratings={1: 4})
    with pytest.raises(LiveError, match="not_active"):  # someone else's interview
        await outcome.save_record(db, interview, other, notes="", covered=[], ratings={})
    with pytest.raises(LiveError, match="invalid_record"):
        await outcome.save_record(db, interview, me, notes="", covered=[4], ratings={})
    await interviews.end_interview(db, interview, "interviewer")
    # Saved as typed, also after the end; the last save wins.
    await outcome.save_record(db, interview, me, notes="Stark, lugn", covered=[1, 3], ratings={1: 5, 2: 3})
    row = await db.fetchrow("SELECT notes, questions_covered FROM interview WHERE id = $1", interview)
    assert (row["notes"], row["questions_covered"]) == ("Stark, lugn", [1, 3])
    ratings = await db.fetch(
        "SELECT position, rating FROM interview_rating WHERE interview_id = $1 ORDER BY position", interview
    )
    assert [tuple(r) for r in ratings] == [(1, 5), (2, 3)]

    with pytest.raises(LiveError, match="feedback_not_open"):
        await outcome.save_feedback(db, interview, candidate + 10_000, interested=True)
    with pytest.raises(LiveError, match="invalid_feedback"):
        await outcome.save_feedback(db, interview, candidate, interested="ja")
    await outcome.save_feedback(db, interview, candidate, interested=True, comment="Spännande")
    await outcome.save_feedback(db, interview, candidate, interested=False)
    answer = await db.fetchrow(
        "SELECT interested, comment FROM interview_feedback WHERE interview_id = $1", interview
    )
    assert (answer["interested"], answer["comment"]) == (False, "")
