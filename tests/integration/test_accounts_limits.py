"""Log-in limits per account and per client address; lock-outs are logged, passwords never."""
from __future__ import annotations

import logging
import secrets

import pytest
from aiohttp import ClientSession, CookieJar

from app.application import create_app
from app.auth.ratelimit import ACCOUNT_LIMIT, ADDRESS_LIMIT
from app.localstack.processes import free_port
from app.settings import load_settings
from tests.accounts import (
    PASSWORD,
    fresh_log_in_limits,  # noqa: F401 (a fixture)
    log_out,
    post_form,
    sign_up,
    unique_email,
)
from tests.serving import serving

pytestmark = pytest.mark.usefixtures("fresh_log_in_limits")

EN = {"Accept-Language": "en"}
WRONG = "helt fel lösenord"


async def attempt(http, base_url, email, password, headers=None):
    return await post_form(http, base_url, "/login", {"email": email, "password": password},
                           headers=dict(EN, **(headers or {})))


async def test_too_many_failures_pause_log_in_for_the_account(http, base_url, db, caplog, settings):
    caplog.set_level(logging.INFO)
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    for number in range(1, ACCOUNT_LIMIT + 1):
        status, page, headers = await attempt(http, base_url, user["email"], WRONG)
        if number < ACCOUNT_LIMIT:
            assert status == 400 and "The e-mail address or the password is wrong." in page
    assert status == 429 and "Too many failed log-in attempts." in page
    assert "(Swedish time)" in page and int(headers["Retry-After"]) > 800
    # Meanwhile even the right password is turned away, with the same message.
    status, page, _ = await attempt(http, base_url, user["email"].upper(), user["password"])
    assert status == 429 and "Too many failed log-in attempts." in page
    assert "log-in paused until" in caplog.text and user["email"] in caplog.text
    assert WRONG not in caplog.text and user["password"] not in caplog.text
    # Once the failures are older than the window, the right password works again.
    await db.execute("UPDATE login_attempt SET attempted_at = attempted_at - interval '16 minutes' "
                     "WHERE email = $1", user["email"])
    status, _, headers = await attempt(http, base_url, user["email"], user["password"])
    assert status == 303


async def test_a_successful_log_in_clears_the_accounts_count(http, base_url, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    for _ in range(ACCOUNT_LIMIT - 1):
        assert (await attempt(http, base_url, user["email"], WRONG))[0] == 400
    assert (await attempt(http, base_url, user["email"], user["password"]))[0] == 303
    await log_out(http, base_url)
    for _ in range(ACCOUNT_LIMIT - 1):
        assert (await attempt(http, base_url, user["email"], WRONG))[0] == 400
    assert (await attempt(http, base_url, user["email"], user["password"]))[0] == 303


async def test_unknown_addresses_are_limited_alike(http, base_url):
    email = unique_email("nobody")
    for _ in range(ACCOUNT_LIMIT):
        status, page, _ = await attempt(http, base_url, email, PASSWORD)
    assert status == 429 and "Too many failed log-in attempts." in page


async def test_guessing_the_current_password_counts_too(http, base_url, settings):
    await sign_up(http, base_url, settings, language="en")
    new = "ett annat långt lösenord"
    for _ in range(ACCOUNT_LIMIT):
        status, page, _ = await post_form(http, base_url, "/account/password", {
            "current_password": WRONG, "password": new, "password_confirm": new},
            form_page="/account", headers=EN)
    assert status == 429 and "Too many failed log-in attempts." in page


async def test_client_address_from_the_connection_unless_a_proxy_is_trusted(http, base_url, db):
    email = unique_email("spoof")
    await attempt(http, base_url, email, WRONG, headers={"X-Forwarded-For": "198.51.100.7"})
    address = await db.fetchval("SELECT client_address FROM login_attempt WHERE email = $1", email)
    assert address == "127.0.0.1"  # a client cannot choose its address by writing a header


async def test_too_many_failures_from_one_address_pause_it(stack, http, base_url, settings):
    """Behind a trusted proxy (app.trust_proxy_headers) each client address counts apart."""
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    settings = load_settings(dict(stack.environ, SNABB_APP_PORT=str(free_port()),
                                  SNABB_APP_TRUST_PROXY_HEADERS="true"))
    guesser = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    async with serving(create_app(settings), settings.app.port) as proxied, \
            ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        forwarded = {"X-Forwarded-For": f"10.0.0.1, {guesser}", "X-Forwarded-Proto": "https"}
        for _ in range(ADDRESS_LIMIT):
            status, page, _ = await attempt(http, proxied, unique_email("guess"), WRONG,
                                            headers=forwarded)
        assert status == 429 and "Too many failed log-in attempts." in page
        status, _, _ = await attempt(http, proxied, user["email"], user["password"],
                                     headers=forwarded)
        assert status == 429
        # Someone else, at another address, logs in as usual.
        status, _, _ = await attempt(other, proxied, user["email"], user["password"],
                                     headers={"X-Forwarded-For": "192.0.2.44"})
        assert status == 303
        # The proxy says the browser came over https: the cookies are Secure.
        async with ClientSession() as fresh, fresh.get(
                f"{proxied}/login", headers={"X-Forwarded-Proto": "https"}) as response:
            assert "Secure" in response.headers["Set-Cookie"]
