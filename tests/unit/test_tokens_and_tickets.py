from __future__ import annotations

import base64
import hashlib
import hmac
import time

import jwt
import pytest

from app.janus.rooms import MAX_ROOM_ID, new_room
from app.janus.tokens import control_token, participant_token, token_owner
from app.settings import load_settings
from app.tickets import KeptTickets, TicketError, mint_ticket, read_ticket
from tests.unit.test_settings import SECRETS


def test_janus_tokens_are_derived_per_server_room_participant_and_serial():
    key = "admin-secret-" * 3
    token = participant_token(key, "janus1", 42, 0)
    digest = hmac.new(key.encode(), b"janus-token:janus1:42:0:0", hashlib.sha256).digest()
    assert token == "p.42.0.0." + base64.urlsafe_b64encode(digest[:24]).decode()
    others = {
        participant_token(key, "janus1", 42, 1),
        participant_token(key, "janus2", 42, 0),
        participant_token(key, "janus1", 43, 0),
        participant_token(key, "janus1", 42, 0, 1),
        participant_token("other" * 8, "janus1", 42, 0),
    }
    assert token not in others and len(others) == 5
    assert token_owner(token) == (42, 0, 0)
    assert token_owner(participant_token(key, "janus1", 2**53 - 1, 1, 7)) == (2**53 - 1, 1, 7)
    assert token_owner(control_token(key, "janus1")) is None
    assert token_owner("p.42.0.0") is None
    assert control_token(key, "janus1") != control_token(key, "janus2")


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
    assert (info.room, info.pin, info.room_token) == (room.room_id, room.pin, room.participant_tokens[1])
    assert info.display == "Åsa Öberg" and info.role == "candidate"
    assert info.janus_url == settings.janus.servers[0].public_url
    assert info.janus_token == participant_token(
        settings.janus.admin_secret.get_secret_value(), "janus1", room.room_id, 1
    )
    renewed = read_ticket(
        settings, mint_ticket(settings, room, 1, "candidate", "Åsa Öberg", "c:1", token_serial=3)
    )
    assert renewed.janus_token == participant_token(
        settings.janus.admin_secret.get_secret_value(), "janus1", room.room_id, 1, 3
    )


def test_expired_and_forged_tickets_are_refused(settings):
    room = new_room("janus1", 2)
    expired = mint_ticket(settings, room, 0, "candidate", "x", "c:1", lifetime=60, now=1_000)
    with pytest.raises(TicketError):
        read_ticket(settings, expired)
    claims = jwt.decode(
        mint_ticket(settings, room, 0, "candidate", "x", "c:1"), options={"verify_signature": False}
    )
    forged = jwt.encode(dict(claims, room=123), "another-key-entirely-xxxxxxxxxxxx", algorithm="HS256")
    with pytest.raises(TicketError):
        read_ticket(settings, forged)
    with pytest.raises(TicketError):
        read_ticket(settings, "not.a.ticket")


def test_kept_tickets_are_minted_once_per_key_until_half_their_lifetime():
    kept, minted = KeptTickets(limit=3), []

    def mint(now: float) -> str:
        minted.append(now)
        return f"ticket-{len(minted)}"

    assert kept.get("a", 3600, mint, now=1000.0) == "ticket-1"
    assert kept.get("a", 3600, mint, now=2799.0) == "ticket-1"  # more than half still left
    assert kept.get("a", 3600, mint, now=2800.0) == "ticket-2"  # half gone: a fresh one
    assert kept.get("a", 3600, mint, now=500.0) == "ticket-3"  # the clock went back: fresh
    assert kept.get("b", 3600, mint, now=2800.0) == "ticket-4"
    kept.get("c", 3600, mint, now=2800.0)
    kept.get("d", 3600, mint, now=2800.0)  # over the limit: the oldest minted ("a") goes
    assert len(kept) == 3
    assert kept.get("b", 3600, mint, now=2800.0) == "ticket-4"
    assert kept.get("a", 3600, mint, now=2800.0) == "ticket-7"


def test_an_interviewers_state_keeps_its_ticket_from_round_to_round(settings, monkeypatch):
    """The interviewer's ticket in their state is the same in the next round's state (no
    new JWT per round), valid, and a new one for another room of the interview."""
    from app.live.snapshots import _ticket

    room = new_room("janus1", 2)
    row = {
        "id": 7,
        "janus_server": room.server,
        "room_id": room.room_id,
        "room_pin": room.pin,
        "room_secret": room.secret,
        "room_tokens": list(room.participant_tokens),
        "candidate_name": "Åsa",
        "interviewer_name": "Bo",
        "interviewer_named": True,
    }
    first = _ticket(row, settings)
    later = time.time() + 60  # a minute on: minted afresh, the ticket would differ (iat)
    monkeypatch.setattr(time, "time", lambda: later)
    assert _ticket(dict(row), settings) == first
    monkeypatch.undo()
    info = read_ticket(settings, first)
    assert (info.role, info.display, info.room, info.subject) == (
        "interviewer",
        "Bo",
        room.room_id,
        "interview:7:interviewer",
    )
    moved = new_room("janus1", 2)
    other = _ticket(
        {
            **row,
            "room_id": moved.room_id,
            "room_pin": moved.pin,
            "room_tokens": list(moved.participant_tokens),
        },
        settings,
    )
    assert other != first and read_ticket(settings, other).room == moved.room_id
    assert _ticket({**row, "interviewer_name": "Bodil"}, settings) != first
    assert _ticket({**row, "room_id": None}, settings) is None
