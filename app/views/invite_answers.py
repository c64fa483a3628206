"""The answers to the invite page's forms (registered, link sent again), each on an address of
its own, shown from a signed cookie made for that one page (app/views/registration.py)."""

from __future__ import annotations

import datetime as dt

import jwt
from aiohttp import web

from app.auth.client import is_https
from app.i18n import LANGUAGES
from app.keys import SETTINGS

# The answers to the forms have addresses of their own, loaded with a GET after the POST's
# redirect (README "Candidates", the invite page): a reload sends nothing again, and the
# language switch, which loads the page's address again, shows the same answer in the other
# language. The address the answer names comes in a cookie made for that one page (signed,
# HttpOnly, for this browser session and at most ANSWER_LIFETIME), never in the URL: URLs
# are logged (README "Logs"), and a PIN or a personal link is never on the page at all.
REGISTERED_PAGE = "registered"
RESENT_PAGE = "resend"
ANSWER_COOKIE = "invite_answer"
ANSWER_LIFETIME = dt.timedelta(days=1)
ANSWER_ALGORITHM = "HS256"
MAX_ANSWER_COOKIE_LENGTH = 2048


def _answer_audience(page: str) -> str:
    return f"snabbintervjuer:invite-answer:{page}"


def _secret(request: web.Request) -> str:
    return request.app[SETTINGS].app.secret_key.get_secret_value()


def show_answer(
    request: web.Request, token: str, page: str, event_id: int, email: str, language: str | None = None
) -> web.HTTPSeeOther:
    """The redirect to the answer's page, with the cookie it is shown from. `language`: the
    one the candidate chose in the form (for their mails and their personal page), which the
    answer is shown in unless this browser chose one with the language switch."""
    now = dt.datetime.now(dt.timezone.utc)
    claims = {
        "aud": _answer_audience(page),
        "sub": str(event_id),
        "email": email,
        "iat": int(now.timestamp()),
        "exp": int((now + ANSWER_LIFETIME).timestamp()),
    }
    if language is not None:
        claims["lang"] = language
    path = f"/r/{token}/{page}"
    response = web.HTTPSeeOther(path)
    response.set_cookie(
        ANSWER_COOKIE,
        jwt.encode(claims, _secret(request), algorithm=ANSWER_ALGORITHM),
        path=path,
        httponly=True,
        samesite="Lax",
        secure=is_https(request),
    )
    return response


def answer_of(request: web.Request, page: str, event_id: int) -> tuple[str, dt.datetime, str | None] | None:
    """The address, the time and the chosen language (or None) of this browser's answer on
    `page` for this event, from a valid, unexpired cookie; None for anything else (none,
    forged, another event's)."""
    value = request.cookies.get(ANSWER_COOKIE)
    if not value or len(value) > MAX_ANSWER_COOKIE_LENGTH or not value.isascii():
        return None
    try:
        claims = jwt.decode(
            value,
            _secret(request),
            algorithms=[ANSWER_ALGORITHM],
            audience=_answer_audience(page),
            options={"require": ["exp", "iat", "aud", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    email, issued = claims.get("email"), claims.get("iat")
    if claims.get("sub") != str(event_id) or not isinstance(email, str) or not isinstance(issued, int):
        return None
    language = claims.get("lang")
    return (
        email,
        dt.datetime.fromtimestamp(issued, dt.timezone.utc),
        language if language in LANGUAGES else None,
    )
