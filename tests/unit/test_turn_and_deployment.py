"""Per-ticket TURN credentials in coturn's shared-secret scheme, and names on Janus that
keep deployments sharing a server apart."""

from __future__ import annotations

import pytest

from app.janus.rooms import Room, room_description, room_interview
from app.janus.tokens import participant_token, room_tokens_among, token_owner
from app.settings import SettingsError, load_settings
from app.tickets import mint_ticket, read_ticket, ticket_interview, with_turn
from app.turn import turn_credentials, turn_password
from tests.unit.test_settings import SECRETS

TURN = dict(
    SECRETS,
    SNABB_TURN_URLS='["turn:t.example:3478", "turns:t.example:443?transport=tcp"]',
    SNABB_TURN_SECRET="s" * 32,
)


def test_the_password_is_coturns_hmac_sha1_of_the_user_name():
    # Worked out independently: printf %s NAME | openssl dgst -sha1 -hmac SECRET -binary | base64
    assert turn_password("s" * 32, "1700000900:interview-42-candidate") == "tyTy8sqwAcEenGBs/XVwCj36wKc="


def test_a_ticket_gets_its_own_credentials_until_a_little_after_the_interview():
    settings = load_settings(dict(TURN, SNABB_TURN_CREDENTIAL_MARGIN="600"))
    room = Room("janus1", 77, "pin", "secret", ("a", "b"))
    ticket = mint_ticket(settings, room, 0, "candidate", "Ada", "interview:42:candidate")
    info = read_ticket(settings, ticket)
    assert ticket_interview(info) == 42 and "subject" not in info.for_browser()
    assert with_turn(settings, info, None) == info  # no live interview: no relay
    (server,) = with_turn(settings, info, 1_700_000_300.5).ice_servers
    assert server["urls"] == ["turn:t.example:3478", "turns:t.example:443?transport=tcp"]
    assert server["username"] == "1700000900:interview-42-candidate"
    assert server["credential"] == "tyTy8sqwAcEenGBs/XVwCj36wKc="
    other = read_ticket(
        settings, mint_ticket(settings, room, 1, "interviewer", "Bo", "interview:42:interviewer")
    )
    (theirs,) = with_turn(settings, other, 1_700_000_300).ice_servers
    assert theirs["username"] == "1700000900:interview-42-interviewer"
    assert theirs["credential"] != server["credential"]


def test_turn_settings_are_checked_and_the_secret_never_shown():
    assert turn_credentials(load_settings(dict(SECRETS)).turn, "x", 1) == []
    settings = load_settings(TURN)
    assert "s" * 32 not in repr(settings) + str(settings)
    with pytest.raises(SettingsError, match="turn: or turns:"):
        load_settings(dict(TURN, SNABB_TURN_URLS='["stun:t.example:3478"]'))
    with pytest.raises(SettingsError, match="turn.secret") as error:
        load_settings(dict(TURN, SNABB_TURN_SECRET="short-secret"))
    assert "short-secret" not in str(error.value)
    assert "SNABB_TURN_SECRET" in str(error.value)  # named as the other settings are
    with pytest.raises(ValueError):
        turn_credentials(settings.turn, "has:colon", 1)


def test_rooms_and_tokens_are_named_per_deployment():
    assert room_description("", 42) == "interview 42"  # as before there were deployments
    assert room_description("prod", 42) == "interview prod 42"
    assert room_interview("", "interview 42") == 42
    assert room_interview("", "interview prod 42") is None
    assert room_interview("prod", "interview prod 42") == 42
    assert room_interview("prod", "interview 42") is None
    assert room_interview("prod", "interview staging 42") is None
    key = "k" * 32
    plain, prod = (participant_token(key, "janus1", 42, 1, 3, deployment) for deployment in ("", "prod"))
    assert prod.startswith("p.prod.42.1.3.") and plain.startswith("p.42.1.3.")
    assert token_owner(plain) == token_owner(prod, "prod") == (42, 1, 3)
    assert token_owner(prod) is None and token_owner(plain, "prod") is None
    assert token_owner(prod, "staging") is None
    # A room's tokens among a server's: not another room's whose id begins alike, nor
    # another deployment's, nor anything that only looks like one.
    other = participant_token(key, "janus1", 421, 0, 0)
    listed = [plain, prod, other, "p.42.1.3", "c.control", participant_token(key, "janus1", 42, 0, 0)]
    assert room_tokens_among(listed, 42) == [plain, listed[-1]]
    assert room_tokens_among(listed, 42, "prod") == [prod]
    assert room_tokens_among(listed, 421) == [other]
    with pytest.raises(SettingsError, match="deployment_id"):
        load_settings(dict(SECRETS, SNABB_JANUS_DEPLOYMENT_ID="Prod 1"))
