"""Janus stored tokens (`token_auth` without `token_auth_secret` in janus.jcfg).

Janus admits a request only when its token is one the control plane added through the Admin
API (app/janus/admin.py), and refuses it from the moment the token is removed: so a
participant's token lives exactly as long as their interview's room (README, "How the parts
fit"). Signed tokens could not do that: they stay valid until their expiry.

Every token is derived from `janus.admin_secret`, like a room's secret from the admin key
(app/janus/rooms.py): any process can hand out, remove or recognise a token from what the
database holds (server, room id) without the database holding a token, and the reconciler
can tell which tokens on a server still belong to a live interview.

- a participant's token: one per participant (0 the candidate, 1 the interviewer) per room;
- the control plane's own token, one per server, which every process computes alike.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

VIDEOROOM = "janus.plugin.videoroom"
PARTICIPANT_PREFIX = "p."


def _derive(key: str, subject: str) -> str:
    digest = hmac.new(key.encode(), f"janus-token:{subject}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode()


def participant_token(key: str, server: str, room_id: int, participant: int) -> str:
    return PARTICIPANT_PREFIX + _derive(key, f"{server}:{room_id}:{participant}")


def room_janus_tokens(key: str, server: str, room_id: int, participants: int) -> list[str]:
    """The Janus tokens of a room's participants, in allow-list order."""
    return [participant_token(key, server, room_id, index) for index in range(participants)]


def is_participant_token(token: str) -> bool:
    return token.startswith(PARTICIPANT_PREFIX)


def control_token(key: str, server: str) -> str:
    return "c." + _derive(key, f"control-plane:{server}")
