"""Helpers the integration and browser tests share: accounts, log-in, caught mail."""
from __future__ import annotations

import asyncio
import email.policy
import mailbox
import re
import secrets
from email.message import EmailMessage
from pathlib import Path

import icalendar

from app.passwords import hash_password

PASSWORD = "ett-långt-lösenord-42"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.se"


async def make_user(db, *, organization: str | None = None, organization_id: int | None = None,
                    email: str | None = None, name: str = "Rekryterare Testsson",
                    language: str = "sv") -> dict:
    """An account made straight in the database (sign-up itself has tests of its own)."""
    if organization_id is None:
        organization_id = await db.fetchval(
            "INSERT INTO organization (name) VALUES ($1) RETURNING id",
            organization or f"Företaget {secrets.token_hex(3)} AB")
    email = email or unique_email()
    user_id = await db.fetchval(
        """INSERT INTO app_user (organization_id, email, name, password_hash, language)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        organization_id, email, name, hash_password(PASSWORD), language)
    return {"id": user_id, "organization_id": organization_id, "email": email, "name": name}


async def csrf_from(http, url: str) -> str:
    async with http.get(url) as response:
        match = CSRF_FIELD.search(await response.text())
    assert match, f"no CSRF token on {url}"
    return match[1]


async def log_in(http, base_url: str, email: str, password: str = PASSWORD) -> None:
    token = await csrf_from(http, f"{base_url}/login")
    async with http.post(f"{base_url}/login", data={"email": email, "password": password,
                                                    "csrf_token": token},
                         allow_redirects=False) as response:
        assert response.status == 303, await response.text()


def read_mails(maildir: str | Path) -> list[EmailMessage]:
    box = mailbox.Maildir(str(maildir), create=False)
    messages = []
    for key in box.keys():
        with box.get_file(key) as handle:
            messages.append(email.message_from_binary_file(handle, policy=email.policy.default))  # type: ignore[call-overload]  # a mailbox file is binary; typeshed's overloads do not say so
    return messages


async def wait_for_mail(maildir: str | Path, to: str, count: int = 1, timeout: float = 15,
                        subject: str | None = None) -> list[EmailMessage]:
    """The mails to `to` (optionally with `subject` in the subject), once there are `count`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [m for m in read_mails(maildir) if to.lower() in str(m["To"]).lower()
                 and (subject is None or subject in str(m["Subject"]))]
        if len(found) >= count:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{len(found)} of {count} mail(s) to {to} within {timeout} s")
        await asyncio.sleep(0.1)


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_of(message: EmailMessage) -> icalendar.Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))  # type: ignore[arg-type]  # decode=True gives bytes
    raise AssertionError("no calendar in the mail")


def calendar_event(message: EmailMessage):
    return next(iter(calendar_of(message).walk("VEVENT")))
