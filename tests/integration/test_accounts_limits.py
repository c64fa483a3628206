"""Log-in limits (README "Limits on guessing"): wrong passwords slow the browser that makes
them, a browser that has logged in before is never locked out by anyone else's, and an
office behind one address keeps working; nothing tells whether an account exists."""

from __future__ import annotations

import asyncio
import logging
import secrets
import subprocess
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar

from app.application import create_app
from app.auth.ratelimit import account_secret
from app.localstack.processes import free_port
from app.settings import load_settings
from tests.accounts import fresh_log_in_limits, log_out, sign_up  # noqa: F401 (a fixture)
from tests.forms import post_form
from tests.mails import link_in, text_of, unique_email, wait_for_mail
from tests.serving import serving

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("fresh_log_in_limits")

EN = {"Accept-Language": "en"}
WRONG = "helt fel lösenord"
PAUSED = "Too many failed log-in attempts."
CLOSED = "log-in from a new browser is paused until the password is reset"


async def attempt(http, base_url, email, password, headers=None):
    return await post_form(
        http, base_url, "/login", {"email": email, "password": password}, headers=dict(EN, **(headers or {}))
    )


def browser() -> ClientSession:
    return ClientSession(cookie_jar=CookieJar(unsafe=True))


def from_address(address: str) -> dict:
    return {"X-Forwarded-For": address}


