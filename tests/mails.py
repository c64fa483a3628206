"""Mails the tests catch: the development mail catcher writes each to a Maildir
(settings.mail.catcher_dir, or a catcher of a test's own); these read them.

    [mail] = await wait_for_mail(settings.mail.catcher_dir, address, subject="Ny tid")
    text_of(mail), html_of(mail), link_in(text_of(mail), base_url, "/c/"), calendar_event(mail)
"""

from __future__ import annotations

import asyncio
import mailbox
import re
import secrets
from email.message import EmailMessage
from pathlib import Path

import icalendar

from app.views.dev_mail import read_message


def unique_email(prefix: str = "user") -> str:
    """Each test mails addresses of its own, so mails from other tests never confuse it."""
    return f"{prefix}-{secrets.token_hex(4)}@example.se"


# A delivered Maildir file never changes: parse each one once, however often tests look.
_parsed: dict[tuple[str, str], EmailMessage] = {}


def read_mails(maildir: Path | str) -> list[EmailMessage]:
    """Every mail in the Maildir (none when the catcher has not made it yet)."""
    try:
        box = mailbox.Maildir(str(maildir), factory=None, create=False)
        keys = box.keys()
    except (mailbox.NoSuchMailboxError, FileNotFoundError):
        return []
    messages = []
    for key in keys:
        if (str(maildir), key) not in _parsed:
            try:
                _parsed[str(maildir), key] = read_message(box, key)
            except KeyError:  # taken out (forget_mails_to) since the listing
                continue
        messages.append(_parsed[str(maildir), key])
    return messages


def is_to(message: EmailMessage, address: str) -> bool:
    return message["To"] is not None and any(
        found.addr_spec.lower() == address.lower() for found in message["To"].addresses
    )


def caught(maildir: Path | str, to: str, subject: str | None = None) -> list[EmailMessage]:
    """The mails to `to` (optionally with `subject` in the subject line)."""
    return [
        m for m in read_mails(maildir) if is_to(m, to) and (subject is None or subject in str(m["Subject"]))
    ]


async def wait_for_mail(
    maildir: Path | str, to: str, count: int = 1, timeout: float = 20, subject: str | None = None
) -> list[EmailMessage]:
    """The mails to `to` (optionally with `subject` in the subject), once there are `count`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = caught(maildir, to, subject)
        if len(found) >= count:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{len(found)} of {count} mail(s) to {to} within {timeout} s")
        await asyncio.sleep(0.1)


def forget_mails_to(maildir: Path | str, address: str) -> None:
    """Take the mails to `address` out of the catcher: later waits find only newer ones."""
    box = mailbox.Maildir(str(maildir), create=True)
    for key in list(box.keys()):
        if is_to(read_message(box, key), address):
            box.remove(key)


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(text: str, base_url: str, path_prefix: str) -> str:
    """The first link in a mail's text that starts with base_url + path_prefix."""
    match = re.search(re.escape(base_url + path_prefix) + r"[A-Za-z0-9_\-/]+", text)
    assert match, f"no {path_prefix} link in the mail"
    return match[0]


def calendar_of(message: EmailMessage) -> icalendar.Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))  # type: ignore[arg-type]  # decode=True gives bytes
    raise AssertionError("no calendar in the mail")


def calendar_event(message: EmailMessage):
    return next(iter(calendar_of(message).walk("VEVENT")))
