"""What the candidate tests share: published events made in the database, registering over
HTTP with the page's own CSRF token, and reading the personal link and PIN from a mail."""
from __future__ import annotations

import datetime as dt
import re
import secrets

from app.events.tokens import link_token
from tests.helpers import CSRF_FIELD, text_of

LINK = re.compile(r"(https?://\S+/c/[A-Za-z0-9_-]+)")
PIN = re.compile(r"(?:PIN|PIN-kod):\s*([0-9]{6})")


async def make_event(db, *, organization_id: int | None = None, capacity: int = 30,
                     starts_in: dt.timedelta = dt.timedelta(days=7), state: str = "published",
                     invite_open: bool = True, title: str | None = None,
                     duration_minutes: int = 60) -> dict:
    """A published event straight in the database (creating one has tests of its own)."""
    if organization_id is None:
        organization_id = await db.fetchval(
            "INSERT INTO organization (name) VALUES ($1) RETURNING id",
            f"Arbetsgivaren {secrets.token_hex(3)} AB")
    token = link_token()
    starts_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + starts_in
    event_id = await db.fetchval("""
        INSERT INTO event (organization_id, title, job_description, starts_at, duration_minutes,
                           interview_minutes, capacity, language, state, invite_token,
                           invite_open, published_at)
        VALUES ($1, $2, $3, $4, $5, 10, $6, 'sv', $7, $8, $9, now()) RETURNING id""",
        organization_id, title or f"Lagerarbetare {secrets.token_hex(2)}",
        "Du plockar och packar.\n\nHeltid, dagtid.", starts_at, duration_minutes, capacity,
        state, token, invite_open)
    return {"id": event_id, "invite_token": token, "organization_id": organization_id,
            "starts_at": starts_at}


async def csrf_of(http, url: str, **headers) -> tuple[int, str | None, str]:
    async with http.get(url, headers=headers) as response:
        page = await response.text()
    match = CSRF_FIELD.search(page)
    return response.status, match[1] if match else None, page


async def register(http, base_url: str, invite_token: str, *, name: str = "Kim Kandidat",
                   email: str, phone: str = "", language: str = "sv", consent: bool = True,
                   accept_language: str = "sv") -> tuple[int, str]:
    """GET the invite page (for its CSRF token and cookie), then POST the form."""
    url = f"{base_url}/r/{invite_token}"
    headers = {"Accept-Language": accept_language, "Accept": "text/html"}
    _, csrf, page = await csrf_of(http, url, **headers)
    assert csrf, page
    form = {"csrf_token": csrf, "name": name, "email": email, "phone": phone,
            "language": language}
    if consent:
        form["consent"] = "yes"
    async with http.post(url, data=form, headers=headers) as response:
        return response.status, await response.text()


def link_and_pin(mail) -> tuple[str, str]:
    body = text_of(mail)
    return LINK.search(body)[1], PIN.search(body)[1]
