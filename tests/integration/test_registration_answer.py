"""The answers to the invite page's forms on addresses of their own (README "Candidates", the
invite page): the POST redirects to /r/<token>/registered (or /resend), and that page is shown
again in either language, from a cookie of that page only, without sending anything again."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import jwt
import pytest
from aiohttp import ClientSession, CookieJar
from yarl import URL

from tests.candidate_support import make_event
from tests.forms import csrf_of
from tests.mails import read_mails, unique_email, wait_for_mail

# Each test is several browsers (sessions of its own), so they ask for the server itself.
pytestmark = pytest.mark.usefixtures("app_server")


def browser() -> ClientSession:
    # unsafe=True: keep cookies for an IP address host (127.0.0.1) like a browser does.
    return ClientSession(cookie_jar=CookieJar(unsafe=True))


async def post_registration(
    http, base_url: str, token: str, email: str, accept_language: str = "sv", language: str = "sv"
):
    """The form sent as a browser sends it, the redirect not followed: the POST's response.
    `language`: the one chosen in the form (for the mails and the personal page)."""
    url = f"{base_url}/r/{token}"
    headers = {"Accept-Language": accept_language, "Accept": "text/html"}
    _, csrf, _ = await csrf_of(http, url, **headers)
    form = {
        "csrf_token": csrf,
        "name": "Kim Kandidat",
        "email": email,
        "language": language,
        "consent": "yes",
    }
    async with http.post(url, data=form, headers=headers, allow_redirects=False) as response:
        return response.status, response.headers, await response.text()


async def get(http, url: str, language: str | None = None, accept_language: str = "sv"):
    if language:
        http.cookie_jar.update_cookies({"lang": language}, URL(url))
    async with http.get(
        url, headers={"Accept-Language": accept_language, "Accept": "text/html"}, allow_redirects=False
    ) as response:
        return response.status, response.headers, await response.text()


async def test_the_confirmation_has_an_address_that_shows_it_again_in_either_language(base_url, db, settings):
    event = await make_event(db)
    token = event["invite_token"]
    email = unique_email("svar")
    async with browser() as http:
        status, headers, _ = await post_registration(http, base_url, token, email)
        assert status == 303 and headers["Location"] == f"/r/{token}/registered"
        # Nothing personal in the address (it is logged): the address travels in a cookie
        # for that page only, which scripts cannot read.
        cookie = headers["Set-Cookie"]
        assert cookie.startswith("invite_answer=") and email not in cookie
        for attribute in ("HttpOnly", f"Path=/r/{token}/registered", "SameSite=Lax"):
            assert attribute in cookie, cookie
        assert "Max-Age" not in cookie and "expires" not in cookie.lower()  # the browser session's

        url = f"{base_url}/r/{token}/registered"
        status, headers, page = await get(http, url)
        assert status == 200 and headers["Cache-Control"] == "no-store"
        assert '<html lang="sv">' in page and "Titta i din e-post" in page and email in page
        assert "Så här går det till" in page and "personliga länk och PIN-kod" in page

        # The language switch: /lang/en sets the cookie and loads the same address again.
        async with http.get(
            f"{base_url}/lang/en", params={"next": f"/r/{token}/registered"}, headers={"Accept": "text/html"}
        ) as response:
            page = await response.text()
            assert response.url.path == f"/r/{token}/registered"
        assert '<html lang="en">' in page and "Check your e-mail" in page and email in page
        assert "What happens next" in page and "personal link and PIN" in page
        assert 'name="consent"' not in page
        # …and back, and a reload: the same answer each time, nothing sent again.
        for language in ("sv", "sv", "en"):
            status, _, page = await get(http, url, language=language)
            assert status == 200 and email in page and f'<html lang="{language}">' in page
    await wait_for_mail(settings.mail.catcher_dir, email)
    await asyncio.sleep(1)
    assert len([mail for mail in read_mails(settings.mail.catcher_dir) if email in str(mail["To"])]) == 1
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 1


async def test_the_confirmation_is_in_the_language_chosen_in_the_form(base_url, db):
    """The form says the language chosen is for the mails and the personal page: a Swedish
    browser registering in English read its confirmation in Swedish. Unless the browser chose
    a language with the switch, which stands."""
    event = await make_event(db)
    token = event["invite_token"]
    async with browser() as http:
        await post_registration(http, base_url, token, unique_email("val"), language="en")
        _, _, page = await get(http, f"{base_url}/r/{token}/registered")
        assert '<html lang="en">' in page and "Check your e-mail" in page
    async with browser() as http:
        http.cookie_jar.update_cookies({"lang": "sv"}, URL(base_url))
        await post_registration(http, base_url, token, unique_email("val"), language="en")
        _, _, page = await get(http, f"{base_url}/r/{token}/registered")
        assert '<html lang="sv">' in page and "Titta i din e-post" in page


async def test_an_address_registered_already_gets_the_same_answer(base_url, db):
    """It must not tell a stranger who has registered (README "Candidates")."""
    event = await make_event(db)
    token = event["invite_token"]
    email = unique_email("igen")
    pages = []
    for _ in range(2):
        async with browser() as http:
            status, headers, _ = await post_registration(http, base_url, token, email)
            assert status == 303 and headers["Location"] == f"/r/{token}/registered"
            _, _, page = await get(http, f"{base_url}/r/{token}/registered")
            pages.append(re.sub(r'name="csrf_token" value="[^"]*"', "", page))
    first, second = pages
    assert email in first and "behåller din plats" in first
    assert first == second


async def test_without_its_cookie_the_answers_address_is_the_invitation(base_url, db, settings):
    event = await make_event(db)
    token = event["invite_token"]
    other = await make_event(db)
    secret = settings.app.secret_key.get_secret_value()
    now = dt.datetime.now(dt.timezone.utc)

    def answer(page: str, event_id: int, *, key: str = secret, age: dt.timedelta = dt.timedelta()) -> str:
        claims = {
            "aud": f"snabbintervjuer:invite-answer:{page}",
            "sub": str(event_id),
            "email": "någon@example.se",
            "iat": int((now - age).timestamp()),
            "exp": int((now - age + dt.timedelta(days=1)).timestamp()),
        }
        return jwt.encode(claims, key, algorithm="HS256")

    cookies = {
        "none": None,
        "garbage": "inte-en-jwt",
        "not ascii": "å" * 10,
        "too long": "a" * 5000,
        "forged": answer("registered", event["id"], key="x" * 32),
        "another event's": answer("registered", other["id"]),
        "the other page's": answer("resend", event["id"]),
        "expired": answer("registered", event["id"], age=dt.timedelta(days=2)),
    }
    for case, value in cookies.items():
        async with browser() as http:
            if value is not None:
                http.cookie_jar.update_cookies(
                    {"invite_answer": value}, URL(f"{base_url}/r/{token}/registered")
                )
            status, headers, _ = await get(http, f"{base_url}/r/{token}/registered")
        assert status == 303 and headers["Location"] == f"/r/{token}", case
    async with browser() as http:
        http.cookie_jar.update_cookies(
            {"invite_answer": answer("registered", event["id"])}, URL(f"{base_url}/r/{token}/registered")
        )
        status, _, page = await get(http, f"{base_url}/r/{token}/registered")
        assert status == 200 and "någon@example.se" in page
        # The event cancelled since: the invitation, which says so.
        await db.execute("UPDATE event SET state = 'cancelled' WHERE id = $1", event["id"])
        status, headers, _ = await get(http, f"{base_url}/r/{token}/registered")
        assert status == 303 and headers["Location"] == f"/r/{token}"
    for path in ("/r/no-such-token/registered", "/r/ab%00cd/registered", f"/r/{'x' * 101}/resend"):
        async with browser() as http:
            status, _, _ = await get(http, f"{base_url}{path}")
        assert status == 404, path


async def test_bad_input_answers_in_place_and_sets_no_answer(base_url, db):
    event = await make_event(db)
    token = event["invite_token"]
    async with browser() as http:
        url = f"{base_url}/r/{token}"
        _, csrf, _ = await csrf_of(http, url, **{"Accept-Language": "en"})
        form = {"csrf_token": csrf, "name": "", "email": "fel", "language": "sv"}
        async with http.post(
            url, data=form, headers={"Accept-Language": "en"}, allow_redirects=False
        ) as response:
            page = await response.text()
            assert response.status == 422
            assert not any("invite_answer" in c for c in response.headers.getall("Set-Cookie", []))
        assert "Enter your name." in page and 'value="fel"' in page
        status, headers, _ = await get(http, f"{url}/registered")
        assert status == 303 and headers["Location"] == f"/r/{token}"
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 0


async def test_the_link_sent_again_has_an_address_of_its_own_too(base_url, db, settings):
    event = await make_event(db, capacity=1)
    token = event["invite_token"]
    email = unique_email("igen-skickad")
    async with browser() as http:
        assert (await post_registration(http, base_url, token, email))[0] == 303
    await wait_for_mail(settings.mail.catcher_dir, email)
    async with browser() as http:
        _, csrf, page = await csrf_of(http, f"{base_url}/r/{token}")
        assert "Har du redan anmält dig och tappat bort mejlet?" in page
        async with http.post(
            f"{base_url}/r/{token}/resend", data={"csrf_token": csrf, "email": email}, allow_redirects=False
        ) as response:
            assert response.status == 303 and response.headers["Location"] == f"/r/{token}/resend"
            assert email not in response.headers["Location"]
        url = f"{base_url}/r/{token}/resend"
        status, _, page = await get(http, url)
        assert status == 200 and f"Om {email} är anmäld" in page and '<html lang="sv">' in page
        status, _, page = await get(http, url, language="en")
        assert status == 200 and f"If {email} is registered" in page and '<html lang="en">' in page
    await wait_for_mail(settings.mail.catcher_dir, email, count=2)
    await asyncio.sleep(1)
    assert len([mail for mail in read_mails(settings.mail.catcher_dir) if email in str(mail["To"])]) == 2
