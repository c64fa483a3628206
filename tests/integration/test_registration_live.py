"""A registration while the event is published or live reaches the interviewers' screens
(app/candidates/registration.py): the registration sends the event's `queue` notification
with its commit, so the lobby's `counts.registered` (and the organizer's "X of Y
registered", the roster they re-read when it moves) is not stale until some other change.
Before, only the confirmation mail was notified."""

from __future__ import annotations

import secrets

import pytest

from app.candidates import queries
from tests.candidate_support import register
from tests.integration.channel_support import new_client, recording, sign_in_interviewer
from tests.integration.live_support import make_live_event
from tests.mails import unique_email


async def lobby_sees_a_registration(db, base_url, *, state: str) -> None:
    event = await make_live_event(
        db, interviewers=1, candidates=2, state=state, starts_in_minutes=0 if state == "live" else 30
    )
    # make_live_event writes the rows straight; the invite link is set at publishing.
    invite_token = secrets.token_urlsafe(16)
    await db.execute("UPDATE event SET invite_token = $2 WHERE id = $1", event.id, invite_token)
    interviewer = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", event.interviewers[0]
    )
    async with new_client() as lobby_http, new_client() as candidate_http:
        assert await sign_in_interviewer(lobby_http, base_url, interviewer) == 303
        async with recording(lobby_http, f"{base_url}/i/{interviewer}/ws") as lobby:
            first = await lobby.wait_for(lambda m: m["type"] == "state")
            assert first["counts"]["registered"] == 2
            mark = len(lobby.messages)
            status, page = await register(candidate_http, base_url, invite_token, email=unique_email("live"))
            assert status == 200, page
            await lobby.wait_for(
                lambda m: m["type"] == "state" and m["counts"]["registered"] == 3, timeout=5, after=mark
            )


@pytest.mark.parametrize("state", ["published", "live"])
async def test_the_lobby_counts_a_registration_made_during_the_event(app_server, db, base_url, state):
    await lobby_sees_a_registration(db, base_url, state=state)


async def test_the_lobby_counts_a_registration_that_went_the_long_way(app_server, db, base_url, monkeypatch):
    """The event changed between the registration's read and its one statement: the
    statement does nothing and the registration goes statement by statement under the lock
    (registration._register_locked), which notifies too."""
    at_once = queries.take_seat_at_once
    fresh = []

    async def changed_meanwhile(connection, invite_token, *args, **kwargs):
        await db.execute("UPDATE event SET title = 'Truckförare' WHERE invite_token = $1", invite_token)
        seat = await at_once(connection, invite_token, *args, **kwargs)
        fresh.append(seat["o_fresh"])
        return seat

    monkeypatch.setattr(queries, "take_seat_at_once", changed_meanwhile)
    await lobby_sees_a_registration(db, base_url, state="live")
    assert fresh == [False]
