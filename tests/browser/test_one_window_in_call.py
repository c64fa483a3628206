"""One window of a person's browser in the call (web/static/js/live/call-hold.js): a second
window of the same browser (the mail link opened again, a duplicated tab) does not join the
call a first one holds, which the other person would hear as an echo; it says so and offers
Continue here, which takes the call over, and the first one then leaves it. Pages on two
devices, which share no lock, are told by the server (`call_taken`)."""

from __future__ import annotations

import pytest

from app.keys import JANUS
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.interviewer_support import checked_in, make_meeting_event, open_meeting
from tests.browser.test_interviewer_two_windows import two_windows_in_interview
from tests.browser.test_candidate_live import (
    TEXTS,
    interviewer_socket,
    offered,
    open_candidate,
    phase,
)

pytestmark = pytest.mark.browser

INTERVIEWER_CALL = "window.meeting.interview.call"
CANDIDATE_CALL = "window.candidatePage.call"
ELSEWHERE = (
    "You are in this call in another window or on another device. To go on here, choose Continue here."
)


def in_the_room(call: str) -> str:
    return f"{call}.joined && ['alone', 'live', 'degraded', 'audio-only'].includes({call}.state.phase)"


def elsewhere(call: str) -> str:
    return f"!{call}.joined && {call}.state.phase === 'elsewhere'"


async def room_participants(app_server, db, interview_id: int) -> int:
    room = await db.fetchrow("SELECT janus_server, room_id FROM interview WHERE id = $1", interview_id)
    listed = (
        await app_server[JANUS]
        .connections[room["janus_server"]]
        .request({"request": "listparticipants", "room": room["room_id"]})
    )
    return len(listed["participants"])


async def second_window(page, path: str):
    """Another tab of the same browser (its cookies, its locks) on the same link."""
    other = await page.context.new_page()
    await other.goto(path)
    return other


async def test_a_second_window_of_the_interviewer_stays_out_of_the_call_until_it_is_taken(
    new_page, db, base_url, app_server
):
    _event, (token,), tokens = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, tokens) as (candidate,):
        first = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        second = await second_window(first, f"/i/{token}")
        await second.wait_for_selector('#connection[data-status="open"]')
        await first.wait_for_function("document.querySelectorAll('#queue li').length === 1")
        await first.get_by_role("button", name="Next candidate").click()
        # The window that called the candidate in joins ahead.
        await first.wait_for_function(in_the_room(INTERVIEWER_CALL), timeout=20000)
        await candidate.wait_for(lambda m: m["type"] == "offer")
        interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
        for page in (first, second):
            await page.wait_for_selector("#interview:not([hidden])")
        # The other one, shown the interview too, does not join it.
        await second.wait_for_function(elsewhere(INTERVIEWER_CALL))
        await second.get_by_text(ELSEWHERE).first.wait_for()
        take = second.get_by_role("button", name="Continue here")
        assert await take.is_visible()
        assert await first.get_by_role("button", name="Continue here").is_hidden()
        assert await second.get_by_role("button", name="Mute microphone").is_hidden()
        assert await second.locator("[data-call-self]").is_hidden()
        assert await room_participants(app_server, db, interview) == 1
        await assert_accessible(second)

        # Taken over: the second window is in the room, the first left it, camera and all, and
        # with nothing playing it offers no sound to turn on (shown when the browser had let
        # the call play only muted: these tests' browsers let it play, so it is set here).
        await first.evaluate(f"{INTERVIEWER_CALL}.el.sound.hidden = false")
        await first.evaluate(f"window.firstTracks = {INTERVIEWER_CALL}.el.self.srcObject.getTracks()")
        await take.click()
        await second.wait_for_function(in_the_room(INTERVIEWER_CALL), timeout=20000)
        await first.wait_for_function(
            f"{elsewhere(INTERVIEWER_CALL)} && window.firstTracks.every((t) => t.readyState === 'ended')"
        )
        await first.get_by_role("button", name="Continue here").wait_for()
        assert await first.locator("[data-call-sound]").is_hidden()
        assert await room_participants(app_server, db, interview) == 1

        # The window in the call closed: the first takes the call back with one press.
        await second.close()
        await first.get_by_role("button", name="Continue here").focus()
        await first.keyboard.press("Enter")
        await first.wait_for_function(in_the_room(INTERVIEWER_CALL), timeout=20000)
        assert await first.get_by_role("button", name="Continue here").is_hidden()
        assert await first.evaluate("document.activeElement.matches('[data-call-mic]')")


