"""The people and events the fuzz aims at, made straight in the database, and the sessions
(cookies and CSRF tokens) of each kind of visitor.

A fuzz request that is accepted may change the world (log out, delete the event, cancel the
candidate); the test then makes a fresh one, so later requests still reach past the checks.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import asyncpg

from app.auth.sessions import create_session, encode_cookie
from app.auth.tokens import new_token, token_hash
from app.events import queries as event_queries
from app.link_sessions import CANDIDATE_SESSION, INTERVIEWER_SESSION
from tests.forms import csrf_in
from tests.integration.fuzz_support import request_bytes, send_raw

PIN, CODE = "654321", "123456"
IDENTITIES = ("anonymous", "employer", "candidate", "interviewer")


@dataclass
class World:
    ids: dict[str, list[int]]  # path parameter kind -> real ids
    tokens: list[str]  # every real token a path may hold
    cookies: dict[str, dict[str, str]]  # identity -> its cookies
    csrf: dict[str, str]  # identity -> a CSRF token valid for it
    candidate_token: str = ""
    interviewer_token: str = ""
    email: str = ""
    extra: dict[str, int] = field(default_factory=dict)


async def _event(
    db: asyncpg.Connection, organization: int, user: int, state: str, starts_in: dt.timedelta
) -> int:
    return await db.fetchval(
        """
        INSERT INTO event (organization_id, created_by, title, starts_at, duration_minutes,
                           interview_minutes, capacity, state, invite_token, published_at)
        VALUES ($1, $2, 'Fuzztillfälle', now() + $3, 120, 10, 1000, $4::event_state, $5,
                CASE WHEN $4 <> 'draft' THEN now() END) RETURNING id""",
        organization,
        user,
        starts_in,
        state,
        secrets.token_urlsafe(16),
    )


async def _people(db: asyncpg.Connection, event: int) -> tuple[int, str, int, str]:
    await event_queries.replace_items(db, "event_question", event, ["Fråga", "Fråga två"])
    await event_queries.replace_items(db, "event_attribute", event, ["Egenskap"])
    interviewer_token, candidate_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    interviewer = await db.fetchval(
        """
        INSERT INTO event_interviewer (event_id, email, name, access_token, access_code)
        VALUES ($1, $2, 'Intervjuare Fuzz', $3, $4) RETURNING id""",
        event,
        f"i-{secrets.token_hex(4)}@example.se",
        interviewer_token,
        CODE,
    )
    candidate = await db.fetchval(
        """
        INSERT INTO candidate (event_id, name, email, access_token, pin)
        VALUES ($1, 'Kandidat Fuzz', $2, $3, $4) RETURNING id""",
        event,
        f"c-{secrets.token_hex(4)}@example.se",
        candidate_token,
        PIN,
    )
    # A second candidate waiting in the queue: "next" and "pick" then have someone to offer.
    waiting = await db.fetchval(
        """
        INSERT INTO candidate (event_id, name, email, access_token, pin)
        VALUES ($1, 'Kandidat Väntar', $2, $3, $4) RETURNING id""",
        event,
        f"w-{secrets.token_hex(4)}@example.se",
        secrets.token_urlsafe(16),
        PIN,
    )
    await db.execute("INSERT INTO queue_entry (event_id, candidate_id) VALUES ($1, $2)", event, waiting)
    return interviewer, interviewer_token, candidate, candidate_token


async def _csrf(port: int, cookies: dict[str, str], path: str) -> str:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()
    page = await send_raw(port, request_bytes("GET", path.encode(), [("Cookie", cookie)], b"", port))
    csrf = csrf_in(page.body.decode("utf-8", "replace"))
    assert csrf, f"no CSRF token on {path}: {page.status}"
    return csrf


async def make_world(db: asyncpg.Connection, port: int, secret: str, password_hash: str) -> World:
    organization = await db.fetchval(
        "INSERT INTO organization (name) VALUES ($1) RETURNING id", f"Fuzz {secrets.token_hex(3)} AB"
    )
    email = f"fuzz-{secrets.token_hex(4)}@example.se"
    user = await db.fetchval(
        """
        INSERT INTO app_user (organization_id, email, name, password_hash)
        VALUES ($1, $2, 'Fuzz Arbetsgivare', $3) RETURNING id""",
        organization,
        email,
        password_hash,
    )
    live = await _event(db, organization, user, "live", dt.timedelta(0))
    draft = await _event(db, organization, user, "draft", dt.timedelta(days=9))
    published = await _event(db, organization, user, "published", dt.timedelta(days=9))
    interviewer, interviewer_token, candidate, candidate_token = await _people(db, live)
    await db.execute("UPDATE event_interviewer SET user_id = $2 WHERE id = $1", interviewer, user)
    # Someone else's event: an id that exists but must not open.
    stranger = await db.fetchval("INSERT INTO organization (name) VALUES ('Främling AB') RETURNING id")
    foreign = await _event(db, stranger, None, "live", dt.timedelta(0))
    reset, invitation = new_token(), new_token()
    await db.execute(
        """INSERT INTO password_reset (user_id, token_hash, expires_at)
                        VALUES ($1, $2, now() + interval '1 hour')""",
        user,
        token_hash(reset),
    )
    invitation_id = await db.fetchval(
        """
        INSERT INTO colleague_invitation (organization_id, invited_by, email, token_hash, expires_at)
        VALUES ($1, $2, $3, $4, now() + interval '1 day') RETURNING id""",
        organization,
        user,
        f"kollega-{secrets.token_hex(4)}@example.se",
        token_hash(invitation),
    )
    invites = [
        r["invite_token"]
        for r in await db.fetch(
            "SELECT invite_token FROM event WHERE id = ANY($1::bigint[])", [live, published, foreign]
        )
    ]

    session, expires = await create_session(db, user)
    seed = new_token()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    cookies = {
        "anonymous": {"csrf": seed},
        "employer": {"session": encode_cookie(secret, session, expires)},
        "candidate": {
            "csrf": seed,
            "candidate_session": CANDIDATE_SESSION.encode(secret, candidate, later, candidate_token),
        },
        "interviewer": {
            "csrf": seed,
            "interviewer_session": INTERVIEWER_SESSION.encode(secret, interviewer, later, interviewer_token),
        },
    }
    anonymous_csrf = await _csrf(port, cookies["anonymous"], "/login")
    csrf = {
        "anonymous": anonymous_csrf,
        "candidate": anonymous_csrf,
        "interviewer": anonymous_csrf,
        "employer": await _csrf(port, cookies["employer"], "/events/new"),
    }
    return World(
        ids={
            "event": [live, draft, published, foreign],
            "candidate": [candidate],
            "invitation": [invitation_id],
            "interviewer": [interviewer],
        },
        tokens=[candidate_token, interviewer_token, reset, invitation, *invites],
        cookies=cookies,
        csrf=csrf,
        candidate_token=candidate_token,
        interviewer_token=interviewer_token,
        email=email,
        extra={"live_event": live, "candidate": candidate, "interviewer": interviewer},
    )
