"""Sign-up and colleague invitations do not tell a stranger whether an address has an account:
the same answer and page either way, and the address's owner is told by mail instead."""

from __future__ import annotations

import re
import statistics
import time

from aiohttp import ClientSession, CookieJar

from app.keys import MAILER

from tests.accounts import PASSWORD, log_in, make_user
from tests.forms import get_page, post_form
from tests.mails import link_in, text_of, unique_email, wait_for_mail

EN = {"Accept-Language": "en"}
CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+')


async def try_sign_up(base_url: str, email: str) -> tuple[int, str, str, float]:
    """(status, Location, the page it leads to, seconds) for a new browser signing up."""
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
        started = time.monotonic()
        status, _, headers = await post_form(
            browser,
            base_url,
            "/signup",
            {
                "organization": "Nyfiken AB",
                "name": "Nils Nyfiken",
                "email": email,
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
            headers=EN,
        )
        seconds = time.monotonic() - started
        location = headers.get("Location", "")
        _, page = await get_page(browser, base_url + location, headers=EN) if location else (0, "")
        logged_in = any(cookie.key == "session" for cookie in browser.cookie_jar)
    assert not logged_in, "signing up must not log in before the address is confirmed"
    return status, location, CSRF_VALUE.sub(r"\1…", page), seconds


async def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(
    app_server, base_url, db, settings
):
    owner = await make_user(db, language="en")
    organizations = await db.fetchval("SELECT count(*) FROM organization")
    taken = await try_sign_up(base_url, owner["email"].upper())
    fresh_address = unique_email("fresh")
    fresh = await try_sign_up(base_url, fresh_address)
    assert taken[:3] == fresh[:3]
    assert taken[0] == 303 and "Check your mail" in taken[2]
    assert owner["email"] not in taken[2] and "already" not in taken[2]
    assert await db.fetchval("SELECT count(*) FROM organization") == organizations

    [warning] = await wait_for_mail(settings.mail.catcher_dir, owner["email"])
    text = text_of(warning)
    assert "tried to create an account" in text and f"{base_url}/login" in text
    assert f"{base_url}/password/forgot" in text and "/signup/confirm/" not in text
    [confirm] = await wait_for_mail(settings.mail.catcher_dir, fresh_address)
    link = link_in(text_of(confirm), base_url, "/signup/confirm/")
    assert not await db.fetchval("SELECT count(*) FROM app_user WHERE email = $1", fresh_address)

    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
        status, page = await get_page(browser, link, headers=EN)  # a look creates nothing
        assert status == 200 and fresh_address in page and "Nyfiken AB" in page
        assert not await db.fetchval("SELECT count(*) FROM app_user WHERE email = $1", fresh_address)
        # The password chosen in the form is asked again: whoever has only the link (the
        # owner of an address someone else signed up) cannot make the account with it.
        for wrong in ({}, {"password": "not-the-chosen-password"}):
            status, page, _ = await post_form(browser, base_url, link[len(base_url) :], wrong, headers=EN)
            assert status == 400 and "That is not the password chosen" in page
        assert not await db.fetchval("SELECT count(*) FROM app_user WHERE email = $1", fresh_address)
        status, _, headers = await post_form(
            browser, base_url, link[len(base_url) :], {"password": PASSWORD}, headers=EN
        )
        assert status == 303 and headers["Location"] == "/events"
        status, page = await get_page(browser, f"{base_url}/account", headers=EN)
        assert status == 200 and "Nils Nyfiken" in page
        status, page = await get_page(browser, link, headers=EN)  # once only
        assert status == 404
    # Both ways cost a password hash: the time does not tell them apart.
    times = {"taken": [taken[3]], "fresh": [fresh[3]]}
    for _ in range(2):
        times["taken"].append((await try_sign_up(base_url, owner["email"]))[3])
        times["fresh"].append((await try_sign_up(base_url, unique_email("fresh")))[3])
    slow, quick = sorted(statistics.median(values) for values in times.values())[::-1]
    assert slow < 3 * quick + 0.3, times


async def test_inviting_an_address_of_another_organization_looks_like_any_invitation(
    app_server, http, base_url, db, settings, monkeypatch
):
    """The same answer, and as quick: both mails are rendered for either address, and the
    one that fits is sent (rendering only that one took a different time for each, which
    told the inviter whether the address had an account elsewhere)."""
    inviter = await make_user(db, name="Inga Inbjudare", language="en")
    elsewhere = await make_user(db, language="en")
    await log_in(http, base_url, inviter["email"])
    mailer = app_server[MAILER]
    prepare, rendered = mailer.prepare, []

    def counted(**mail):
        rendered.append(mail["template"])
        return prepare(**mail)

    monkeypatch.setattr(mailer, "prepare", counted)
    answers = []
    fresh = unique_email("kollega")
    for address in (elsewhere["email"], fresh):
        rendered.clear()
        status, _, headers = await post_form(
            http, base_url, "/account/colleagues", {"email": address, "language": "en"}, headers=EN
        )
        answers.append((status, headers.get("Location")))
        assert sorted(rendered) == ["colleague_invitation", "colleague_invitation_existing"], address
    assert answers == [(303, "/account/colleagues?done=invited")] * 2
    _, page = await get_page(http, f"{base_url}/account/colleagues?done=invited", headers=EN)
    assert elsewhere["email"] in page and fresh in page  # both listed as open invitations
    assert "already" not in page

    [told] = await wait_for_mail(settings.mail.catcher_dir, elsewhere["email"])
    text = text_of(told)
    assert "Inga Inbjudare" in text and "already has an account" in text
    assert "/invitation/" not in text and f"{base_url}/login" in text
    [invited] = await wait_for_mail(settings.mail.catcher_dir, fresh)
    assert "/invitation/" in text_of(invited)
    assert (
        await db.fetchval("SELECT organization_id FROM app_user WHERE id = $1", elsewhere["id"])
        == elsewhere["organization_id"]
    )


async def test_inviting_a_member_of_the_own_organization_says_so(app_server, http, base_url, db):
    # The members are listed on the same page: saying so tells the inviter nothing new.
    inviter = await make_user(db, language="en")
    member = await make_user(db, organization_id=inviter["organization_id"])
    await log_in(http, base_url, inviter["email"])
    status, page, _ = await post_form(
        http, base_url, "/account/colleagues", {"email": member["email"], "language": "en"}, headers=EN
    )
    assert status == 400 and "already a member of your organization" in page
