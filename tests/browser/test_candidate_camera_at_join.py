"""The candidate's camera starts as the press of Join begins, while the server lets them in
(web/static/js/live/candidate-join.js, CallView.askMedia; docs/calls.md, "Joining fast"), and the
call publishes that very camera; a Join the server refuses, or a press let go beside the
button, stops it again."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_candidate_live import TEXTS, interviewer_socket, open_candidate, phase, tokens
from tests.browser.interviewer_support import shot
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

EARLY_TRACKS = """window.candidatePage.call.media.then((stream) =>
    (window.early = stream.getTracks()).map((track) => track.readyState))"""
# The own picture in the call is the camera started early (window.early).
SELF_SHOWS_EARLY_CAMERA = """() => {
  const own = document.querySelector("[data-phase=interview] [data-call-self]").srcObject;
  return !!own && own.getVideoTracks()[0] === window.early.find((t) => t.kind === "video");
}"""


def of_type(message, kind: str) -> bool:
    if not isinstance(message, str):
        return False
    try:
        return json.loads(message).get("type") == kind
    except ValueError:
        return False


async def relayed(page, token: str, to_page=None, to_server=None) -> list:
    """The page's live socket through a relay: `to_page(message, route)` and `to_server(message)`
    say whether a message goes on now (a test holds back the others). Returns the routes
    [(the page's side, the server's side)], one per connection."""
    routes: list = []

    async def relay(socket):
        server = socket.connect_to_server()
        routes.append((socket, server))
        server.on_message(lambda m: (to_page is None or to_page(m, socket)) and socket.send(m))
        socket.on_message(lambda m: (to_server is None or to_server(m)) and server.send(m))

    await page.route_web_socket(f"**/c/{token}/ws", relay)
    await page.reload()
    await page.wait_for_function("!!window.candidatePage")
    return routes


def holding(kind: str, held: list):
    """A relay filter that keeps messages of type `kind` in `held` instead of passing them."""

    def passes(message, *_route) -> bool:
        if of_type(message, kind):
            held.append(message)
            return False
        return True

    return passes


async def relayed_candidate(new_page, base_url, db, **relay):
    """A checked-in-to-be candidate's page through a relay (`relayed`): (the page, its routes,
    the interviewer's socket to open with `async with`)."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    routes = await relayed(page, token, **relay)
    return page, routes, interviewer_socket(base_url, interviewer_token)


async def offered(page, interviewer) -> None:
    await page.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
    await phase(page, "waiting")
    assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
    await phase(page, "offer")


async def camera_on_at_join(page, interviewer) -> None:
    """The offer, the press of Join: the camera is on (its tracks kept in window.early)."""
    await offered(page, interviewer)
    await page.get_by_role("button", name=TEXTS["en"]["join"]).click()
    await page.wait_for_function("window.candidatePage.call.media !== null")
    assert await page.evaluate(EARLY_TRACKS) == ["live", "live"]


async def test_the_camera_starts_on_join_and_the_call_publishes_it(new_page, base_url, db):
    held: list[str] = []
    page, routes, interviewer_socket_ = await relayed_candidate(
        new_page, base_url, db, to_page=holding("ticket", held)
    )
    async with interviewer_socket_ as interviewer:
        await camera_on_at_join(page, interviewer)  # with the ticket still on its way
        assert not await page.evaluate("window.candidatePage.call.joined")
        for _ in range(100):
            if held:
                break
            await page.wait_for_timeout(100)
        socket, _server = routes[-1]
        for message in held:
            socket.send(message)
        await phase(page, "interview")
        await page.wait_for_function(SELF_SHOWS_EARLY_CAMERA, timeout=20000)


async def test_a_refused_join_stops_the_camera_again(new_page, base_url, db):
    held: list[str] = []
    page, routes, interviewer_socket_ = await relayed_candidate(
        new_page, base_url, db, to_server=holding("accept", held)
    )
    async with interviewer_socket_ as interviewer:
        await camera_on_at_join(page, interviewer)
        # The offer is taken back before the accept arrives: the server refuses it.
        assert (await interviewer.request({"ok"}, type="withdraw"))["type"] == "ok"
        await phase(page, "waiting")
        _socket, server = routes[-1]
        for message in held:
            server.send(message)
        await page.wait_for_function("window.early.every((track) => track.readyState === 'ended')")
        assert not await page.evaluate("window.candidatePage.call.joined")


