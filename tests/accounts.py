"""Helpers for tests that need an employer account: sign up, log in, forms, mails.

Used by the account tests and by any test that needs a logged-in user, e.g.:

    user = await sign_up(http, base_url, settings)    # logged in; user["email"], ["password"]
    await log_in(http, base_url, user["email"], user["password"])
    status, html = await post_form(http, base_url, "/events/new", {...})   # CSRF token added
"""
from __future__ import annotations

import asyncio
import html as html_lib
import mailbox
import re
import secrets
import time
from email.message import EmailMessage

import pytest_asyncio

from app.views.dev_mail import read_message

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "korrekt häst batteri"


@pytest_asyncio.fixture
async def fresh_log_in_limits(db):
    """Every test here logs in from 127.0.0.1: forget that address's failed attempts before
    and after, so one test's wrong passwords never pause another's log-ins. Use it with
    `from tests.accounts import fresh_log_in_limits` plus `pytestmark = usefixtures(...)`."""
    async def forget() -> None:
        await db.execute("DELETE FROM guess_secret WHERE scope = 'address' "
                         "AND subject IN ('127.0.0.1', '::/64')")
        await db.execute("DELETE FROM guess_client WHERE scope = 'password' "
                         "AND client IN ('address:127.0.0.1', 'address:::/64')")
    await forget()
    yield
    await forget()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.se"


def csrf_in(page: str) -> str:
    match = CSRF.search(page)
    assert match, "the page has no CSRF token"
    return html_lib.unescape(match[1])


async def get_page(http, url: str, **kwargs) -> tuple[int, str]:
    async with http.get(url, **kwargs) as response:
        return response.status, await response.text()


async def post_form(http, base_url: str, path: str, data: dict, *, form_page: str | None = None,
                    headers: dict | None = None) -> tuple[int, str, dict]:
    """POST a form the way a browser does: with the CSRF token of the page that holds it
    (`form_page`, default `path`). Returns (status, body, response headers); no redirects."""
    _, page = await get_page(http, base_url + (form_page or path), headers=headers)
    data = dict(data, csrf_token=csrf_in(page))
    async with http.post(base_url + path, data=data, allow_redirects=False,
                         headers=headers) as response:
        return response.status, await response.text(), dict(response.headers)


async def sign_up(http, base_url: str, settings, *, email: str | None = None,
                  name: str = "Åsa Öberg", organization: str | None = None,
                  password: str = PASSWORD, language: str = "sv") -> dict:
    """Sign up as a browser does: the form, then the link in the mail; logged in after."""
    email = email or unique_email()
    organization = organization or f"Företaget {secrets.token_hex(3)} AB"
    headers = {"Accept-Language": language}
    status, body, response_headers = await post_form(
        http, base_url, "/signup",
        {"organization": organization, "name": name, "email": email, "password": password,
         "password_confirm": password}, headers=headers)
    assert status == 303 and response_headers["Location"] == "/signup/sent", body
    link = await confirmation_link(settings, base_url, email)
    status, body, response_headers = await post_form(http, base_url, link[len(base_url):], {},
                                                     headers=headers)
    assert status == 303 and response_headers["Location"] == "/events", body
    return {"email": email, "password": password, "name": name, "organization": organization}


async def log_in(http, base_url: str, email: str, password: str) -> tuple[int, str, dict]:
    return await post_form(http, base_url, "/login", {"email": email, "password": password})


async def log_out(http, base_url: str) -> int:
    status, _, _ = await post_form(http, base_url, "/logout", {}, form_page="/account")
    return status


def _messages_to(directory: str, address: str) -> list[EmailMessage]:
    box = mailbox.Maildir(directory, create=True)
    found = []
    for key in box.keys():
        message = read_message(box, key)
        if address.lower() in str(message["To"] or "").lower():
            found.append(message)
    return found


async def confirmation_link(settings, base_url: str, email: str) -> str:
    """The link of the sign-up confirmation mail to `email`; the mail is then taken out of
    the catcher, so a test's own mails to the address are the only ones it finds."""
    [mail] = await wait_for_mail(settings, email)
    forget_mails_to(settings, email)
    return link_in(mail_text(mail), base_url, "/signup/confirm/")


def forget_mails_to(settings, address: str) -> None:
    box = mailbox.Maildir(settings.mail.catcher_dir, create=True)
    for key in list(box.keys()):
        if address.lower() in str(read_message(box, key)["To"] or "").lower():
            box.remove(key)


async def wait_for_mail(settings, address: str, count: int = 1,
                        timeout: float = 20) -> list[EmailMessage]:
    """The mails the catcher got for `address`, once there are at least `count`."""
    deadline = time.monotonic() + timeout
    while True:
        found = _messages_to(settings.mail.catcher_dir, address)
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, f"{len(found)} mail(s) to {address}, expected {count}"
            return found
        await asyncio.sleep(0.2)


def mail_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def mail_html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(text: str, base_url: str, path_prefix: str) -> str:
    """The first link in a mail's text that starts with base_url + path_prefix."""
    match = re.search(re.escape(base_url + path_prefix) + r"[A-Za-z0-9_\-/]+", text)
    assert match, f"no {path_prefix} link in the mail"
    return match[0]
