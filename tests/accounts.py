"""Employer accounts in tests: made through the account code (app/auth/users.py), or signed
up as a browser does; logging in and out.

    user = await make_user(db)                          # straight in the database
    await log_in(http, base_url, user["email"])         # must succeed (303)
    status, body, headers = await try_log_in(http, base_url, email, "wrong")
    user = await sign_up(http, base_url, settings)      # the forms and the mailed link
    await log_in_browser(page, user["email"])           # a Playwright page, without the form
    await log_in_with_form(page, user["email"], "/events")  # the form, as a person does
"""

from __future__ import annotations

import functools
import re
import secrets

import pytest_asyncio

from app.auth.users import create_organization_with_user, create_user
from app.passwords import hash_password
from tests.forms import csrf_in, post_form
from tests.mails import forget_mails_to, link_in, text_of, unique_email, wait_for_mail

PASSWORD = "ett-långt-lösenord-42"


@functools.cache
def _password_hash(password: str) -> str:
    return hash_password(password)  # slow on purpose: once per password, not per account


async def make_user(
    db,
    *,
    organization: str | None = None,
    organization_id: int | None = None,
    email: str | None = None,
    name: str = "Rekryterare Testsson",
    language: str = "sv",
    password: str = PASSWORD,
) -> dict:
    """An account made in the database (sign-up itself has tests of its own): a new
    organization, or a colleague in `organization_id`."""
    email = email or unique_email()
    if organization_id is None:
        organization_id, user_id = await create_organization_with_user(
            db,
            organization or f"Företaget {secrets.token_hex(3)} AB",
            email,
            name,
            _password_hash(password),
            language,
        )
    else:
        user_id = await create_user(db, organization_id, email, name, _password_hash(password), language)
    return {
        "id": user_id,
        "organization_id": organization_id,
        "email": email,
        "name": name,
        "password": password,
    }


@pytest_asyncio.fixture
async def fresh_log_in_limits(db):
    """Every test here logs in from 127.0.0.1: forget that address's failed attempts before
    and after, so one test's wrong passwords never pause another's log-ins. Use it with
    `from tests.accounts import fresh_log_in_limits` plus `pytestmark = usefixtures(...)`."""

    async def forget() -> None:
        await db.execute(
            "DELETE FROM guess_secret WHERE scope = 'address' AND subject IN ('127.0.0.1', '::/64')"
        )
        await db.execute(
            "DELETE FROM guess_client WHERE scope = 'password' "
            "AND client IN ('address:127.0.0.1', 'address:::/64')"
        )

    await forget()
    yield
    await forget()


async def try_log_in(http, base_url: str, email: str, password: str = PASSWORD) -> tuple[int, str, dict]:
    """The log-in form sent: (status, body, response headers); 303 when it worked."""
    return await post_form(http, base_url, "/login", {"email": email, "password": password})


async def log_in(http, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Log in, which must work: the session cookie is then in `http`'s jar."""
    status, body, _ = await try_log_in(http, base_url, email, password)
    assert status == 303, body


async def log_in_browser(page, email: str, password: str = PASSWORD) -> None:
    """Log a Playwright page in without the form: its context's request client shares the
    browser's cookies (the log-in page has browser tests of its own)."""
    form = await page.context.request.get("/login")
    reply = await page.context.request.post(
        "/login",
        max_redirects=0,
        form={"email": email, "password": password, "csrf_token": csrf_in(await form.text())},
    )
    assert reply.status == 303, await reply.text()


async def log_in_with_form(page, email: str, next_path: str, password: str = PASSWORD) -> None:
    """Log a Playwright page in through the log-in form, as a person does; it then shows
    `next_path`."""
    await page.goto(f"/login?next={next_path}")
    await page.fill('input[name="email"]', email)
    await page.fill('input[name="password"]', password)
    await page.locator('form[action^="/login"] button[type="submit"]').click()
    await page.wait_for_url(re.compile(re.escape(next_path) + "$"))


async def log_out(http, base_url: str) -> int:
    status, _, _ = await post_form(http, base_url, "/logout", {}, form_page="/account")
    return status


async def sign_up(
    http,
    base_url: str,
    settings,
    *,
    email: str | None = None,
    name: str = "Åsa Öberg",
    organization: str | None = None,
    password: str = PASSWORD,
    language: str = "sv",
) -> dict:
    """Sign up as a browser does: the form, then the link in the mail; logged in after."""
    email = email or unique_email()
    organization = organization or f"Företaget {secrets.token_hex(3)} AB"
    headers = {"Accept-Language": language}
    status, body, response_headers = await post_form(
        http,
        base_url,
        "/signup",
        {
            "organization": organization,
            "name": name,
            "email": email,
            "password": password,
            "password_confirm": password,
        },
        headers=headers,
    )
    assert status == 303 and response_headers["Location"] == "/signup/sent", body
    link = await confirmation_link(settings, base_url, email)
    status, body, response_headers = await post_form(
        http, base_url, link[len(base_url) :], {"password": password}, headers=headers
    )
    assert status == 303 and response_headers["Location"] == "/events", body
    return {"email": email, "password": password, "name": name, "organization": organization}


async def confirmation_link(settings, base_url: str, email: str) -> str:
    """The link of the sign-up confirmation mail to `email`; the mail is then taken out of
    the catcher, so a test's own mails to the address are the only ones it finds."""
    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    forget_mails_to(settings.mail.catcher_dir, email)
    return link_in(text_of(mail), base_url, "/signup/confirm/")