async def test_a_candidates_second_tab_shows_the_call_is_elsewhere_and_can_take_it(new_page, db, base_url):
    _event, (interviewer_token,), (token,) = await make_meeting_event(db, candidates=1)
    first = await open_candidate(new_page, base_url, token, "sv")
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        await offered(first, interviewer, "sv")
        await first.get_by_role("button", name=TEXTS["sv"]["join"]).click()
        await phase(first, "interview")
        await first.wait_for_function(f"{CANDIDATE_CALL}.joined")
        # A second tab on the same link, in Swedish like the first: it does not join by itself.
        second = await second_window(first, f"/c/{token}")
        await phase(second, "interview")
        await second.wait_for_function(elsewhere(CANDIDATE_CALL))
        await second.get_by_text(
            "Du är med i samtalet i ett annat fönster eller på en annan enhet. Välj Fortsätt här för att fortsätta här."
        ).first.wait_for()
        assert await first.evaluate(f"{CANDIDATE_CALL}.joined")
        await assert_accessible(second)

        # By the keyboard: the focus follows into the call, not to the top of the page.
        await second.get_by_role("button", name="Fortsätt här").focus()
        await second.keyboard.press("Enter")
        await second.wait_for_function(f"{CANDIDATE_CALL}.joined", timeout=20000)
        assert await second.evaluate("document.activeElement.matches('[data-call-mic]')")
        await first.wait_for_function(elsewhere(CANDIDATE_CALL))
        # The page that gave the call away stays in the interview, not left.
        await phase(first, "interview")


async def test_a_candidates_second_device_stays_out_of_the_call_and_never_knocks_the_first_out(
    new_page, db, base_url
):
    """Two devices (two browsers: no shared lock): each accept gives a ticket whose Janus token
    replaces the last, so two pages that each joined again by themselves knocked each other
    out in turn. The page that showed the offer without its Join pressed stays out; a page
    that takes the call tells the other (`call_taken`), which leaves it and does not join
    again by itself."""
    _event, (interviewer_token,), (token,) = await make_meeting_event(db, candidates=1)
    laptop = await open_candidate(new_page, base_url, token, "en")
    phone = await open_candidate(new_page, base_url, token, "en", viewport="phone")
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        await offered(laptop, interviewer, "en")
        await phase(phone, "offer")
        await laptop.get_by_role("button", name=TEXTS["en"]["join"]).click()
        await laptop.wait_for_function(f"{CANDIDATE_CALL}.joined")
        await phase(phone, "interview")
        await phone.wait_for_function(elsewhere(CANDIDATE_CALL))
        # A while later the laptop is still the one in the call.
        await laptop.wait_for_timeout(4000)
        assert await laptop.evaluate(
            f"{CANDIDATE_CALL}.joined && {CANDIDATE_CALL}.state.phase !== 'elsewhere'"
        )
        assert await phone.evaluate(elsewhere(CANDIDATE_CALL))

        # Taken on the phone: the laptop leaves and stays out.
        await phone.get_by_role("button", name="Continue here").click()
        await phone.wait_for_function(f"{CANDIDATE_CALL}.joined", timeout=20000)
        await laptop.wait_for_function(elsewhere(CANDIDATE_CALL))
        await laptop.get_by_role("button", name="Continue here").wait_for()
        await laptop.wait_for_timeout(4000)
        assert await phone.evaluate(f"{CANDIDATE_CALL}.joined")
        assert await laptop.evaluate(elsewhere(CANDIDATE_CALL))

        # The laptop reloaded: a page opened during the interview joins by itself, and the
        # phone leaves.
        await laptop.reload()
        await laptop.wait_for_function("!!window.candidatePage")
        await laptop.wait_for_function(f"{CANDIDATE_CALL}.joined", timeout=20000)
        await phone.wait_for_function(elsewhere(CANDIDATE_CALL))


async def in_room_or_out(pages) -> tuple:
    """(the page in the call, the page out of it) once one is each, for two pages."""
    for _ in range(60):
        states = [
            await page.evaluate(f"[{in_the_room(INTERVIEWER_CALL)}, {elsewhere(INTERVIEWER_CALL)}]")
            for page in pages
        ]
        if states in ([[True, False], [False, True]], [[False, True], [True, False]]):
            return (pages[0], pages[1]) if states[0][0] else (pages[1], pages[0])
        await pages[0].wait_for_timeout(500)
    said = [await page.evaluate(f"[{INTERVIEWER_CALL}.joined, {INTERVIEWER_CALL}.state]") for page in pages]
    raise AssertionError(f"[in the room, elsewhere] {states}; [joined, state] {said}")


