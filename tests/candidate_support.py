"""What the candidate tests share: published events (tests/factories.py), registering over
HTTP with the page's own CSRF token, and reading the personal link and PIN from a mail."""

from __future__ import annotations

import datetime as dt
import re

from tests import factories
from tests.forms import csrf_of
from tests.mails import text_of

LINK = re.compile(r"(https?://\S+/c/[A-Za-z0-9_-]+)")
PIN = re.compile(r"(?:PIN|PIN-kod):\s*([0-9]{6})")


async def make_event(
    db,
    *,
    organization_id: int | None = None,
    capacity: int = 30,
    starts_in: dt.timedelta = dt.timedelta(days=7),
    state: str = "published",
    invite_open: bool = True,
    title: str | None = None,
    duration_minutes: int = 60,
) -> dict:
    """A published event starting `starts_in` from now (creating one has tests of its own)."""
    event = await factories.make_event(
        db,
        organization_id=organization_id,
        capacity=capacity,
        starts_at=factories.now() + starts_in,
        state=state,
        invite_open=invite_open,
        title=title,
        duration_minutes=duration_minutes,
    )
    return {
        "id": event["id"],
        "invite_token": event["invite_token"],
        "organization_id": event["organization_id"],
        "starts_at": event["starts_at"],
        "calendar_key": event["calendar_key"],
    }


async def register(
    http,
    base_url: str,
    invite_token: str,
    *,
    name: str = "Kim Kandidat",
    email: str,
    phone: str = "",
    language: str = "sv",
    consent: bool = True,
    accept_language: str = "sv",
) -> tuple[int, str]:
    """GET the invite page (for its CSRF token and cookie), then POST the form."""
    url = f"{base_url}/r/{invite_token}"
    headers = {"Accept-Language": accept_language, "Accept": "text/html"}
    _, csrf, page = await csrf_of(http, url, **headers)
    assert csrf, page
    form = {"csrf_token": csrf, "name": name, "email": email, "phone": phone, "language": language}
    if consent:
        form["consent"] = "yes"
    async with http.post(url, data=form, headers=headers) as response:
        return response.status, await response.text()


def link_and_pin(mail) -> tuple[str, str]:
    body = text_of(mail)
    return LINK.search(body)[1], PIN.search(body)[1]
