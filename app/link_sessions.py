"""Sessions behind personal links: a right PIN or code is remembered on that device.

A signed cookie scoped to the link's own path (/c/<token> for a candidate, /i/<token> for an
interviewer), so the browser sends it to that person's pages only and several links on one
device do not disturb each other. It carries a JWT signed with `app.secret_key` naming the
person (candidate or interviewer id) and the link it was made for (a hash of its token, so a
link re-issued by the organizer ends every session of the old one: README "Limits on
guessing"), with an expiry; pages still load the person from the database on every request,
so a cancellation shows whatever the cookie says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import jwt
from aiohttp import web

from app.auth.client import is_https
from app.keys import SETTINGS

ALGORITHM = "HS256"
MAX_COOKIE_LENGTH = 1024


def _secret(request: web.Request) -> str:
    return request.app[SETTINGS].app.secret_key.get_secret_value()


def _link_digest(access_token: str) -> str:
    return hashlib.sha256(access_token.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LinkSession:
    cookie: str
    audience: str
    lifetime: dt.timedelta
    path_prefix: str  # "/c" or "/i"

    def cookie_path(self, access_token: str) -> str:
        return f"{self.path_prefix}/{access_token}"

    def encode(self, secret: str, person_id: int, expires_at: dt.datetime, access_token: str = "") -> str:
        claims = {
            "aud": self.audience,
            "sub": str(person_id),
            "exp": int(expires_at.timestamp()),
            "lnk": _link_digest(access_token),
        }
        return jwt.encode(claims, secret, algorithm=ALGORITHM)

    def decode(self, secret: str, value: str | None, access_token: str = "") -> int | None:
        """The id in a valid, unexpired cookie of this kind made for this link; None for
        anything else."""
        if not value or len(value) > MAX_COOKIE_LENGTH or not value.isascii():
            return None  # (as app/auth/sessions.py decode_cookie)
        try:
            claims = jwt.decode(
                value,
                secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                options={"require": ["exp", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            return None
        subject = claims.get("sub")
        if claims.get("lnk") != _link_digest(access_token):
            return None
        return int(subject) if isinstance(subject, str) and subject.isdigit() else None

    def holds(self, request: web.Request, person_id: int) -> bool:
        """Every page that asks is under the link's own path, /c/{token} or /i/{token}."""
        return (
            self.decode(
                _secret(request), request.cookies.get(self.cookie), request.match_info.get("token", "")
            )
            == person_id
        )

    def start(
        self, request: web.Request, response: web.StreamResponse, person_id: int, access_token: str
    ) -> None:
        expires_at = dt.datetime.now(dt.timezone.utc) + self.lifetime
        response.set_cookie(
            self.cookie,
            self.encode(_secret(request), person_id, expires_at, access_token),
            max_age=int(self.lifetime.total_seconds()),
            path=self.cookie_path(access_token),
            httponly=True,
            samesite="Lax",
            secure=is_https(request),
        )

    def end(self, response: web.StreamResponse, access_token: str) -> None:
        """This device's session on the link: its cookie goes (signing out on a shared
        computer). A copy of the cookie elsewhere stays valid until it expires: there is no
        record of sessions to end, and a new link from the organizer ends every one."""
        response.del_cookie(self.cookie, path=self.cookie_path(access_token))


CANDIDATE_SESSION = LinkSession("candidate_session", "snabbintervjuer:candidate", dt.timedelta(days=60), "/c")
INTERVIEWER_SESSION = LinkSession(
    "interviewer_session", "snabbintervjuer:interviewer", dt.timedelta(days=30), "/i"
)
