"""An offer whose video room could not be made (Janus failed, app/live/dispatch.py
room_failed): the offer ends, the candidate keeps their place and no miss is counted. Both
pages said it was withdrawn, which nobody did; they say the video service failed. The
meeting web says it once: on its status line when it showed the offer, else in its alert
(the refusal of *Next*, `room_unavailable`), which goes when it no longer holds."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import pytest

from app.janus.connection import JanusUnavailable
from app.live import dispatch
from app.keys import JANUS
from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import checked_in, make_meeting_event, open_meeting
from tests.browser.test_candidate_live import open_candidate, phase

pytestmark = pytest.mark.browser

SAID_TO_INTERVIEWER = (
    "The video call with Kandidat 0 could not be set up: the video service failed. They keep"
    " their place in the queue; try “Next candidate” again in a moment."
)
SAID_ONCE_OVER = "The video call with Kandidat 0 could not be set up: the video service failed."
# The alert of the refusal of *Next* (`room_unavailable`, error-texts.js).
ALERT = "No video room could be made just now. Nobody lost their place; try again in a moment."
OVER = "The event is over: no more candidates are called in."
SAID_TO_CANDIDATE = (
    "Your call-in could not go ahead: the video service failed. It was not your fault, and you"
    " keep your place in the queue."
)


def rooms_that_fail(app, monkeypatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Janus, asked for a room, fails once `fail` is set (the first event says it was asked):
    the offer is out and shown by then, as when Janus fails by its call timeout. (The real
    Janus cannot be made to fail one call at a chosen moment.)"""
    wanted, fail = asyncio.Event(), asyncio.Event()

    async def failing_room(self, *args, **kwargs):
        wanted.set()
        await fail.wait()
        raise JanusUnavailable("test: no room")

    monkeypatch.setattr(type(app[JANUS]), "create_private_room", failing_room)
    return wanted, fail


async def offered_while_the_room_is_made(new_page, base_url, db, app_server, monkeypatch):
    """A candidate checked in and called in by *Next* (both pages in English), the offer shown
    while Janus is asked for its room: (event, candidate's page, meeting web, `fail`)."""
    event, (interviewer_token,), (candidate_token,) = await make_meeting_event(db, candidates=1)
    wanted, fail = rooms_that_fail(app_server, monkeypatch)
    candidate = await open_candidate(new_page, base_url, candidate_token, "en")
    await candidate.get_by_role("button", name="Check in").click()
    await phase(candidate, "waiting")
    meeting = await open_meeting(
        await new_page(extra_http_headers={"Accept-Language": "en"}), interviewer_token
    )
    await meeting.wait_for_selector("#queue li")
    await meeting.get_by_role("button", name="Next candidate").click()
    await asyncio.wait_for(wanted.wait(), 10)
    await phase(candidate, "offer")
    return event, candidate, meeting, fail


async def test_an_offer_whose_room_failed_is_not_said_to_be_withdrawn(
    new_page, base_url, db, app_server, monkeypatch, settings
):
    from app.events.workflow import end_event_now

    event, candidate, meeting, fail = await offered_while_the_room_is_made(
        new_page, base_url, db, app_server, monkeypatch
    )
    await meeting.locator("#own-offer").wait_for()

    fail.set()
    await phase(candidate, "waiting")
    await candidate.locator("[data-offer-note]:visible", has_text=SAID_TO_CANDIDATE).wait_for()
    await meeting.locator("#lobby-status", has_text=SAID_TO_INTERVIEWER).wait_for()
    await asyncio.sleep(0.5)  # whatever either page would say next
    assert await candidate.get_by_text("withdrew").count() == 0
    assert "withdrawn" not in await meeting.locator("#lobby-status").inner_text()
    # As said: the same place, no miss; Next is there to press again.
    entry = await db.fetchrow("SELECT state, missed_count FROM queue_entry WHERE event_id = $1", event.id)
    assert (entry["state"], entry["missed_count"]) == ("waiting", 0)
    await candidate.get_by_text("You are next in the queue.").wait_for()
    assert await meeting.get_by_role("button", name="Next candidate").is_enabled()
    await assert_accessible(candidate)
    await assert_accessible(meeting)

    # The event ended meanwhile: nobody is called in again, and the line no longer says to.
    async with db.transaction():  # as the organizer's page does it: the event's row held
        await db.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event.id)
        assert await end_event_now(db, event.id, settings.live)
    await meeting.wait_for_function(
        "said => document.querySelector('#lobby-status').textContent === said", arg=SAID_ONCE_OVER
    )
    # The candidate's page, waiting when the event ended, loads itself again and says the
    # event is over: let it, before the pages close (a page closed in the middle of that
    # could hold the browser's context open).
    await candidate.wait_for_function("!window.candidatePage && document.readyState === 'complete'")


