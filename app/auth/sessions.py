"""Log-in sessions: a signed cookie naming a row in user_session.

The cookie holds a JWT (signed with `app.secret_key`, with an expiry) whose `sid` is a random
token; the database keeps the token's hash. The signature turns away forged cookies without a
query; the row makes every session revocable: deleting it logs that browser out.
"""

from __future__ import annotations

import datetime as dt

import asyncpg
import jwt
from aiohttp import web

from app.auth import CurrentUser
from app.auth.client import is_https
from app.auth.tokens import looks_like_token, new_token, token_hash
from app.keys import SETTINGS
from app.db import row_count

COOKIE = "session"
AUDIENCE = "snabbintervjuer:session"
ALGORITHM = "HS256"
LIFETIME = dt.timedelta(days=14)
# last_seen_at is written at most this often, not on every request.
SEEN_RESOLUTION = dt.timedelta(minutes=5)
MAX_COOKIE_LENGTH = 1024


def encode_cookie(secret: str, token: str, expires_at: dt.datetime) -> str:
    claims = {"aud": AUDIENCE, "sid": token, "exp": int(expires_at.timestamp())}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_cookie(secret: str, value: str | None) -> str | None:
    """The session token in a valid, unexpired cookie; None for anything else."""
    if not value or len(value) > MAX_COOKIE_LENGTH or not value.isascii():
        return None  # (a JWT is ASCII; bytes that are not UTF-8 arrive as surrogates PyJWT cannot encode)
    try:
        claims = jwt.decode(
            value,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "aud", "sid"]},
        )
    except jwt.PyJWTError:
        return None
    token = claims.get("sid")
    return token if isinstance(token, str) and looks_like_token(token) else None


def _secret(request: web.Request) -> str:
    return request.app[SETTINGS].app.secret_key.get_secret_value()


def session_token_of(request: web.Request) -> str | None:
    """The token named by the request's cookie, if its signature and expiry hold."""
    return decode_cookie(_secret(request), request.cookies.get(COOKIE))


async def load_session_user(connection: asyncpg.Connection, token: str) -> CurrentUser | None:
    """The user of a live session: not logged out, not expired, the user not disabled."""
    row = await connection.fetchrow(
        """SELECT s.id AS session_id, s.last_seen_at, u.id, u.organization_id, u.email,
                  u.name, u.language, u.operator
           FROM user_session s JOIN app_user u ON u.id = s.user_id
           WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled""",
        token_hash(token),
    )
    if row is None:
        return None
    if row["last_seen_at"] < dt.datetime.now(dt.timezone.utc) - SEEN_RESOLUTION:
        await connection.execute(
            "UPDATE user_session SET last_seen_at = now() WHERE id = $1", row["session_id"]
        )
    return CurrentUser(
        id=row["id"],
        organization_id=row["organization_id"],
        email=row["email"],
        name=row["name"],
        language=row["language"],
        operator=row["operator"],
    )


async def create_session(connection: asyncpg.Connection, user_id: int) -> tuple[str, dt.datetime]:
    """A new session for the user: (token, expiry). Expired sessions are swept on the way."""
    token = new_token()
    expires_at = dt.datetime.now(dt.timezone.utc) + LIFETIME
    await connection.execute("DELETE FROM user_session WHERE expires_at <= now()")
    await connection.execute(
        "INSERT INTO user_session (user_id, token_hash, expires_at) VALUES ($1, $2, $3)",
        user_id,
        token_hash(token),
        expires_at,
    )
    await connection.execute("UPDATE app_user SET last_login_at = now() WHERE id = $1", user_id)
    return token, expires_at


def session_tag(token: str | None) -> str:
    """A short name of a session for the live sockets' notices (app/live/organizer.py
    account_ended): a piece of its stored hash, which opens nothing, never the token."""
    return token_hash(token).hex()[:16] if token else ""


async def end_session(connection: asyncpg.Connection, token: str) -> None:
    await connection.execute("DELETE FROM user_session WHERE token_hash = $1", token_hash(token))


async def end_other_sessions(
    connection: asyncpg.Connection, user_id: int, keep_token: str | None = None
) -> int:
    """Log the user out everywhere (but in the browser holding `keep_token`, if given)."""
    keep = token_hash(keep_token) if keep_token else b""
    result = await connection.execute(
        "DELETE FROM user_session WHERE user_id = $1 AND token_hash <> $2", user_id, keep
    )
    return row_count(result)


def set_session_cookie(
    request: web.Request, response: web.StreamResponse, token: str, expires_at: dt.datetime
) -> None:
    max_age = int((expires_at - dt.datetime.now(dt.timezone.utc)).total_seconds())
    response.set_cookie(
        COOKIE,
        encode_cookie(_secret(request), token, expires_at),
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=is_https(request),
    )


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/", httponly=True, samesite="Lax", secure=is_https(request))