def somewhere() -> str:
    """An address in a /64 of its own (app.throttle counts IPv6 clients by their /64)."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"


@asynccontextmanager
async def behind_a_proxy(stack, **limits):
    """An application of its own behind a trusted proxy, so each request can name its
    client address (app.trust_proxy_headers), with the limits given."""
    environ = dict(
        stack.environ,
        SNABB_APP_PORT=str(free_port()),
        SNABB_APP_TRUST_PROXY_HEADERS="true",
        **{f"SNABB_LIMITS_{key.upper()}": str(value) for key, value in limits.items()},
    )
    settings = load_settings(environ)
    async with serving(create_app(settings), settings.app.port) as base_url:
        yield base_url


async def test_wrong_passwords_make_that_browser_wait_a_growing_time(http, base_url, settings):
    async with browser() as signed_up_here:
        user = await sign_up(signed_up_here, base_url, settings, language="en")
    # (The browser that signed up is a known one: this test guesses from another.)
    free = settings.limits.free_failures
    for _ in range(free - 1):
        status, page, _ = await attempt(http, base_url, user["email"], WRONG)
        assert status == 400 and "The e-mail address or the password is wrong." in page
    status, page, headers = await attempt(http, base_url, user["email"], WRONG)
    assert status == 429 and PAUSED in page and "paused for 1 second" in page
    assert "(Swedish time)" in page and headers["Retry-After"] == "1"
    # Meanwhile this browser is not even heard, the right password included.
    status, page, _ = await attempt(http, base_url, user["email"].upper(), user["password"])
    assert status == 429 and PAUSED in page
    await asyncio.sleep(1.2)
    status, _, headers = await attempt(http, base_url, user["email"], WRONG)
    assert status == 429 and headers["Retry-After"] == "2"  # twice as long now
    await asyncio.sleep(2.2)
    status, _, headers = await attempt(http, base_url, user["email"], user["password"])
    assert status == 303
    [device] = [cookie for cookie in http.cookie_jar if cookie.key == "device"]
    assert device["httponly"] and device["path"] == "/" and device["samesite"] == "Lax"


async def test_a_known_browser_logs_in_while_strangers_guess_the_account_closed(
    stack, http, base_url, db, caplog, settings
):
    caplog.set_level(logging.INFO)
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    async with (
        behind_a_proxy(stack, unknown_in_a_row=5) as proxied,
        browser() as owner,
        browser() as guesser,
        browser() as new_phone,
    ):
        home = somewhere()
        assert (await attempt(owner, proxied, user["email"], user["password"], from_address(home)))[0] == 303
        await log_out(owner, proxied)
        # Five wrong passwords, each from another address: closed to new browsers.
        for _ in range(5):
            status, page, _ = await attempt(guesser, proxied, user["email"], WRONG, from_address(somewhere()))
        assert status == 429 and CLOSED in page
        status, page, headers = await attempt(
            new_phone, proxied, user["email"], user["password"], from_address(somewhere())
        )
        assert status == 429 and CLOSED in page and "Retry-After" not in headers
        # The owner's browser still gets in, from home or from anywhere else.
        status, _, _ = await attempt(owner, proxied, user["email"], user["password"], from_address(home))
        assert status == 303
        await log_out(owner, proxied)
        status, _, _ = await attempt(
            owner, proxied, user["email"], user["password"], from_address(somewhere())
        )
        assert status == 303
    # The log names the address by its keyed hash, never as typed (a stranger's typo, a
    # password in the address field): an operator finds it with `scripts/provision log-name`.
    assert f"{log_name_of(stack, user['email'])} closed to new devices" in caplog.text
    assert user["email"] not in caplog.text and user["email"].split("@")[0] not in caplog.text
    assert WRONG not in caplog.text and user["password"] not in caplog.text
    # The database keeps no e-mail address for the limits, and only hashes of devices.
    subject = account_secret(stack.settings().app.secret_key.get_secret_value(), user["email"]).subject
    assert (
        await db.fetchval("SELECT in_a_row FROM guess_secret WHERE subject = $1", subject) == 0
    )  # the right password ended the run
    assert not await db.fetchval("SELECT count(*) FROM guess_secret WHERE subject = $1", user["email"])


async def test_an_office_behind_one_address_keeps_logging_in_on_known_browsers(
    stack, http, base_url, settings
):
    first = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    second = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    office = from_address(f"198.51.100.{secrets.randbelow(250) + 1}")
    async with (
        behind_a_proxy(stack, address_failures=4) as proxied,
        browser() as anna,
        browser() as bertil,
        browser() as guesser,
        browser() as away,
    ):
        assert (await attempt(anna, proxied, first["email"], first["password"], office))[0] == 303
        await log_out(anna, proxied)
        for _ in range(4):  # someone in the office tries other people's accounts
            status, page, _ = await attempt(guesser, proxied, unique_email("guess"), WRONG, office)
        assert status == 429 and PAUSED in page
        # Anna's browser is known: the office's pause does not touch it.
        assert (await attempt(anna, proxied, first["email"], first["password"], office))[0] == 303
        # Bertil's browser is new: it waits with the rest of the office, and is told how long.
        status, page, headers = await attempt(bertil, proxied, second["email"], second["password"], office)
        assert status == 429 and "paused for 15 minutes" in page
        assert 850 < int(headers["Retry-After"]) <= 900
        # Bertil at another address logs in as usual.
        assert (await attempt(away, proxied, second["email"], second["password"], from_address(somewhere())))[
            0
        ] == 303


async def test_a_password_reset_opens_a_closed_account_and_makes_the_browser_known(
    http, base_url, db, settings
):
    async with browser() as signed_up_elsewhere:
        user = await sign_up(signed_up_elsewhere, base_url, settings, language="en")
    subject = account_secret(settings.app.secret_key.get_secret_value(), user["email"]).subject
    await db.execute(
        "INSERT INTO guess_secret (scope, subject, in_a_row) VALUES ('password', $1, 100)", subject
    )  # as after 100 wrong guesses
    status, page, _ = await attempt(http, base_url, user["email"], user["password"])
    assert status == 429 and CLOSED in page
    await post_form(http, base_url, "/password/forgot", {"email": user["email"]}, headers=EN)
    [mail] = await wait_for_mail(settings.mail.catcher_dir, user["email"])
    link = link_in(text_of(mail), base_url, "/password/reset/")
    new = "ett helt nytt lösenord"
    status, _, _ = await post_form(
        http, base_url, link[len(base_url) :], {"password": new, "password_confirm": new}
    )
    assert status == 303
    assert not await db.fetchval("SELECT count(*) FROM guess_secret WHERE subject = $1", subject)
    assert [cookie for cookie in http.cookie_jar if cookie.key == "device"]
    assert (
        await db.fetchval("SELECT count(*) FROM known_device WHERE subject = $1", subject) == 2
    )  # the browser that signed up, and this one


async def test_the_answers_are_the_same_whether_or_not_the_account_exists(http, base_url, settings):
    async with browser() as signed_up_elsewhere:
        user = await sign_up(signed_up_elsewhere, base_url, settings, language="en")
    answers = {}
    for email in (user["email"], unique_email("nobody")):
        answers[email] = []
        for _ in range(3):
            status, page, headers = await attempt(http, base_url, email, WRONG)
            answers[email].append((status, PAUSED in page, headers.get("Retry-After")))
        await asyncio.sleep(1.2)
    first, second = answers.values()
    assert first == second == [(400, False, None), (400, False, None), (429, True, "1")]


async def test_guessing_the_current_password_counts_too(http, base_url, settings):
    await sign_up(http, base_url, settings, language="en")
    new = "ett annat långt lösenord"
    for _ in range(settings.limits.free_failures):
        status, page, _ = await post_form(
            http,
            base_url,
            "/account/password",
            {"current_password": WRONG, "password": new, "password_confirm": new},
            form_page="/account",
            headers=EN,
        )
    assert status == 429 and PAUSED in page


async def test_client_address_from_the_connection_unless_a_proxy_is_trusted(http, base_url, db, settings):
    email = unique_email("spoof")
    await attempt(http, base_url, email, WRONG, headers={"X-Forwarded-For": "198.51.100.7"})
    subject = account_secret(settings.app.secret_key.get_secret_value(), email).subject
    client = await db.fetchval("SELECT client FROM guess_client WHERE subject = $1", subject)
    assert client == "address:127.0.0.1"  # a client cannot choose its address by a header


async def test_https_behind_a_trusted_proxy_makes_the_cookies_secure(stack):
    async with (
        behind_a_proxy(stack) as proxied,
        browser() as fresh,
        fresh.get(f"{proxied}/login", headers={"X-Forwarded-Proto": "https"}) as response,
    ):
        assert "Secure" in response.headers["Set-Cookie"]


def log_name_of(stack, email: str) -> str:
    """What `scripts/provision log-name` prints for the address, as an operator runs it."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "provision"), "log-name", email.upper()],
        env=stack.environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()