async def next_interview(ending, *, pressed, other, candidate) -> int:
    """`ending` ends the interview, Next is pressed on `pressed`, and `candidate` accepts:
    both pages show the new interview. Its id."""
    await ending.get_by_role("button", name="End interview").click()
    await ending.get_by_role("button", name="Yes, end it").click()
    await pressed.wait_for_selector("#lobby:not([hidden])")
    await pressed.get_by_role("button", name="Next candidate").click()
    await candidate.wait_for(lambda m: m["type"] == "offer")
    interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
    for page in (pressed, other):
        await page.wait_for_selector("#interview:not([hidden])")
    return interview


async def test_the_interviewers_second_device_leaves_the_call_to_the_one_that_joined_last(
    new_page, db, base_url, app_server
):
    """Two devices of one interviewer (two browsers: no shared lock, one shared ticket): both
    join ahead when the offer comes, and the candidate heard the interviewer twice. Now each
    says it joined (`call_here`) and the page that another joined after leaves the call and
    stays out, for the next interview too, until Continue here or Next pressed on it."""
    _event, (token,), tokens = await make_meeting_event(db, candidates=3)
    async with checked_in(base_url, tokens) as (first_candidate, second_candidate, third_candidate):
        laptop = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        phone = await open_meeting(
            await new_page(extra_http_headers={"Accept-Language": "en"}, viewport=VIEWPORTS["phone"]), token
        )
        await laptop.wait_for_function("document.querySelectorAll('#queue li').length === 3")
        await laptop.get_by_role("button", name="Next candidate").click()
        await first_candidate.wait_for(lambda m: m["type"] == "offer")
        interview = (await first_candidate.request({"ticket"}, type="accept"))["interview"]
        for page in (laptop, phone):
            await page.wait_for_selector("#interview:not([hidden])")
        # Both joined ahead at once: one is left in the call, the other out of it.
        inside, outside = await in_room_or_out([laptop, phone])
        await outside.get_by_text(ELSEWHERE).first.wait_for()
        await inside.wait_for_timeout(3000)  # and it stays so
        assert await inside.evaluate(in_the_room(INTERVIEWER_CALL))
        assert await outside.evaluate(elsewhere(INTERVIEWER_CALL))
        assert await room_participants(app_server, db, interview) == 1

        # Continue here on the other device: it takes the call, the first leaves it.
        await outside.get_by_role("button", name="Continue here").click()
        assert await in_room_or_out([laptop, phone]) == (outside, inside)
        assert await room_participants(app_server, db, interview) == 1
        inside, outside = outside, inside

        # The next interview, Next pressed on the page in the call: the other stays out.
        interview = await next_interview(inside, pressed=inside, other=outside, candidate=second_candidate)
        assert await in_room_or_out([laptop, phone]) == (inside, outside)
        await outside.get_by_role("button", name="Continue here").wait_for()
        assert await room_participants(app_server, db, interview) == 1

        # The one after, Next pressed on the page out of the call: the call comes to it.
        interview = await next_interview(inside, pressed=outside, other=inside, candidate=third_candidate)
        assert await in_room_or_out([laptop, phone]) == (outside, inside)
        assert await room_participants(app_server, db, interview) == 1


async def test_a_device_back_after_its_socket_was_down_leaves_the_call_taken_meanwhile(
    new_page, db, base_url, app_server
):
    """The laptop's socket is down (its call's media goes on) while the interviewer takes the
    call on the phone with Continue here, a notice the laptop never hears. Back, the laptop
    does not take the call back from the phone: it leaves it and shows it is elsewhere."""
    async with two_windows_in_interview(new_page, db, base_url) as (laptop, phone, interview):
        token = laptop.url.rstrip("/").rsplit("/", 1)[-1]
        assert await in_room_or_out([laptop, phone]) == (laptop, phone)

        down = {"now": True}

        async def relay(socket):
            if down["now"]:
                await socket.close()
            else:
                socket.connect_to_server()

        await laptop.route_web_socket(f"**/i/{token}/ws", relay)
        await laptop.evaluate("window.meeting.channel.ws.close()")
        await laptop.wait_for_selector('#connection:not([data-status="open"])')
        await phone.get_by_role("button", name="Continue here").click()
        await phone.wait_for_function(in_the_room(INTERVIEWER_CALL), timeout=20000)
        assert await laptop.get_attribute("#connection", "data-status") != "open"  # still down
        down["now"] = False
        await laptop.wait_for_selector('#connection[data-status="open"]', timeout=30000)
        await laptop.wait_for_function(elsewhere(INTERVIEWER_CALL))
        await laptop.get_by_role("button", name="Continue here").wait_for()
        await laptop.wait_for_timeout(2000)  # and it stays so
        assert await in_room_or_out([laptop, phone]) == (phone, laptop)
        assert await room_participants(app_server, db, interview) == 1
