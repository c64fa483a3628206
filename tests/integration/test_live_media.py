"""Media start and stop per interview side, from Janus's event handler (POST /janus/events)."""

from __future__ import annotations

import aiohttp

from app.live.media import media_change
from app.tickets import media_tag, read_media_tag
from tests.integration.live_support import make_live_event

SECOND = 1_000_000  # Janus timestamps are microseconds


def media_event(tag: str, receiving: bool, at: int) -> dict:
    return {
        "emitter": "janus1",
        "type": 32,
        "subtype": 1,
        "timestamp": at,
        "session_id": 1,
        "handle_id": 2,
        "opaque_id": tag,
        "event": {"mid": "0", "mindex": 0, "media": "video", "receiving": receiving},
    }


def hangup_event(tag: str, at: int) -> dict:
    return {
        "emitter": "janus1",
        "type": 16,
        "subtype": 1,
        "timestamp": at,
        "session_id": 1,
        "handle_id": 2,
        "opaque_id": tag,
        "event": {"connection": "hangup", "reason": "DTLS alert"},
    }


async def post(base_url: str, settings, events: list[dict]) -> int:
    auth = aiohttp.encode_basic_auth("janus", settings.janus.event_secret.get_secret_value())
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base_url}/janus/events", json=events, headers={"Authorization": auth}
        ) as response:
            return response.status


def test_only_signed_interview_tags_count(settings):
    tag = media_tag(settings, "interview:42:candidate")
    assert read_media_tag(settings, tag) == "interview:42:candidate"
    forged = "interview:43:candidate:" + tag.rsplit(":", 1)[1]
    assert read_media_tag(settings, forged) is None
    subject_of = lambda value: read_media_tag(settings, value)  # noqa: E731
    change = media_change(media_event(tag, True, 1_700_000_000 * SECOND), subject_of)
    assert (change.interview_id, change.side, change.flowing) == (42, "candidate", True)
    assert media_change(media_event(forged, True, 0), subject_of) is None
    assert media_change(media_event("plain opaque id", True, 0), subject_of) is None
    other = media_tag(settings, "room-test:1")
    assert media_change(media_event(other, True, 0), subject_of) is None
    assert media_change({"type": 1, "event": {"name": "created"}}, subject_of) is None


async def test_each_sides_media_times_are_kept(app_server, base_url, settings, db):
    live = await make_live_event(db, interviewers=1, candidates=1)
    interview = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by,
                               offer_expires_at) VALUES ($1, $2, $3, 'next', now())
        RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
    )
    candidate = media_tag(settings, f"interview:{interview}:candidate")
    interviewer = media_tag(settings, f"interview:{interview}:interviewer")
    t0 = 1_900_000_000 * SECOND
    assert (
        await post(
            base_url,
            settings,
            [
                media_event(candidate, True, t0),
                media_event(interviewer, True, t0 + 2 * SECOND),
                media_event(candidate, True, t0 + 3 * SECOND),  # audio after video: still the first
                hangup_event(interviewer, t0 + 60 * SECOND),
                media_event(f"interview:{interview}:candidate:forged", False, t0 + 5 * SECOND),
            ],
        )
        == 204
    )
    row = await db.fetchrow("SELECT * FROM interview WHERE id = $1", interview)
    assert row["candidate_media_started_at"].timestamp() == t0 / SECOND
    assert row["candidate_media_stopped_at"] is None
    assert row["interviewer_media_started_at"].timestamp() == t0 / SECOND + 2
    assert row["interviewer_media_stopped_at"].timestamp() == t0 / SECOND + 60

    # The candidate drops and comes back: flowing again clears the stop.
    await post(base_url, settings, [media_event(candidate, False, t0 + 10 * SECOND)])
    assert (
        await db.fetchval("SELECT candidate_media_stopped_at FROM interview WHERE id = $1", interview)
    ).timestamp() == t0 / SECOND + 10
    await post(base_url, settings, [media_event(candidate, True, t0 + 20 * SECOND)])
    row = await db.fetchrow("SELECT * FROM interview WHERE id = $1", interview)
    assert row["candidate_media_stopped_at"] is None
    assert row["candidate_media_started_at"].timestamp() == t0 / SECOND
    await db.execute(
        "UPDATE interview SET state = 'failed', ended_at = now(), end_reason = 'room' WHERE id = $1",
        interview,
    )
