"""Janus's event handler tells the control plane when each side's media starts and stops,
and the interview keeps the times: two real browsers in an interview's room."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest

from app.keys import JANUS
from app.tickets import mint_ticket
from tests.browser.test_room_video import REMOTE_VIDEO_PLAYING
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser


async def until(db, query: str, *args, seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.1)):
        if await db.fetchval(query, *args):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true: {query}")


async def test_media_start_and_stop_are_kept_per_side(app_server, settings, new_page, db):
    live = await make_live_event(db, interviewers=1, candidates=1)
    room = await app_server[JANUS].create_private_room(participants=2)
    interview = await db.fetchval(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', $4, $5, now(), now(), now() + interval '10 min')
        RETURNING id""",
        live.id,
        live.candidates[0],
        live.interviewers[0],
        room.server,
        room.room_id,
    )
    tickets = [
        mint_ticket(settings, room, index, role, role, f"interview:{interview}:{role}")
        for index, role in enumerate(["candidate", "interviewer"])
    ]
    pages = [await new_page() for _ in tickets]
    for page, ticket in zip(pages, tickets):
        await page.goto(f"/test-pages/room.html#{quote(ticket)}")
    for page in pages:
        await page.wait_for_function(REMOTE_VIDEO_PLAYING, timeout=20000)
    await until(
        db,
        """SELECT candidate_media_started_at IS NOT NULL
                          AND interviewer_media_started_at IS NOT NULL
                       FROM interview WHERE id = $1""",
        interview,
    )

    await pages[0].close()  # the candidate goes: their media stops, the interviewer's flows
    await until(db, "SELECT candidate_media_stopped_at IS NOT NULL FROM interview WHERE id = $1", interview)
    assert (
        await db.fetchval("SELECT interviewer_media_stopped_at FROM interview WHERE id = $1", interview)
        is None
    )
    await db.execute(
        "UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'time' WHERE id = $1", interview
    )
    await (
        app_server[JANUS]
        .connection(room.server)
        .request({"request": "destroy", "room": room.room_id, "secret": room.secret})
    )
