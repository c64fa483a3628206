"""CSRF protection: every state-changing request carries a token only our pages know.

For a logged-in browser the token is an HMAC of its session token, so it is tied to that
session and changes at every log-in. Anonymous forms (log in, sign up, password reset) get an
HMAC of a random value kept in an HttpOnly cookie of their own (a signed double-submit
cookie). A cross-site page can neither read the token nor compute it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from app.auth.client import is_https
from app.auth.tokens import looks_like_token, new_token
from app.keys import SETTINGS

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
COOKIE = "csrf"
COOKIE_MAX_AGE = 30 * 24 * 3600
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# Authenticated otherwise: Janus's event handler by basic auth, /api/join and
# /api/join/time by their ticket.
EXEMPT_PATHS = {"/janus/events", "/api/join", "/api/join/time"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}

# The session token of a logged-in request (set by the middleware), and an anonymous
# seed made during this request that the middleware must send as a cookie.
SESSION_TOKEN = web.RequestKey("session_token", str)
NEW_SEED = web.RequestKey("csrf_new_seed", str)


def _mac(request: web.Request, purpose: str, value: str) -> str:
    key = request.app[SETTINGS].app.secret_key.get_secret_value().encode()
    digest = hmac.new(key, f"csrf:{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _anonymous_seed(request: web.Request) -> str | None:
    seed = request.get(NEW_SEED) or request.cookies.get(COOKIE)
    return seed if seed and looks_like_token(seed) else None


def csrf_token(request: web.Request) -> str:
    """The token forms on this page must send back."""
    session = request.get(SESSION_TOKEN)
    if session:
        return _mac(request, "session", session)
    seed = _anonymous_seed(request)
    if seed is None:
        seed = request[NEW_SEED] = new_token()
    return _mac(request, "anonymous", seed)


def expected_token(request: web.Request) -> str | None:
    session = request.get(SESSION_TOKEN)
    if session:
        return _mac(request, "session", session)
    seed = request.cookies.get(COOKIE)
    return _mac(request, "anonymous", seed) if seed and looks_like_token(seed) else None


def needs_check(request: web.Request) -> bool:
    return request.method not in SAFE_METHODS and request.path not in EXEMPT_PATHS


async def form_is_readable(request: web.Request) -> bool:
    """Parse a form body once, here (aiohttp keeps the result for the handler): a malformed
    one is then a 400 for every handler alike, never an exception inside one."""
    # Whatever the method: aiohttp reads a form body for DELETE too, and submitted_token
    # reads it again for every method that is checked.
    if request.content_type in FORM_TYPES:
        try:
            form = await request.post()
        # ValueError, also UnicodeDecodeError: bad multipart, bad encoding.
        # HttpProcessingError: a multipart part's own headers that aiohttp cannot parse
        # (a control character in a filename, say). LookupError: a multipart part that names a
        # charset Python does not know (the request's own charset is checked before this, in
        # app/middleware.py charset_middleware). RuntimeError: a part that names a
        # Content-Transfer-Encoding aiohttp does not know ("x-foo").
        except (ValueError, HttpProcessingError, LookupError, RuntimeError):
            return False
        # Text that is not text: a lone surrogate, which a charset such as UTF-7 or a
        # multipart part's own charset can decode to, and which no page, database or
        # password hash can take (each would fail inside the handler).
        if not all(
            _is_text(name) and (not isinstance(value, str) or _is_text(value)) for name, value in form.items()
        ):
            return False
    # What a form with enctype="text/plain" sends is no form that can be read: without the
    # token's header it is told so (400), not that the form had expired (403). (A script's
    # JSON without the header is refused as before, in JSON.)
    elif request.content_type == "text/plain" and request.body_exists and HEADER not in request.headers:
        return False
    return True


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def submitted_token(request: web.Request) -> str | None:
    token = request.headers.get(HEADER)
    if token is None and request.content_type in FORM_TYPES:
        field = (await request.post()).get(FIELD)
        token = field if isinstance(field, str) else None  # a file upload is no token
    # Only what _mac makes (43 URL-safe characters) is compared: a header aiohttp decoded
    # with surrogate escapes (bytes that are not UTF-8) cannot even be encoded back.
    return token if isinstance(token, str) and looks_like_token(token) else None


async def token_is_valid(request: web.Request) -> bool:
    expected, given = expected_token(request), await submitted_token(request)
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def set_seed_cookie(request: web.Request, response: web.StreamResponse) -> None:
    seed = request.get(NEW_SEED)
    if seed and not response.prepared:
        response.set_cookie(
            COOKIE,
            seed,
            max_age=COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=is_https(request),
        )