async def test_a_ticket_before_the_state_of_the_interview_keeps_the_call(new_page, base_url, db):
    """The ticket may come before the state that starts the interview, and a state still
    showing the offer after it (a round read before the accept): the call joined with the
    ticket stays."""
    offer_states: list[str] = []
    interview_states: list[str] = []  # held back until the test lets them through

    def to_page(message, _route) -> bool:
        if of_type(message, "state"):
            state = json.loads(message)
            if state["interview"] is not None:
                interview_states.append(message)
                return False
            if state["offer"] is not None:
                offer_states.append(message)
        return True

    page, routes, interviewer_socket_ = await relayed_candidate(new_page, base_url, db, to_page=to_page)
    async with interviewer_socket_ as interviewer:
        await offered(page, interviewer)
        await page.get_by_role("button", name=TEXTS["en"]["join"]).click()
        await page.wait_for_function("window.candidatePage.call.joined", timeout=20000)
        await page.evaluate("window.firstCall = window.candidatePage.call.call")
        routes[-1][0].send(offer_states[-1])  # a state still showing the offer, after the ticket
        await page.wait_for_function("window.candidatePage.call.state.phase === 'alone'", timeout=20000)
        assert await page.evaluate("window.candidatePage.call.call === window.firstCall")
        for message in interview_states:
            routes[-1][0].send(message)
        await phase(page, "interview")
        assert await page.evaluate("window.candidatePage.call.call === window.firstCall")
        assert not await page.evaluate("window.candidatePage.call.state.ended")


async def press_down_on_join(page) -> None:
    """The mouse button goes down over Join and stays down (no click yet): the camera is on
    (its tracks kept in window.early)."""
    box = await page.get_by_role("button", name=TEXTS["en"]["join"]).bounding_box()
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.mouse.down()
    await page.wait_for_function("window.candidatePage.call.media !== null")
    assert await page.evaluate(EARLY_TRACKS) == ["live", "live"]


async def accepts_counted(new_page, base_url, db):
    """relayed_candidate, with the `accept` messages the page sends kept in a list (the
    third of what this returns)."""
    accepts: list[str] = []

    def to_server(message) -> bool:
        if of_type(message, "accept"):
            accepts.append(message)
        return True

    page, _routes, interviewer_socket_ = await relayed_candidate(new_page, base_url, db, to_server=to_server)
    return page, interviewer_socket_, accepts


async def test_the_camera_starts_as_the_press_begins_and_the_click_joins_with_it(new_page, base_url, db):
    page, interviewer_socket_, accepts = await accepts_counted(new_page, base_url, db)
    async with interviewer_socket_ as interviewer:
        await offered(page, interviewer)
        await press_down_on_join(page)
        assert accepts == []  # the camera only: nobody is let in before the click
        await page.mouse.up()
        await phase(page, "interview")
        assert len(accepts) == 1
        await page.wait_for_function(SELF_SHOWS_EARLY_CAMERA, timeout=20000)


async def test_a_press_let_go_beside_join_stops_the_camera_and_joins_nothing(new_page, base_url, db):
    page, interviewer_socket_, accepts = await accepts_counted(new_page, base_url, db)
    async with interviewer_socket_ as interviewer:
        await offered(page, interviewer)
        await press_down_on_join(page)
        await page.mouse.move(5, 5)  # away from the button, then let go: no click
        await page.mouse.up()
        await page.wait_for_function(
            "window.early.every((track) => track.readyState === 'ended')", timeout=10000
        )
        assert accepts == [] and not await page.evaluate("window.candidatePage.call.joined")


# Connected ahead (PROTOCOL.md, `prepare`): a Janus session and handle, not in the room.
CONNECTED_AHEAD = "window.candidatePage.call.prepared?.call.publisher != null"


