"""Janus signed tokens (`token_auth` with `token_auth_secret` in janus.jcfg).

A token reads `<expiry>,janus,<plugin>[,<plugin>…]:<signature>`: the expiry in Unix seconds,
the realm `janus`, the plugins the holder may attach to, and a base64 HMAC-SHA1 of everything
before the colon, keyed with the shared secret. Janus checks it on every request.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time

VIDEOROOM = "janus.plugin.videoroom"
REALM = "janus"


def mint_janus_token(secret: str, lifetime: int, plugins: tuple[str, ...] = (VIDEOROOM,),
                     now: float | None = None) -> str:
    expiry = int((time.time() if now is None else now) + lifetime)
    data = ",".join([str(expiry), REALM, *plugins])
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"


def token_expiry(token: str) -> int:
    """The expiry a token states (not a verification: only Janus and we know the secret)."""
    return int(token.split(",", 1)[0])
