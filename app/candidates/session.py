"""A right PIN is remembered on that device: a signed cookie scoped to one candidate.

The cookie's path is the candidate's own link (/c/<token>), so the browser sends it to that
candidate's pages only, and several registrations on one device do not disturb each other.
It carries a JWT signed with `app.secret_key` naming the candidate, with an expiry; the page
still loads the registration from the database on every request, so a cancelled or removed
registration is shown as such whatever the cookie says.
"""
from __future__ import annotations

import datetime as dt

import jwt
from aiohttp import web

from app.auth.client import is_https
from app.keys import SETTINGS

COOKIE = "candidate_session"
AUDIENCE = "snabbintervjuer:candidate"
ALGORITHM = "HS256"
LIFETIME = dt.timedelta(days=60)
MAX_COOKIE_LENGTH = 1024


def _secret(request: web.Request) -> str:
    return request.app[SETTINGS].app.secret_key.get_secret_value()


def cookie_path(access_token: str) -> str:
    return f"/c/{access_token}"


def encode(secret: str, candidate_id: int, expires_at: dt.datetime) -> str:
    claims = {"aud": AUDIENCE, "sub": str(candidate_id), "exp": int(expires_at.timestamp())}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode(secret: str, value: str | None) -> int | None:
    """The candidate id in a valid, unexpired cookie; None for anything else."""
    if not value or len(value) > MAX_COOKIE_LENGTH:
        return None
    try:
        claims = jwt.decode(value, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": ["exp", "aud", "sub"]})
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return int(subject) if isinstance(subject, str) and subject.isdigit() else None


def has_session(request: web.Request, candidate_id: int) -> bool:
    return decode(_secret(request), request.cookies.get(COOKIE)) == candidate_id


def start_session(request: web.Request, response: web.StreamResponse, candidate_id: int,
                  access_token: str) -> None:
    expires_at = dt.datetime.now(dt.timezone.utc) + LIFETIME
    response.set_cookie(COOKIE, encode(_secret(request), candidate_id, expires_at),
                        max_age=int(LIFETIME.total_seconds()), path=cookie_path(access_token),
                        httponly=True, samesite="Lax", secure=is_https(request))
