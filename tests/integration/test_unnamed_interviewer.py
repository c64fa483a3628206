"""An interviewer the employer gave no name: the candidate's page does not show their
e-mail address instead, nor does the room's list of participants, which the candidate's
browser receives; the interviewers and the organizer still see who it is by the address."""

from __future__ import annotations

from app.tickets import read_ticket
from tests.integration.channel_support import candidate_and_lobby
from tests.integration.live_support import make_live_event


async def test_a_candidate_never_sees_an_unnamed_interviewers_address(app_server, base_url, db, settings):
    event = await make_live_event(db, interviewers=1, candidates=1)
    (interviewer,) = event.interviewers
    address = await db.fetchval(
        "UPDATE event_interviewer SET name = '' WHERE id = $1 RETURNING email", interviewer
    )
    candidate_token = await db.fetchval(
        "SELECT access_token FROM candidate WHERE id = $1", event.candidates[0]
    )
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", interviewer
    )
    async with candidate_and_lobby(base_url, candidate_token, interviewer_token) as (candidate, lobby):
        await candidate.wait_for(lambda m: m["type"] == "state")
        await lobby.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert dispatched["type"] == "dispatched", dispatched
        await candidate.wait_for(lambda m: m["type"] == "offer")
        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket", ticket
        active = await candidate.wait_for(lambda m: m["type"] == "state" and m["interview"] is not None)
        mine = await lobby.wait_for(
            lambda m: m["type"] == "state" and m["interview"] and m["interview"]["state"] == "active"
        )
    assert active["interview"]["interviewer_name"] is None  # the page leaves the line out
    assert not any(address in raw for raw in candidate.raw)
    # The interviewer's display in the room, whichever way their ticket was made.
    for made in (dispatched["ticket"], mine["interview"]["ticket"]):
        assert read_ticket(settings, made).display == "interviewer"
    # Those who run the event tell the interviewers apart by the address.
    assert mine["talking"][0]["interviewer_name"] == address
