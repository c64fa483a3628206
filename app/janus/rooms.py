"""Private VideoRooms: one per interview, created with a random pin, secret and allow-list."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from app.settings import JanusSettings

from app.janus.connection import JanusConnection, JanusError

# Janus room ids are unsigned 64-bit, but browsers read JSON numbers as doubles:
# stay below 2**53 so janus.js sees the id we created.
MAX_ROOM_ID = 2**53 - 1
NO_SUCH_ROOM = 426
PUBLISHERS_PER_ROOM = 4


@dataclass(frozen=True)
class Room:
    server: str
    room_id: int
    pin: str
    secret: str
    # One token per participant: the VideoRoom admits only joins that carry one of these.
    participant_tokens: tuple[str, ...]


def room_secret(key: str, server: str, room_id: int) -> str:
    """A room's secret, derived from a key only the control plane has: the reconciler can
    destroy a room that nothing recorded (its process died before writing the room down)."""
    digest = hmac.new(key.encode(), f"room-secret:{server}:{room_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")


def new_room(server: str, participants: int, secret_key: str | None = None) -> Room:
    """A room's identity; its secret derived from `secret_key` (random without one)."""
    room_id = secrets.randbelow(MAX_ROOM_ID - 1) + 1
    secret = room_secret(secret_key, server, room_id) if secret_key else secrets.token_urlsafe(24)
    return Room(
        server=server,
        room_id=room_id,
        pin=secrets.token_urlsafe(18),
        secret=secret,
        participant_tokens=tuple(secrets.token_urlsafe(24) for _ in range(participants)),
    )


def room_description(deployment: str, interview_id: int) -> str:
    """How an interview's room is named on Janus: "interview 42", or "interview prod 42" with
    a `janus.deployment_id`. The reconciler reads it back and touches only its own."""
    return f"interview {deployment} {interview_id}" if deployment else f"interview {interview_id}"


def room_interview(deployment: str, description: str) -> int | None:
    """The interview a room of this deployment is for; None for anyone else's room."""
    name = re.escape(f"interview {deployment} " if deployment else "interview ")
    match = re.fullmatch(name + r"(\d{1,18})", description)
    return int(match[1]) if match else None


@dataclass(frozen=True)
class RoomMedia:
    """The media settings a room is created with (settings `janus.room_*`)."""

    bitrate: int = 1_000_000
    video_codec: str = "vp8,h264,vp9"
    audio_codec: str = "opus"
    fir_freq: int = 10
    audiolevel_event: bool = False

    @classmethod
    def of(cls, settings: JanusSettings) -> RoomMedia:
        return cls(
            settings.room_bitrate,
            settings.room_video_codec,
            settings.room_audio_codec,
            settings.room_fir_freq,
            settings.room_audiolevel_event,
        )


async def create_room(
    connection: JanusConnection,
    admin_key: str,
    room: Room,
    description: str = "interview",
    media: RoomMedia = RoomMedia(),
) -> Room:
    await connection.request(
        {
            "request": "create",
            "admin_key": admin_key,
            "room": room.room_id,
            "description": description[:100],
            "is_private": True,
            "permanent": False,
            "pin": room.pin,
            "secret": room.secret,
            "allowed": list(room.participant_tokens),
            "publishers": PUBLISHERS_PER_ROOM,
            "notify_joining": True,
            # A cap, not a start value: a publisher's `configure` may lower it, never raise it.
            "bitrate": media.bitrate,
            "bitrate_cap": media.bitrate > 0,
            "videocodec": media.video_codec,
            "audiocodec": media.audio_codec,
            "fir_freq": media.fir_freq,
            "audiolevel_event": media.audiolevel_event,
        }
    )
    return room


async def destroy_room(connection: JanusConnection, room_id: int, secret: str) -> bool:
    """Destroy a room; False when Janus no longer had it (restart), which is fine."""
    try:
        await connection.request(
            {"request": "destroy", "room": room_id, "secret": secret, "permanent": False}
        )
        return True
    except JanusError as error:
        if error.code == NO_SUCH_ROOM:
            return False
        raise


async def room_exists(connection: JanusConnection, room_id: int) -> bool:
    data = await connection.request({"request": "exists", "room": room_id})
    return bool(data.get("exists"))


async def list_rooms(connection: JanusConnection, admin_key: str) -> list[dict[str, Any]]:
    """Every room on the server, private ones included (that needs the admin key)."""
    data = await connection.request({"request": "list", "admin_key": admin_key})
    return list(data.get("list") or [])


async def list_participants(connection: JanusConnection, room_id: int) -> list[dict[str, Any]]:
    data = await connection.request({"request": "listparticipants", "room": room_id})
    return list(data.get("participants") or [])


async def kick(connection: JanusConnection, room_id: int, secret: str, participant_id: int) -> None:
    await connection.request({"request": "kick", "room": room_id, "secret": secret, "id": participant_id})
