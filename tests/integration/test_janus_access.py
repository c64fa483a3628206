"""Janus lets in only tokens the control plane added, and a ticket opens only its own room."""

from __future__ import annotations

import pytest

from app.janus.tokens import participant_token
from app.keys import JANUS
from app.tickets import read_ticket, mint_ticket
from tests.janus_probe import JanusProbe, added_token

UNAUTHORIZED = 403
VIDEOROOM_UNAUTHORIZED = 433
VIDEOROOM_MISSING_ELEMENT = 429


@pytest.fixture
def janus_url(settings) -> str:
    return settings.janus.servers[0].url


async def valid_token(settings) -> str:
    return await added_token(settings)


async def test_no_token_is_refused(janus_url):
    async with JanusProbe(janus_url, token=None) as probe:
        reply = await probe.call({"janus": "create"})
    assert reply["janus"] == "error" and reply["error"]["code"] == UNAUTHORIZED


@pytest.mark.parametrize(
    "token",
    [
        # What Janus would have taken before (a signed token) means nothing to stored tokens.
        "4102444800,janus,janus.plugin.videoroom:c2lnbmVkLWJ1dC1ub3Qtc3RvcmVk",
        # A token of the right shape for a room that was never made: derived, never added.
        participant_token("not-the-admin-secret-at-all-xxxxxxxx", "janus1", 42, 0),
    ],
)
async def test_a_token_janus_was_never_given_is_refused(janus_url, token):
    async with JanusProbe(janus_url, token=token) as probe:
        reply = await probe.call({"janus": "create"})
    assert reply["janus"] == "error" and reply["error"]["code"] == UNAUTHORIZED


async def test_valid_token_is_admitted(settings, janus_url):
    async with JanusProbe(janus_url, token=await valid_token(settings)) as probe:
        reply = await probe.open_videoroom()
    assert reply["janus"] == "success"


async def test_only_the_control_plane_can_create_rooms(settings, janus_url):
    async with JanusProbe(janus_url, token=await valid_token(settings)) as probe:
        await probe.open_videoroom()
        without_key = await probe.videoroom({"request": "create", "room": 4242})
        wrong_key = await probe.videoroom(
            {"request": "create", "room": 4243, "admin_key": "guessed-admin-key"}
        )
    assert without_key["error_code"] == VIDEOROOM_MISSING_ELEMENT
    assert wrong_key["error_code"] == VIDEOROOM_UNAUTHORIZED


async def test_a_ticket_opens_only_its_own_room(app_server, settings, janus_url):
    pool = app_server[JANUS]
    room_a = await pool.create_private_room(participants=2)
    room_b = await pool.create_private_room(participants=2)
    join_a = read_ticket(settings, mint_ticket(settings, room_a, 0, "candidate", "A", "test:a"))

    def publisher_join(room: int, pin: str, token: str) -> dict:
        return {
            "request": "join",
            "ptype": "publisher",
            "room": room,
            "pin": pin,
            "token": token,
            "display": "probe",
        }

    async with JanusProbe(janus_url, token=join_a.janus_token) as probe:
        await probe.open_videoroom()
        # Room A's pin and token at room B: the pin is wrong there.
        with_a_pin = await probe.videoroom(publisher_join(room_b.room_id, join_a.pin, join_a.room_token))
        # Even knowing room B's pin, room A's token is not on room B's allow-list.
        with_b_pin = await probe.videoroom(publisher_join(room_b.room_id, room_b.pin, join_a.room_token))
        # Watching room B needs its pin as well.
        as_subscriber = await probe.videoroom(
            {
                "request": "join",
                "ptype": "subscriber",
                "room": room_b.room_id,
                "pin": join_a.pin,
                "streams": [{"feed": 1}],
            }
        )
        # The ticket's own room lets it in.
        own_room = await probe.videoroom(publisher_join(join_a.room, join_a.pin, join_a.room_token))
    assert with_a_pin["error_code"] == VIDEOROOM_UNAUTHORIZED
    assert with_b_pin["error_code"] == VIDEOROOM_UNAUTHORIZED
    assert as_subscriber["error_code"] == VIDEOROOM_UNAUTHORIZED
    assert own_room.get("videoroom") == "joined", own_room


async def test_private_rooms_are_hidden_from_participants(app_server, settings, janus_url):
    room = await app_server[JANUS].create_private_room(participants=2)
    async with JanusProbe(janus_url, token=await valid_token(settings)) as probe:
        await probe.open_videoroom()
        listing = await probe.videoroom({"request": "list"})
    assert room.room_id not in [entry["room"] for entry in listing.get("list", [])]
