"""The link session cookie's check (app/link_sessions.py): the quick check of the cookies
`encode` makes decides exactly as PyJWT's decode would, and anything else still goes to
PyJWT."""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt
import pytest

from app.link_sessions import CANDIDATE_SESSION, INTERVIEWER_SESSION, OWN_HEADER, _link_digest, _own_claims

SECRET = "s" * 40
TOKEN = "link-token-of-the-candidate"


def _later(seconds: float = 3600) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pyjwt_subject(cookie: str, audience: str) -> str | None:
    try:
        claims = jwt.decode(
            cookie,
            SECRET,
            algorithms=["HS256"],
            audience=audience,
            options={"require": ["exp", "aud", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    return claims["sub"]


def test_a_cookie_made_by_encode_is_checked_without_pyjwt():
    cookie = CANDIDATE_SESSION.encode(SECRET, 42, _later(), TOKEN)
    assert cookie.split(".")[0] == OWN_HEADER
    claims = _own_claims(SECRET, cookie, CANDIDATE_SESSION.audience)
    assert claims is not None and claims["sub"] == "42"
    assert CANDIDATE_SESSION.decode(SECRET, cookie, TOKEN) == 42


def _tampered() -> dict[str, str]:
    good = CANDIDATE_SESSION.encode(SECRET, 42, _later(), TOKEN)
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    other_payload = _b64(json.dumps({**claims, "sub": "43"}, separators=(",", ":")).encode())
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "another secret": CANDIDATE_SESSION.encode("t" * 40, 42, _later(), TOKEN),
        "another person's payload under this signature": f"{header}.{other_payload}.{signature}",
        "a signature changed": f"{header}.{payload}.{flipped}",
        "no signature": f"{header}.{payload}.",
        "two parts": f"{header}.{payload}",
        "expired": CANDIDATE_SESSION.encode(SECRET, 42, _later(-5), TOKEN),
        "the interviewer's kind": INTERVIEWER_SESSION.encode(SECRET, 42, _later(), TOKEN),
        "alg none": jwt.encode(
            {"aud": CANDIDATE_SESSION.audience, "sub": "42", "exp": int(_later().timestamp())},
            None,
            algorithm="none",
        ),
        "not a token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%%%.%%%",
    }


@pytest.mark.parametrize("kind", list(_tampered()))
def test_a_cookie_refused_by_pyjwt_is_refused(kind):
    cookie = _tampered()[kind]
    assert _pyjwt_subject(cookie, CANDIDATE_SESSION.audience) is None
    assert _own_claims(SECRET, cookie, CANDIDATE_SESSION.audience) is None
    assert CANDIDATE_SESSION.decode(SECRET, cookie, TOKEN) is None


def test_a_cookie_for_another_link_is_refused():
    cookie = CANDIDATE_SESSION.encode(SECRET, 42, _later(), "another-link")
    assert CANDIDATE_SESSION.decode(SECRET, cookie, TOKEN) is None


def test_claims_encode_never_writes_go_to_pyjwt():
    """A token with a claim PyJWT looks at (here a `nbf` in the future) is left to it."""
    claims = {
        "aud": CANDIDATE_SESSION.audience,
        "sub": "42",
        "exp": int(_later().timestamp()),
        "nbf": int(_later(600).timestamp()),
        "lnk": _link_digest(TOKEN),
    }
    cookie = jwt.encode(claims, SECRET, algorithm="HS256")
    assert _own_claims(SECRET, cookie, CANDIDATE_SESSION.audience) is None
    assert CANDIDATE_SESSION.decode(SECRET, cookie, TOKEN) is None  # PyJWT: not yet valid


def test_another_header_is_still_checked_by_pyjwt():
    """A valid token whose header differs from encode's (a `kid`): PyJWT decides, as before."""
    claims = {
        "aud": CANDIDATE_SESSION.audience,
        "sub": "42",
        "exp": int(_later().timestamp()),
        "lnk": _link_digest(TOKEN),
    }
    cookie = jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": "1"})
    assert cookie.split(".")[0] != OWN_HEADER
    assert _own_claims(SECRET, cookie, CANDIDATE_SESSION.audience) is None
    assert CANDIDATE_SESSION.decode(SECRET, cookie, TOKEN) == 42
