"""The `device` cookie: how a browser that has entered a PIN, code or password right before
is recognised, so that someone else's wrong guesses never lock it out (app.throttle).

The cookie (HttpOnly, SameSite=Lax, Secure over https, path /) holds a JWT signed with
`app.secret_key` carrying a random nonce. One cookie serves every secret the browser has
entered: the table `known_device` binds it to each link or account by the SHA-256 of the
nonce alone, so a stolen database gives no cookie, and re-issuing a link forgets its devices.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import jwt
from aiohttp import web

from app.auth.client import is_https
from app.keys import SETTINGS

COOKIE = "device"
AUDIENCE = "snabbintervjuer:device"
ALGORITHM = "HS256"
MAX_COOKIE_LENGTH = 512


def _secret(request: web.Request) -> str:
    return request.app[SETTINGS].app.secret_key.get_secret_value()


def device_hash(nonce: str) -> bytes:
    return hashlib.sha256(nonce.encode()).digest()


def nonce_of(request: web.Request) -> str | None:
    """The nonce of a valid, unexpired device cookie, or None."""
    value = request.cookies.get(COOKIE)
    if not value or len(value) > MAX_COOKIE_LENGTH or not value.isascii():
        return None  # (as app/auth/sessions.py decode_cookie)
    try:
        claims = jwt.decode(
            value,
            _secret(request),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "aud", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    nonce = claims.get("sub")
    return nonce if isinstance(nonce, str) and 16 <= len(nonce) <= 64 else None


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def remember(request: web.Request, response: web.StreamResponse, nonce: str) -> None:
    """(Re)sets the cookie for another `limits.known_device_days`."""
    lifetime = dt.timedelta(days=request.app[SETTINGS].limits.known_device_days)
    expires_at = dt.datetime.now(dt.UTC) + lifetime
    value = jwt.encode(
        {"aud": AUDIENCE, "sub": nonce, "exp": int(expires_at.timestamp())},
        _secret(request),
        algorithm=ALGORITHM,
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=is_https(request),
    )
