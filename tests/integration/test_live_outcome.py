"""What an interview leaves behind: the interviewer's record and the candidate's answer."""

from __future__ import annotations

import asyncio

import pytest

from app.live import dispatch, interviews, outcome, queue
from app.live.errors import LiveError
from tests.integration.channel_support import interviewer_in_interview_twice
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


async def active_interview(db, pool, settings):
    """An event whose one interviewer is in an interview with its one candidate."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await db.execute(
        "INSERT INTO event_attribute (event_id, position, text) VALUES ($1, 1, 'Lugn')", event.id
    )
    await queue.check_in(db, event.candidates[0], settings.live)
    offer = await dispatch.dispatch(pool, event.interviewers[0], settings.live)
    await offer_with_room(db, offer, settings.live)
    await interviews.accept_offer(db, offer.interview_id, offer.candidate_id)
    return event, offer.interview_id


async def test_a_save_from_an_older_version_of_the_record_is_refused(db, pool, settings):
    """Two windows of one interviewer each save their whole form: the one that did not see
    the other's save must not replace it (its notes emptied, its ratings deleted)."""
    event, interview = await active_interview(db, pool, settings)
    me = event.interviewers[0]
    first = await outcome.save_record(
        db, interview, me, notes="Stark", covered=[], ratings={1: 4}, based_on=0
    )
    assert first == 1
    with pytest.raises(LiveError, match="record_changed"):  # the other window's empty form
        await outcome.save_record(db, interview, me, notes="", covered=[], ratings={}, based_on=0)
    record = await outcome.record_for(db, me, interview)
    assert (record["version"], record["notes"], record["ratings"]) == (1, "Stark", {"1": 4})
    # Based on what it fetched, the other window's save goes through.
    assert (
        await outcome.save_record(db, interview, me, notes="Stark, lugn", covered=[], ratings={}, based_on=1)
        == 2
    )
    assert (await outcome.record_of(db, me))["version"] == 2
    with pytest.raises(LiveError, match="not_active"):  # not someone else's
        await outcome.record_for(db, me + 10_000, interview)


async def test_a_window_is_told_of_another_windows_save(app_server, base_url, db, pool, settings):
    event, interview = await active_interview(db, pool, settings)
    async with interviewer_in_interview_twice(base_url, db, event.interviewers[0]) as (laptop, phone):
        mark = len(phone.messages)
        saved = await laptop.request(
            {"saved"}, type="save", interview=interview, version=0, notes="Stark", ratings={"1": 4}
        )
        assert saved == {"type": "saved", "interview": interview, "version": 1}
        told = await phone.wait_for(lambda m: m["type"] == "record_saved")
        assert told == {"type": "record_saved", "interview": interview, "version": 1}
        # Told, and nothing else: a save changes nothing of the event's view, so it starts
        # no read or round of the event's sockets (hub.NOTICES_ONLY).
        await asyncio.sleep(0.3)
        assert [m["type"] for m in phone.messages[mark:]] == ["record_saved"]
        # The saving window has its reply (`saved`): no notice of its own save.
        assert not any(m["type"] == "record_saved" for m in laptop.messages)
        # The phone's empty form, from before: refused, and nothing of the laptop's lost.
        refused = await phone.request({"saved"}, type="save", interview=interview, version=0, notes="")
        assert (refused["type"], refused["code"]) == ("error", "record_changed")
        record = await phone.request({"record"}, type="record", interview=interview)
        assert record == {
            "type": "record",
            "interview": interview,
            "state": "active",
            "end_reason": None,
            "version": 1,
            "notes": "Stark",
            "candidate_name": record["candidate_name"],
            "questions_covered": [],
            "ratings": {"1": 4},
        }
    row = await db.fetchrow("SELECT notes, record_version FROM interview WHERE id = $1", interview)
    assert (row["notes"], row["record_version"]) == ("Stark", 1)
    assert await db.fetchval("SELECT count(*) FROM interview_rating WHERE interview_id = $1", interview) == 1