async def test_while_the_offer_shows_the_page_is_connected_to_janus_but_not_in_the_room(
    new_page, base_url, db
):
    page, interviewer_socket_, accepts = await accepts_counted(new_page, base_url, db)
    await page.evaluate(
        """() => { window.asked = 0; const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
             navigator.mediaDevices.getUserMedia = (c) => { window.asked += 1; return ask(c); }; }"""
    )
    async with interviewer_socket_ as interviewer:
        await offered(page, interviewer)
        await page.wait_for_function(CONNECTED_AHEAD, timeout=20000)
        held = await page.evaluate(
            """() => { const c = window.candidatePage.call.prepared.call; window.ahead = c;
                 return [window.asked, c.held, c.privateId, c.pcs.size, "pin" in c.join, "room_token" in c.join]; }"""
        )
        assert held == [0, True, None, 0, False, False]  # no camera, no room, nothing to enter one
        await page.get_by_role("button", name=TEXTS["en"]["join"]).click()
        await phase(page, "interview")
        assert len(accepts) == 1
        # The join took over the session made ahead, and entered the room with it.
        await page.wait_for_function(
            "window.candidatePage.call.call === window.ahead && window.ahead.privateId != null", timeout=20000
        )
        assert await page.evaluate("!window.ahead.held && window.asked === 1")


async def test_an_offer_taken_back_closes_the_session_made_ahead(new_page, base_url, db):
    page, interviewer_socket_, _accepts = await accepts_counted(new_page, base_url, db)
    async with interviewer_socket_ as interviewer:
        await offered(page, interviewer)
        await page.wait_for_function(CONNECTED_AHEAD, timeout=20000)
        await page.evaluate("window.ahead = window.candidatePage.call.prepared.call")
        assert (await interviewer.request({"ok"}, type="withdraw"))["type"] == "ok"
        await phase(page, "waiting")
        await page.wait_for_function("window.candidatePage.call.prepared === null && window.ahead.closed")
        assert not await page.evaluate("window.candidatePage.call.joined")


async def test_a_second_click_on_join_while_the_offer_still_shows_asks_for_no_new_ticket(
    new_page, base_url, db
):
    """The state that shows the interview comes a moment after the ticket; until then Join
    still shows. A second click sent a second `accept`, whose ticket revoked the first one's
    Janus token: the call left and joined again."""
    accepts: list[str] = []
    late = {"states": False}

    def to_server(message) -> bool:
        if of_type(message, "accept"):
            accepts.append(message)
        return True

    def to_page(message, _route) -> bool:
        return not (late["states"] and of_type(message, "state"))

    page, _routes, interviewer_socket_ = await relayed_candidate(
        new_page, base_url, db, to_server=to_server, to_page=to_page
    )
    async with interviewer_socket_ as interviewer:
        await offered(page, interviewer)
        late["states"] = True  # the offer stays on the page
        join = page.get_by_role("button", name=TEXTS["en"]["join"])
        await join.click()
        await page.wait_for_function("window.candidatePage.callFor !== null", timeout=10000)
        await join.click()
        # A ping after the second click: its pong comes after anything the click sent.
        await page.evaluate("window.candidatePage.channel.send({ type: 'ping' })")
        assert len(accepts) == 1


async def test_an_interview_ending_between_two_tries_of_a_join_stops_the_tries(new_page, base_url, db):
    """The network dropped in the interview: the call waits to try again (no call object
    meanwhile). The interview ends before it is back: the tries stop there, and the camera
    is not asked for again every few seconds on the page that asks about the job."""
    page, interviewer_socket_, _accepts = await accepts_counted(new_page, base_url, db)
    async with interviewer_socket_ as interviewer:
        await offered(page, interviewer)
        await page.get_by_role("button", name=TEXTS["en"]["join"]).click()
        await phase(page, "interview")
        await page.wait_for_function("window.candidatePage.call.joined", timeout=20000)
        # As a lost link leaves it: no call, the next try a few seconds away.
        await page.evaluate("window.candidatePage.call.stop(); window.candidatePage.call.retrySoon()")
        assert await page.evaluate("window.candidatePage.call.underway && !window.candidatePage.call.joined")
        await interviewer.request({"ok"}, type="end")
        await page.wait_for_function("window.candidatePage.call.state.ended", timeout=10000)
        await page.wait_for_timeout(4000)  # past the retry's moment (RETRY_JOIN_MS, 3 s)
        assert not await page.evaluate("window.candidatePage.call.joined")


