from __future__ import annotations

import base64
import hashlib
import hmac

import jwt
import pytest

from app.janus.rooms import MAX_ROOM_ID, new_room
from app.janus.tokens import mint_janus_token, token_expiry
from app.settings import load_settings
from app.tickets import TicketError, mint_ticket, read_ticket
from tests.unit.test_settings import SECRETS


def test_janus_token_format_and_signature():
    token = mint_janus_token("shared-secret", 60, now=1_000_000)
    data, signature = token.split(":")
    assert data == "1000060,janus,janus.plugin.videoroom"
    expected = hmac.new(b"shared-secret", data.encode(), hashlib.sha1).digest()
    assert base64.b64decode(signature) == expected
    assert token_expiry(token) == 1_000_060


def test_rooms_are_random_and_javascript_safe():
    rooms = [new_room("janus1", 2) for _ in range(200)]
    assert len({r.room_id for r in rooms}) == 200
    assert all(0 < r.room_id <= MAX_ROOM_ID for r in rooms)
    assert len({r.pin for r in rooms}) == 200
    assert all(len(r.participant_tokens) == 2 and len(set(r.participant_tokens)) == 2 for r in rooms)


@pytest.fixture
def settings():
    return load_settings(dict(SECRETS))


def test_ticket_round_trip(settings):
    room = new_room("janus1", 2)
    info = read_ticket(settings, mint_ticket(settings, room, 1, "candidate", "Åsa Öberg", "c:1"))
    assert (info.room, info.pin, info.room_token) == (room.room_id, room.pin,
                                                      room.participant_tokens[1])
    assert info.display == "Åsa Öberg" and info.role == "candidate"
    assert info.janus_url == settings.janus.servers[0].public_url


def test_expired_and_forged_tickets_are_refused(settings):
    room = new_room("janus1", 2)
    expired = mint_ticket(settings, room, 0, "candidate", "x", "c:1", lifetime=60, now=1_000)
    with pytest.raises(TicketError):
        read_ticket(settings, expired)
    claims = jwt.decode(mint_ticket(settings, room, 0, "candidate", "x", "c:1"),
                        options={"verify_signature": False})
    forged = jwt.encode(dict(claims, room=123), "another-key-entirely-xxxxxxxxxxxx", algorithm="HS256")
    with pytest.raises(TicketError):
        read_ticket(settings, forged)
    with pytest.raises(TicketError):
        read_ticket(settings, "not.a.ticket")
