"""Password reset and colleague invitations, with the mails caught by a real SMTP server."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from aiohttp import ClientSession, CookieJar

from app.auth.links import RESETS_PER_HOUR
from tests.accounts import (
    PASSWORD,
    confirmation_link,
    fresh_log_in_limits,  # noqa: F401 (a fixture)
    log_in,
    log_out,
    sign_up,
    try_log_in,
)
from tests.forms import get_page, post_form
from tests.mails import caught, html_of, link_in, text_of, unique_email, wait_for_mail

pytestmark = pytest.mark.usefixtures("fresh_log_in_limits")

EN = {"Accept-Language": "en"}
NEW_PASSWORD = "ett nytt långt lösenord"


async def ask_for_reset(http, base_url, email, headers=EN):
    return await post_form(http, base_url, "/password/forgot", {"email": email}, headers=headers)


async def test_a_forgotten_password_is_reset_by_the_mailed_link(http, base_url, settings, db):
    user = await sign_up(http, base_url, settings, language="en")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        await log_in(other, base_url, user["email"], user["password"])
        await log_out(http, base_url)
        status, _, headers = await ask_for_reset(http, base_url, user["email"].upper())
        assert status == 303 and headers["Location"] == "/password/forgot?sent=1"
        [mail] = await wait_for_mail(settings.mail.catcher_dir, user["email"])
        assert mail["Subject"] == "Choose a new password for Snabbintervjuer"
        assert "Hello Åsa Öberg," in text_of(mail) and "60 minutes" in text_of(mail)
        link = link_in(text_of(mail), base_url, "/password/reset/")
        assert link in html_of(mail)
        token = link.rsplit("/", 1)[1]
        # Only a hash of the token is kept.
        stored = await db.fetchval(
            "SELECT token_hash FROM password_reset r JOIN app_user u ON u.id = r.user_id WHERE u.email = $1",
            user["email"],
        )
        assert len(stored) == 32 and token.encode() not in stored

        status, page = await get_page(http, link)
        assert status == 200 and user["email"] in page and '<html lang="en">' in page
        status, page, _ = await post_form(
            http,
            base_url,
            link[len(base_url) :],
            {"password": "kort", "password_confirm": "kort"},
            headers=EN,
        )
        assert status == 400 and "Use at least 10 characters." in page  # the link still works
        status, _, headers = await post_form(
            http,
            base_url,
            link[len(base_url) :],
            {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        )
        assert status == 303 and headers["Location"] == "/account?done=reset"
        status, page = await get_page(http, f"{base_url}/account?done=reset", headers=EN)
        assert status == 200 and "Your new password is saved" in page  # logged in
        async with other.get(f"{base_url}/account", allow_redirects=False) as response:
            assert response.status == 303  # everywhere else logged out
    # The link worked once.
    status, page = await get_page(http, link, headers=EN)
    assert status == 404 and "This link no longer works" in page
    await log_out(http, base_url)
    assert (await try_log_in(http, base_url, user["email"], user["password"]))[0] == 400
    assert (await try_log_in(http, base_url, user["email"], NEW_PASSWORD))[0] == 303


async def test_the_answer_never_tells_whether_an_account_exists(http, base_url, db, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    nobody = unique_email("nobody")
    answers = []
    for email in (user["email"], nobody):
        status, _, headers = await ask_for_reset(http, base_url, email)
        answers.append((status, headers["Location"]))
    assert answers[0] == answers[1] == (303, "/password/forgot?sent=1")
    _, page = await get_page(http, f"{base_url}/password/forgot?sent=1", headers=EN)
    assert "If there is an account with that e-mail address" in page
    assert await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = $1", nobody) == 0


async def test_the_answer_comes_before_the_account_is_looked_up(http, base_url, db, settings):
    """Looked up and mailed before the answer, a reset took longer for an address with an
    account: timing the answers told who had one. With the account's row held by another
    transaction, the answer comes all the same, and the mail once the row is free."""
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    holder = await asyncpg.connect(settings.database.url.get_secret_value())
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM app_user WHERE email = $1 FOR UPDATE", user["email"])
            async with asyncio.timeout(15):  # it would wait for the row as long as it is held
                status, _, headers = await ask_for_reset(http, base_url, user["email"])
            assert (status, headers["Location"]) == (303, "/password/forgot?sent=1")
            assert not caught(settings.mail.catcher_dir, user["email"], subject="new password")
    finally:
        await holder.close()
    await wait_for_mail(settings.mail.catcher_dir, user["email"], subject="new password")


async def test_a_reset_link_expires_and_is_limited_per_hour(http, base_url, settings, db):
    user = await sign_up(http, base_url, settings, language="sv")
    await log_out(http, base_url)
    for _ in range(RESETS_PER_HOUR + 2):
        assert (await ask_for_reset(http, base_url, user["email"]))[0] == 303
    mails = await wait_for_mail(settings.mail.catcher_dir, user["email"], RESETS_PER_HOUR)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM mail_outbox WHERE to_address = $1 AND template = 'password_reset'",
            user["email"],
        )
        == RESETS_PER_HOUR
    )
    # The mail is in the account's language (signed up in Swedish).
    assert await db.fetchval(
        "SELECT array_agg(DISTINCT language) FROM mail_outbox WHERE to_address = $1", user["email"]
    ) == ["sv"]
    assert mails[0]["Subject"] == "Välj ett nytt lösenord till Snabbintervjuer"
    link = link_in(text_of(mails[0]), base_url, "/password/reset/")
    await db.execute(
        "UPDATE password_reset SET expires_at = now() - interval '1 second' "
        "WHERE user_id = (SELECT id FROM app_user WHERE email = $1)",
        user["email"],
    )
    status, page = await get_page(http, link)
    assert status == 404 and "Skicka en ny länk" in page  # the browser chose Swedish


async def test_no_reset_mail_for_a_disabled_user_and_bad_input_is_explained(http, base_url, db, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    await db.execute("UPDATE app_user SET disabled = true WHERE email = $1", user["email"])
    assert (await ask_for_reset(http, base_url, user["email"]))[0] == 303
    assert (
        await db.fetchval(
            "SELECT count(*) FROM password_reset r JOIN app_user u ON u.id = r.user_id WHERE u.email = $1",
            user["email"],
        )
        == 0
    )
    status, page, _ = await ask_for_reset(http, base_url, "inte en adress")
    assert status == 400 and "Enter an e-mail address like name@example.se." in page
    assert 'value="inte en adress"' in page
    status, page = await get_page(http, f"{base_url}/password/reset/{'A' * 43}", headers=EN)
    assert status == 404 and "This link no longer works" in page


async def test_a_colleague_is_invited_by_mail_and_joins_the_organization(http, base_url, settings, db):
    inviter = await sign_up(http, base_url, settings, name="Inga Inbjudare", language="en")
    colleague = unique_email("colleague")
    status, _, headers = await post_form(
        http, base_url, "/account/colleagues", {"email": colleague, "language": "en"}
    )
    assert status == 303 and headers["Location"] == "/account/colleagues?done=invited"
    _, page = await get_page(http, f"{base_url}/account/colleagues?done=invited", headers=EN)
    assert colleague in page and "The invitation has been sent." in page
    [mail] = await wait_for_mail(settings.mail.catcher_dir, colleague)
    assert mail["Subject"] == f"Inga Inbjudare invites you to {inviter['organization']} on Snabbintervjuer"
    link = link_in(text_of(mail), base_url, "/invitation/")
    assert link in html_of(mail) and "7 days" in text_of(mail)

    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as invited:
        status, page = await get_page(invited, link)
        assert status == 200 and '<html lang="en">' in page  # the mail's language
        assert colleague in page and inviter["organization"] in page
        status, page, _ = await post_form(
            invited,
            base_url,
            link[len(base_url) :],
            {"name": "", "password": PASSWORD, "password_confirm": PASSWORD},
        )
        assert status == 400 and "Enter your name." in page
        status, _, headers = await post_form(
            invited,
            base_url,
            link[len(base_url) :],
            {"name": "Kalle Kollega", "password": PASSWORD, "password_confirm": PASSWORD},
        )
        assert status == 303 and headers["Location"] == "/events"
        status, page = await get_page(invited, f"{base_url}/account")
        assert status == 200 and "Kalle Kollega" in page and inviter["organization"] in page
        status, page = await get_page(invited, link, headers=EN)
        assert status == 404  # once only
    same = await db.fetchval(
        "SELECT count(DISTINCT organization_id) FROM app_user WHERE email = ANY($1::text[])",
        [inviter["email"], colleague],
    )
    assert same == 1
    _, page = await get_page(http, f"{base_url}/account/colleagues")
    assert "Kalle Kollega" in page


async def test_invitations_can_be_withdrawn_and_not_sent_to_existing_accounts(http, base_url, db, settings):
    user = await sign_up(http, base_url, settings, language="en")
    status, page, _ = await post_form(
        http, base_url, "/account/colleagues", {"email": user["email"], "language": "sv"}, headers=EN
    )
    assert status == 400 and "This person is already a member of your organization." in page
    status, page, _ = await post_form(
        http, base_url, "/account/colleagues", {"email": "fel@", "language": "sv"}, headers=EN
    )
    assert status == 400 and 'value="fel@"' in page
    colleague = unique_email("withdrawn")
    await post_form(http, base_url, "/account/colleagues", {"email": colleague, "language": "sv"})
    invitation_id = await db.fetchval("SELECT id FROM colleague_invitation WHERE email = $1", colleague)
    # Someone in another organization cannot touch it.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as stranger:
        await sign_up(stranger, base_url, settings, language="en")
        status, _, _ = await post_form(
            stranger,
            base_url,
            f"/account/colleagues/{invitation_id}/withdraw",
            {},
            form_page="/account/colleagues",
            headers={"Accept": "text/html"},
        )
        assert status == 404
    status, _, headers = await post_form(
        http, base_url, f"/account/colleagues/{invitation_id}/withdraw", {}, form_page="/account/colleagues"
    )
    assert status == 303
    assert await db.fetchval(
        "SELECT withdrawn_at IS NOT NULL FROM colleague_invitation WHERE id = $1", invitation_id
    )
    _, page = await get_page(http, f"{base_url}/account/colleagues")
    assert colleague not in page


async def test_an_inviter_disabled_since_cannot_join_through_their_own_invitation(
    http, base_url, settings, db
):
    """A disabled account's open invitations no longer open the organization: the inviter
    could have invited an address of their own and made themselves a new account."""
    from app import provision

    inviter = await sign_up(http, base_url, settings, language="en")
    own = unique_email("own-address")
    await post_form(http, base_url, "/account/colleagues", {"email": own, "language": "en"})
    [mail] = await wait_for_mail(settings.mail.catcher_dir, own)
    link = link_in(text_of(mail), base_url, "/invitation/")
    await provision.set_disabled(db, inviter["email"], True)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as invited:
        status, _ = await get_page(invited, link, headers=EN)
        assert status == 404
        status, _, _ = await post_form(
            invited,
            base_url,
            link[len(base_url) :],
            {"name": "Ny Identitet", "password": PASSWORD, "password_confirm": PASSWORD},
            form_page="/login",
        )
        assert status != 303
    assert not await db.fetchval("SELECT count(*) FROM app_user WHERE email = $1", own)


async def test_a_dotted_capital_i_does_not_reach_an_account_under_another_count(http, base_url, db):
    """PostgreSQL's lower() (glibc) folds "İ" to "i", Python's to "i̇": the account was found
    by the one while the limits on guessing counted the other, a fresh count per spelling."""
    from tests.accounts import make_user

    user = await make_user(db, email=unique_email("kristina"))
    spelled = user["email"].replace("i", "\u0130", 1)
    assert spelled != user["email"]
    status, _, _ = await try_log_in(http, base_url, spelled, PASSWORD)
    assert status != 303
    await log_in(http, base_url, user["email"], PASSWORD)


async def test_the_pages_of_mailed_account_links_are_kept_by_no_cache(http, base_url, settings):
    """A new password's page, a colleague's invitation and a sign-up's confirmation show
    whom the link is for (an address, a name, an organization) to a browser not logged in:
    no cache may keep them, not only the pages of those logged in."""
    email = unique_email("cache")
    status, _, _ = await post_form(
        http,
        base_url,
        "/signup",
        {
            "organization": "Cacheföretaget AB",
            "name": "Cecilia Cache",
            "email": email,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert status == 303
    links = [await confirmation_link(settings, base_url, email)]
    user = await sign_up(http, base_url, settings, language="en")
    colleague = unique_email("cache-colleague")
    await post_form(http, base_url, "/account/colleagues", {"email": colleague, "language": "en"})
    [mail] = await wait_for_mail(settings.mail.catcher_dir, colleague)
    links.append(link_in(text_of(mail), base_url, "/invitation/"))
    await log_out(http, base_url)
    await ask_for_reset(http, base_url, user["email"])
    [mail] = await wait_for_mail(settings.mail.catcher_dir, user["email"])
    links.append(link_in(text_of(mail), base_url, "/password/reset/"))
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as visitor:
        for link in links:
            async with visitor.get(link) as response:
                page = await response.text()
                assert response.status == 200, link
                assert response.headers["Cache-Control"] == "private, no-store", link
            assert email in page or colleague in page or user["email"] in page, link