# Every text the candidate's page showed or changed from now on (the words of an element that
# was drawn, or whose words changed), however briefly: a flash a later check would miss.
RECORD_WORDS_SHOWN = """() => {
    window.wordsShown = [];
    new MutationObserver((changes) => {
        for (const change of changes) {
            const node = change.type === "characterData" ? change.target.parentElement : change.target;
            if (node) window.wordsShown.push(node.textContent);
        }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


async def test_join_pressed_before_the_room_failed_never_says_withdrawn(
    new_page, base_url, db, app_server, monkeypatch
):
    """Join pressed while the room is being made waits for it; the room failing answered the
    press `offer_gone`, whose words ("the time to join has run out", the offer withdrawn) the
    page flashed before the state took it back to the queue with the right words."""
    event, candidate, meeting, fail = await offered_while_the_room_is_made(
        new_page, base_url, db, app_server, monkeypatch
    )
    await candidate.evaluate(RECORD_WORDS_SHOWN)
    await candidate.get_by_role("button", name="Join").click()

    fail.set()
    await phase(candidate, "waiting")
    await candidate.locator("[data-offer-note]:visible", has_text=SAID_TO_CANDIDATE).wait_for()
    await asyncio.sleep(1)  # whatever the page would say next
    shown = await candidate.evaluate("window.wordsShown")
    assert any(SAID_TO_CANDIDATE in words for words in shown)
    for wrong in ("withdrew", "The time to join has run out", "not join in time"):
        assert not [words for words in shown if wrong in words], wrong
    assert await candidate.locator("[data-live-error]").inner_text() == ""
    entry = await db.fetchrow("SELECT state, missed_count FROM queue_entry WHERE event_id = $1", event.id)
    assert (entry["state"], entry["missed_count"]) == ("waiting", 0)
    await assert_accessible(candidate)


@asynccontextmanager
async def meeting_with_one_waiting(new_page, base_url, db):
    """The meeting web (in English) of an event with one candidate checked in over a socket
    of their own; yields (event, meeting)."""
    event, (interviewer_token,), (candidate_token,) = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, [candidate_token]):
        meeting = await open_meeting(
            await new_page(extra_http_headers={"Accept-Language": "en"}), interviewer_token
        )
        await meeting.wait_for_selector("#queue li")
        yield event, meeting


# The reply of the last *Next* is in.
NEXT_ANSWERED = "!window.meeting.requests.underway.has('call')"


async def test_a_refusal_after_the_offers_end_was_told_is_not_said_again(
    new_page, base_url, db, app_server, monkeypatch
):
    """The state that takes the offer away, and the server's notice why, come before the
    refusal of *Next* (they are sent apart): the status line has told it by name, and the
    alert does not say it once more beside it."""
    wanted, fail = rooms_that_fail(app_server, monkeypatch)
    told = asyncio.Event()
    failed = dispatch.room_failed

    async def reply_once_told(connection, offer):
        await failed(connection, offer)
        await asyncio.wait_for(told.wait(), 10)  # the refusal goes once the page has told it

    monkeypatch.setattr(dispatch, "room_failed", reply_once_told)
    async with meeting_with_one_waiting(new_page, base_url, db) as (_event, meeting):
        await meeting.get_by_role("button", name="Next candidate").click()
        await asyncio.wait_for(wanted.wait(), 10)
        await meeting.locator("#own-offer").wait_for()
        fail.set()
        await meeting.locator("#lobby-status", has_text=SAID_TO_INTERVIEWER).wait_for()
        told.set()
        await meeting.wait_for_function(NEXT_ANSWERED)
        assert await meeting.locator("#problem").text_content() == ""
        assert await meeting.locator("#lobby-status").text_content() == SAID_TO_INTERVIEWER


def offer_hidden_from():
    """A relay for the meeting web's socket that keeps back every state showing the own
    offer, as when the offer and its failure come in one round of the server's: the page
    learns of it only by the refusal of *Next*."""

    async def relay(socket):
        server = socket.connect_to_server()

        def from_server(message):
            try:
                sent = json.loads(message)
            except (TypeError, ValueError):
                sent = {}
            if not (sent.get("type") == "state" and sent.get("interview")):
                socket.send(message)

        server.on_message(from_server)
        socket.on_message(lambda message: server.send(message))

    return relay


async def test_the_alert_of_a_room_not_made_goes_with_the_events_end(
    new_page, base_url, db, app_server, monkeypatch, settings
):
    """*Next*'s offer never showed (its failure came with it): the alert says no room could
    be made and to try again. Once the event is over nobody is called in again: the alert
    goes, and does not stand beside the line saying the event is over."""
    from app.events.workflow import end_event_now

    _wanted, fail = rooms_that_fail(app_server, monkeypatch)
    fail.set()  # at once
    async with meeting_with_one_waiting(new_page, base_url, db) as (event, meeting):
        token = meeting.url.rstrip("/").rsplit("/", 1)[-1]
        await meeting.route_web_socket(f"**/i/{token}/ws", offer_hidden_from())
        await meeting.reload()
        await meeting.wait_for_selector('#connection[data-status="open"]')
        await meeting.wait_for_selector("#queue li")
        await meeting.get_by_role("button", name="Next candidate").click()
        await meeting.wait_for_function(NEXT_ANSWERED)
        assert await meeting.locator("#problem").text_content() == ALERT
        async with db.transaction():  # as the organizer's page does it: the event's row held
            await db.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event.id)
            assert await end_event_now(db, event.id, settings.live)
        await meeting.locator("#rotation", has_text=OVER).wait_for()
        assert await meeting.locator("#problem").text_content() == ""
