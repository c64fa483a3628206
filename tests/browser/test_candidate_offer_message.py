"""The candidate's page draws *Join* from the `offer` message itself (app/live/PROTOCOL.md:
"a page may draw *Join* from it at once"), not from the `state` that shows the offer a
moment later: here no such state ever reaches the page."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_candidate_live import (
    TEXTS,
    interviewer_socket,
    open_candidate,
    phase,
    tokens,
)
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser


def shows_an_offer(text: str) -> bool:
    try:
        message = json.loads(text)
    except ValueError:
        return False
    return message.get("type") == "state" and message.get("offer") is not None


async def test_join_is_drawn_from_the_offer_message(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    held_back = []

    async def relay(socket):
        server = socket.connect_to_server()

        def from_server(message):
            if isinstance(message, str) and shows_an_offer(message):
                held_back.append(message)  # the state showing the offer never arrives
            else:
                socket.send(message)

        server.on_message(from_server)
        socket.on_message(lambda message: server.send(message))

    await page.route_web_socket(f"**/c/{token}/ws", relay)
    await page.reload()
    await page.wait_for_function("!!window.candidatePage")
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        await page.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
        await phase(page, "waiting")
        assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await phase(page, "offer")
        join = page.get_by_role("button", name=TEXTS["en"]["join"])
        await join.wait_for(state="visible")
        await join.click()
        await phase(page, "interview")
    assert held_back, "the server sent no state showing the offer: the test showed nothing"