# The browser refuses the camera and microphone until the test lets it have them again, as a
# person allowing them by the padlock (NotAllowedError) or plugging in a camera
# (NotFoundError, with only a microphone listed meanwhile) would. Chromium's fake devices are
# always both there: only a stand-in can take the camera away.
REFUSED_CAMERA = """(() => {
  const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  const list = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
  window.refuseCamera = true;
  window.asked = 0;
  navigator.mediaDevices.getUserMedia = (constraints) => ++window.asked && window.refuseCamera
    ? Promise.reject(new DOMException("refused", "%(error)s"))
    : ask(constraints);
  navigator.mediaDevices.enumerateDevices = async () => (await list())
    .filter((device) => !window.refuseCamera || device.kind !== "videoinput");
})()"""


@pytest.mark.parametrize(
    "language, error, said",
    [
        (
            "en",
            "NotAllowedError",
            "The camera and microphone are blocked for this page. Allow them (the camera or padlock"
            " symbol next to the address) and try again.",
        ),
        (
            "sv",
            "NotAllowedError",
            "Kameran och mikrofonen är blockerade för den här sidan. Tillåt dem (kamera- eller"
            " hänglåssymbolen bredvid adressen) och försök igen.",
        ),
        ("en", "NotFoundError", "No camera was found. Connect one and try again."),
        ("sv", "NotFoundError", "Ingen kamera hittades. Anslut en och försök igen."),
    ],
)
async def test_a_camera_refused_at_join_says_what_to_do_and_join_again_asks_anew(
    new_page, base_url, db, language, error, said
):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, language)
    await page.add_init_script(REFUSED_CAMERA % {"error": error})
    await page.reload()
    await page.wait_for_function("!!window.candidatePage")
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        await page.get_by_role("button", name=TEXTS[language]["checkin"]).click()
        await phase(page, "waiting")
        assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await phase(page, "offer")
        await page.get_by_role("button", name=TEXTS[language]["join"]).click()
        await phase(page, "interview")
        # ("Connecting…" first: the refusal comes when the call publishes.)
        await page.wait_for_function(
            "(said) => document.querySelector('[data-phase=interview] [data-call-status]').textContent === said",
            arg=said,
        )
        assert await page.get_attribute("[data-phase=interview] [data-call]", "data-phase") == "failed"
        again = page.locator("[data-rejoin-button]")
        assert await again.is_visible()
        # The help for it beside the words, in a new tab (the page keeps the interview).
        help_link = page.locator("[data-phase=interview] [data-call-problem-link]")
        assert await help_link.is_visible() and await help_link.get_attribute("target") == "_blank"
        assert (await help_link.get_attribute("href")).startswith("/help#")
        await shot(page, f"camera-refused-at-join-{language}-{error}")
        # Nothing is sent, so nothing to mute or turn off (Leave the call stays).
        for switch in ("mic", "camera"):
            assert not await page.locator(f"[data-phase=interview] [data-call-{switch}]").is_visible()
        assert await page.locator("[data-phase=interview] [data-call-leave]").is_visible()
        # By the keyboard: Join again, refused once more, leaves the focus on Join again (not
        # at the top of the page, as when the button it pressed hid itself) ...
        await again.focus()
        attempt = await page.evaluate("window.candidatePage.call.state.attempt")
        await page.keyboard.press("Enter")
        # (The join after this press failed, not the one before it still shown.)
        await page.wait_for_function(
            f"window.candidatePage.call.state.attempt > {attempt}"
            " && window.candidatePage.call.state.phase === 'failed'"
            " && document.activeElement.matches('[data-rejoin-button]')"
        )
        # ... and once allowed, the call goes on with the focus in it.
        asked = await page.evaluate("window.asked")
        await page.evaluate("window.refuseCamera = false")
        await page.keyboard.press("Enter")
        # Join again asks the browser anew, and the call goes on past publishing.
        await page.wait_for_function(f"window.asked > {asked}")
        await page.wait_for_function(
            "['alone', 'live'].includes(document.querySelector('[data-phase=interview] [data-call]').dataset.phase)"
        )
        # (On its first control, shown again once the join began: not the page's top.)
        assert await page.evaluate("document.activeElement.matches('[data-call] [data-call-mic]')")
        assert await help_link.is_hidden()
