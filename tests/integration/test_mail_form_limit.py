"""The limit per client on the public forms that send mail to a typed address (forgotten
password, sign-up, a candidate's lost link: app/mail_forms.py): past it a client is told
when to try again and nothing is sent; other clients, and an IPv6 client's own /64 apart,
go on as before."""

from __future__ import annotations

import secrets

from tests import factories
from tests.accounts import sign_up
from tests.forms import post_form
from tests.integration.test_accounts_limits import behind_a_proxy, browser, from_address
from tests.mails import unique_email

EN = {"Accept-Language": "en"}


def a_client() -> str:
    return f"198.51.100.{secrets.randbelow(250) + 1}"


async def forgot(http, base_url: str, email: str, client: str, language: str = "en"):
    headers = {"Accept-Language": language, **from_address(client)}
    return await post_form(http, base_url, "/password/forgot", {"email": email}, headers=headers)


async def test_past_the_limit_a_client_is_told_when_to_try_again_and_nothing_is_mailed(
    stack, http, base_url, db, settings
):
    user = await sign_up(http, base_url, settings, language="en")
    event = await factories.make_event(db)
    client = a_client()
    async with behind_a_proxy(stack, mail_forms_per_hour=3) as proxied, browser() as someone:
        # Three posts of the forms that mail, whichever the forms and the addresses.
        assert (await forgot(someone, proxied, unique_email("a"), client))[0] == 303
        status, _, _ = await post_form(
            someone,
            proxied,
            f"/r/{event['invite_token']}/resend",
            {"email": unique_email("b")},
            form_page=f"/r/{event['invite_token']}",
            headers=dict(EN, **from_address(client)),
        )
        assert status == 303
        assert (await forgot(someone, proxied, unique_email("c"), client))[0] == 303
        # The fourth: refused, with when to try again, and no reset mailed to a real account.
        mails_before = await db.fetchval(
            "SELECT count(*) FROM mail_outbox WHERE to_address = $1", user["email"]
        )
        status, page, headers = await forgot(someone, proxied, user["email"], client)
        assert status == 429
        assert (
            "Too many mails have been asked for from your network in the last hour. Nothing was sent." in page
        )
        assert "(Swedish time), in 60 minutes." in page
        assert 3500 < int(headers["Retry-After"]) <= 3600
        assert (
            await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = $1", user["email"])
            == mails_before
        )
        # In Swedish, and the sign-up form counts in the same budget.
        status, page, _ = await post_form(
            someone,
            proxied,
            "/signup",
            {
                "organization": "Spam AB",
                "name": "Sam",
                "email": unique_email("d"),
                "password": "ett långt lösenord 123",
                "password_confirm": "ett långt lösenord 123",
            },
            headers={"Accept-Language": "sv", **from_address(client)},
        )
        assert status == 429 and "Inget skickades." in page
        # Another client is not touched.
        assert (await forgot(someone, proxied, user["email"], a_client()))[0] == 303


async def test_an_ipv6_client_counts_by_its_64(stack, http, base_url):
    prefix = f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    async with behind_a_proxy(stack, mail_forms_per_hour=2) as proxied, browser() as someone:
        assert (await forgot(someone, proxied, unique_email("a"), f"{prefix}::1"))[0] == 303
        assert (await forgot(someone, proxied, unique_email("b"), f"{prefix}::2"))[0] == 303
        assert (await forgot(someone, proxied, unique_email("c"), f"{prefix}:1:2:3:4"))[0] == 429
        assert (await forgot(someone, proxied, unique_email("c"), f"2001:db8:{secrets.token_hex(2)}::1"))[
            0
        ] == 303
