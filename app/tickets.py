"""Tickets: what lets one browser into one room on one Janus server, for a short while.

A ticket is a JWT signed with `app.secret_key`. It names the room, the role and the server,
and carries what Janus demands: this participant's Janus token, the room's pin and this
participant's entry on the room's allow-list. Nothing else opens a room. The ticket itself
is valid for `janus.token_lifetime`, but the Janus token inside works only while the room's
interview lives: it is removed from Janus when the interview ends (app/janus/tokens.py).
Likewise the TURN credentials that `with_turn` adds when it is traded at /api/join last
until a little after the interview's planned end (app/turn.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

import jwt

from app.janus.fleet import PUBLIC_URLS
from app.janus.rooms import Room
from app.janus.tokens import participant_token
from app.settings import Settings
from app.turn import turn_credentials

ALGORITHM = "HS256"
AUDIENCE = "snabbintervjuer:room"
Role = Literal["candidate", "interviewer"]


class TicketError(Exception):
    """Expired, forged or malformed."""


@dataclass(frozen=True)
class JoinInfo:
    """What the browser's Janus code needs to join; sent only to the ticket's holder."""

    janus_url: str
    janus_token: str
    room: int
    pin: str
    room_token: str
    role: str
    display: str
    ice_servers: list[dict]
    expires_at: int
    # Given to Janus as the publisher handle's opaque id; its event handler echoes it back,
    # which is how media start/stop reach the right interview (app/live/media.py). Signed,
    # because a browser can set any opaque id it likes.
    opaque_id: str = ""
    # Whom the ticket is for ("interview:42:candidate"); kept on the server (with_turn).
    subject: str = dataclasses.field(default="", metadata={"private": True})

    def for_browser(self) -> dict:
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if not f.metadata.get("private")
        }


def media_tag(settings: Settings, subject: str) -> str:
    """`subject` with a signature: "interview:42:candidate:<signature>"."""
    signature = hmac.new(
        settings.app.secret_key.get_secret_value().encode(), f"media-tag:{subject}".encode(), hashlib.sha256
    ).hexdigest()[:24]
    return f"{subject}:{signature}"


def read_media_tag(settings: Settings, tag: str) -> str | None:
    """The subject of a genuine tag, else None."""
    subject, _, _ = tag.rpartition(":")
    # As bytes: compare_digest refuses strings that are not ASCII, and a tag is the
    # page's own opaque_id, whatever it sent Janus.
    genuine = hmac.compare_digest(media_tag(settings, subject).encode(), tag.encode("utf-8", "surrogatepass"))
    return subject if subject and genuine else None


class UnknownJanusServer(KeyError):
    """A room on a server that is in no settings and not in the fleet as known here."""


def janus_public_url(settings: Settings, server: str, fleet_url: str | None = None) -> str:
    """Where browsers reach the server: as the settings say (they seed the fleet with the
    same URLs), or for a server added to the fleet while the service runs, as the fleet
    says: `fleet_url` read from the database with the room (a server this process has not
    heard of yet, app/janus/fleet.py), else as this process follows the fleet."""
    url = next((s.public_url for s in settings.janus.servers if s.name == server), None)
    if url is None:
        url = fleet_url or PUBLIC_URLS.get(server)
    if url is None:
        raise UnknownJanusServer(f"Janus server {server} is in no settings and not in the fleet")
    return url


def mint_ticket(
    settings: Settings,
    room: Room,
    participant: int,
    role: Role,
    display: str,
    subject: str,
    lifetime: int | None = None,
    now: float | None = None,
    token_serial: int = 0,
    janus_url: str | None = None,
) -> str:
    """`participant` picks this holder's token from the room's allow-list, and with
    `token_serial` (how often it was renewed) their Janus token. `janus_url`: the room's
    server as the fleet table says (janus_public_url)."""
    now = time.time() if now is None else now
    lifetime = settings.janus.token_lifetime if lifetime is None else lifetime
    claims = {
        "aud": AUDIENCE,
        "sub": subject,
        "iat": int(now),
        "exp": int(now + lifetime),
        "role": role,
        "display": display,
        "server": room.server,
        "janus_url": janus_public_url(settings, room.server, janus_url),
        "room": room.room_id,
        "pin": room.pin,
        "room_token": room.participant_tokens[participant],
        "janus_token": participant_token(
            settings.janus.admin_secret.get_secret_value(),
            room.server,
            room.room_id,
            participant,
            token_serial,
            settings.janus.deployment_id,
        ),
    }
    return jwt.encode(claims, settings.app.secret_key.get_secret_value(), algorithm=ALGORITHM)


class KeptTickets:
    """Tickets minted once and handed out again while they have more than half their
    lifetime left (`janus.token_lifetime`, hours): for what is minted over and over for the
    same holder and room, the interviewer's ticket in every state of their interview
    (app/live/snapshots.py). Minting one (a signed JWT, an HMAC for the Janus token in it)
    cost about a third of a millisecond, and every round of a busy event sends every
    interviewer a state (docs/architecture.md, "Tickets kept").

    `key` names everything the ticket is made of; at most `limit` are kept, the oldest
    minted dropped first."""

    def __init__(self, limit: int = 4096) -> None:
        self._kept: dict[Hashable, tuple[str, float]] = {}
        self._limit = limit

    def get(
        self, key: Hashable, lifetime: int, mint: Callable[[float], str], now: float | None = None
    ) -> str:
        now = time.time() if now is None else now
        kept = self._kept.get(key)
        if kept is not None and 0 <= now - kept[1] < lifetime / 2:
            return kept[0]
        self._kept.pop(key, None)  # (again at the end: the order is the minting order)
        while len(self._kept) >= self._limit:
            del self._kept[next(iter(self._kept))]
        ticket = mint(now)
        self._kept[key] = (ticket, now)
        return ticket

    def __len__(self) -> int:
        return len(self._kept)


def read_ticket(settings: Settings, ticket: str) -> JoinInfo:
    try:
        claims = jwt.decode(
            ticket,
            settings.app.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "aud", "sub"]},
        )
        return JoinInfo(
            janus_url=claims["janus_url"],
            janus_token=claims["janus_token"],
            room=int(claims["room"]),
            pin=claims["pin"],
            room_token=claims["room_token"],
            role=claims["role"],
            display=claims["display"],
            ice_servers=settings.janus.browser_ice_servers,
            expires_at=int(claims["exp"]),
            opaque_id=media_tag(settings, str(claims["sub"])),
            subject=str(claims["sub"]),
        )
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as error:
        raise TicketError(type(error).__name__) from None


def ticket_interview(info: JoinInfo) -> int | None:
    """The interview a ticket is for ("interview:<id>:<role>"), if it names one."""
    kind, _, rest = info.subject.partition(":")
    number = rest.partition(":")[0]
    return int(number) if kind == "interview" and number.isdigit() and len(number) < 19 else None


def with_turn(settings: Settings, info: JoinInfo, planned_end: float | None) -> JoinInfo:
    """`info` with this holder's own TURN credentials, valid until `turn.credential_margin`
    after `planned_end` (Unix seconds); unchanged without TURN or a live interview."""
    if planned_end is None or not settings.turn.urls:
        return info
    holder = info.subject.replace(":", "-")
    expires_at = int(planned_end) + settings.turn.credential_margin
    return dataclasses.replace(
        info, ice_servers=[*info.ice_servers, *turn_credentials(settings.turn, holder, expires_at)]
    )
