"""Janus stored tokens (`token_auth` without `token_auth_secret` in janus.jcfg).

Janus admits a request only when its token is one the control plane added through the Admin
API (app/janus/admin.py), and refuses it from the moment the token is removed: so a
participant's token lives exactly as long as their interview's room (README, "How the parts
fit"). Signed tokens could not do that: they stay valid until their expiry.

Every token is derived from `janus.admin_secret`, like a room's secret from the admin key
(app/janus/rooms.py): any process can hand out, remove or recognise a token from what the
database holds without the database holding a token.

- a participant's token: `p.<room>.<participant>.<serial>.<mac>`, participant 0 the
  candidate and 1 the interviewer; the serial grows when the token is renewed. The readable
  part tells which room a token belongs to, so a room's tokens can all be removed, and the
  reconciler can tell which tokens still belong to a live interview. With a
  `janus.deployment_id` it is `p.<deployment>.<room>…`: a deployment sharing the Janus
  server never takes another's tokens for its own (README, "Deployment");
- the control plane's own token, one per server, which every process computes alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

VIDEOROOM = "janus.plugin.videoroom"
_PARTICIPANT = r"(\d{1,17})\.(\d)\.(\d{1,9})\.[A-Za-z0-9_-]+$"


def _derive(key: str, subject: str) -> str:
    digest = hmac.new(key.encode(), f"janus-token:{subject}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode()


def _prefix(deployment: str) -> str:
    return f"p.{deployment}." if deployment else "p."


def participant_token(
    key: str, server: str, room_id: int, participant: int, serial: int = 0, deployment: str = ""
) -> str:
    subject = f"{server}:{room_id}:{participant}:{serial}"
    mac = _derive(key, f"{deployment}/{subject}" if deployment else subject)
    return f"{_prefix(deployment)}{room_id}.{participant}.{serial}.{mac}"


def room_janus_tokens(
    key: str, server: str, room_id: int, participants: int, deployment: str = ""
) -> list[str]:
    """The first Janus tokens of a room's participants, in allow-list order."""
    return [
        participant_token(key, server, room_id, index, deployment=deployment) for index in range(participants)
    ]


def room_tokens_among(tokens: list[str], room_id: int, deployment: str = "") -> list[str]:
    """The participants' tokens of one room of this deployment among `tokens` (a server's
    whole list: every live room's). Told apart by their readable prefix first: a pattern
    match per token of the server cost an interview's end more of the process's time than
    its dispatch statement (BENCHMARKS.md, "The closed loop's p99")."""
    prefix = f"{_prefix(deployment)}{room_id}."
    return [
        token
        for token in tokens
        if token.startswith(prefix)
        and (owner := token_owner(token, deployment)) is not None
        and owner[0] == room_id
    ]


def token_owner(token: str, deployment: str = "") -> tuple[int, int, int] | None:
    """(room id, participant, serial) that a participant's token of this deployment names;
    None for any other token."""
    match = re.match(re.escape(_prefix(deployment)) + _PARTICIPANT, token)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def control_token(key: str, server: str) -> str:
    return "c." + _derive(key, f"control-plane:{server}")
