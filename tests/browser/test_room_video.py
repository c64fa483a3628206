"""Two browsers in one room created by the control plane: each shows the other's video."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.keys import JANUS
from app.tickets import mint_ticket

pytestmark = pytest.mark.browser

REMOTE_VIDEO_PLAYING = """() => {
  const video = document.querySelector('video.remote');
  return !!video && video.videoWidth > 0 && video.readyState >= 2;
}"""


async def test_two_browsers_see_each_other(app_server, settings, new_page):
    room = await app_server[JANUS].create_private_room(participants=2)
    tickets = [
        mint_ticket(settings, room, index, role, display, subject=f"test:{role}")
        for index, (role, display) in enumerate([("interviewer", "Intervjuare"), ("candidate", "Kandidat")])
    ]
    pages = [await new_page() for _ in tickets]
    for page, ticket in zip(pages, tickets):
        await page.goto(f"/test-pages/room.html#{quote(ticket)}")
    for page in pages:
        await page.wait_for_function(REMOTE_VIDEO_PLAYING, timeout=20000)
        assert await page.evaluate("window.callState.failures") == []
        width = await page.evaluate("document.querySelector('video.remote').videoWidth")
        assert width > 0
    participants = (
        await app_server[JANUS]
        .connections[room.server]
        .request({"request": "listparticipants", "room": room.room_id})
    )
    assert len(participants["participants"]) == 2
