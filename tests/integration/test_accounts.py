"""Sign-up, log-in, log-out, sessions, the account page and CSRF, over real HTTP."""

from __future__ import annotations

import pytest
from yarl import URL

from app.auth.sessions import COOKIE as SESSION_COOKIE
from tests.accounts import (
    PASSWORD,
    fresh_log_in_limits,  # noqa: F401 (a fixture)
    log_in,
    log_out,
    sign_up,
    try_log_in,
)
from tests.forms import csrf_in, get_page, post_form
from tests.mails import unique_email

pytestmark = pytest.mark.usefixtures("fresh_log_in_limits")

HTML = {"Accept": "text/html"}


def replace_cookie(http, base_url: str, name: str, value: str) -> None:
    http.cookie_jar.clear(lambda cookie: cookie.key == name)
    http.cookie_jar.update_cookies({name: value}, response_url=URL(base_url))


async def test_sign_up_creates_organization_and_user_and_logs_in(http, base_url, db, settings):
    email = unique_email("signup")
    user = await sign_up(
        http,
        base_url,
        settings,
        email=email.upper(),
        name="Åsa Öberg",
        organization="Åkeriet & Co AB",
        language="en",
    )
    row = await db.fetchrow(
        """SELECT u.name, u.email, u.language, u.password_hash, o.name AS organization
           FROM app_user u JOIN organization o ON o.id = u.organization_id
           WHERE lower(u.email) = $1""",
        email,
    )
    assert row["name"] == "Åsa Öberg" and row["organization"] == "Åkeriet & Co AB"
    assert row["language"] == "en"
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    status, page = await get_page(http, f"{base_url}/account")
    assert status == 200
    assert "Åsa Öberg" in page and "Åkeriet &amp; Co AB" in page
    assert 'action="/logout"' in page  # the header's log-out button
    assert user["email"] == email.upper()


async def test_session_cookie_is_httponly_lax_and_signed(http, base_url, settings):
    await sign_up(http, base_url, settings, organization="Cookie AB", name="Kaka")
    cookie = [c for c in http.cookie_jar if c.key == SESSION_COOKIE][0]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie.value.count(".") == 2
    assert not cookie["secure"]  # plain http on loopback; https gets Secure
    # A tampered cookie is no session.
    tampered = cookie.value[:-6] + ("AAAAAA" if not cookie.value.endswith("AAAAAA") else "BBBBBB")
    replace_cookie(http, base_url, SESSION_COOKIE, tampered)
    async with http.get(f"{base_url}/account", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/login?next=/account"


async def test_the_same_email_cannot_sign_up_twice_in_any_case(http, base_url, db, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    count = await db.fetchval("SELECT count(*) FROM organization")
    status, page, headers = await post_form(
        http,
        base_url,
        "/signup",
        {
            "organization": "Andra AB",
            "name": "Bertil",
            "email": user["email"].upper(),
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
        headers={"Accept-Language": "en"},
    )
    # The same answer as for a new address (test_accounts_enumeration.py); the owner is mailed.
    assert status == 303 and headers["Location"] == "/signup/sent"
    assert PASSWORD not in page  # never the password
    assert await db.fetchval("SELECT count(*) FROM organization") == count
    assert (
        await db.fetchval("SELECT count(*) FROM signup_request WHERE lower(email) = lower($1)", user["email"])
        == 0
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "not-an-address", "Enter an e-mail address like name@example.se."),
        ("email", "", "Enter the e-mail address."),
        ("organization", "", "Enter the name of your organization."),
        ("organization", "x" * 201, "At most 200 characters."),
        ("name", "   ", "Enter your name."),
        ("name", "Nul\x00byte", "This holds a hidden character, often from pasted text: type it in again."),
        ("password", "kort", "Use at least 10 characters."),
        ("password_confirm", "något annat helt", "The two passwords are not the same."),
    ],
)
async def test_bad_sign_up_comes_back_with_a_message_beside_the_field(
    http, base_url, db, field, value, message
):
    email = unique_email("bad")
    form = {
        "organization": "Felet AB",
        "name": "Fel Felsson",
        "email": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        field: value,
    }
    status, page, _ = await post_form(http, base_url, "/signup", form, headers={"Accept-Language": "en"})
    assert status == 400
    assert message in page
    error_field = "password_confirm" if field == "password_confirm" else field
    assert f'id="err-{error_field}"' in page and 'aria-describedby="' in page
    assert 'aria-invalid="true"' in page
    assert PASSWORD not in page
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE email = $1", email) == 0


async def test_sign_up_errors_in_swedish(http, base_url):
    status, page, _ = await post_form(
        http, base_url, "/signup", {"email": "fel"}, headers={"Accept-Language": "sv"}
    )
    assert status == 400 and '<html lang="sv">' in page
    assert "Skriv en e-postadress som namn@exempel.se." in page
    assert "Skriv namnet på din organisation." in page


async def test_log_in_and_out(http, base_url, settings):
    user = await sign_up(http, base_url, settings, language="en")
    assert await log_out(http, base_url) == 303
    async with http.get(f"{base_url}/account", allow_redirects=False) as response:
        assert response.status == 303
    status, _, headers = await try_log_in(http, base_url, user["email"].upper(), user["password"])
    assert status == 303 and headers["Location"] == "/events"
    status, page = await get_page(http, f"{base_url}/account")
    assert status == 200 and user["email"] in page


async def test_log_in_returns_to_a_local_next_page_only(http, base_url, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    for next_path, expected in (
        ("/account?x=1", "/account?x=1"),
        ("//evil.example/", "/events"),
        ("https://evil.example/", "/events"),
    ):
        _, page = await get_page(http, f"{base_url}/login?next={next_path}")
        async with http.post(
            f"{base_url}/login",
            allow_redirects=False,
            data={
                "csrf_token": csrf_in(page),
                "email": user["email"],
                "password": user["password"],
                "next": next_path,
            },
        ) as response:
            assert response.status == 303 and response.headers["Location"] == expected
        await log_out(http, base_url)


async def test_wrong_password_and_unknown_email_get_the_same_answer(http, base_url, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    answers = []
    for email, password in ((user["email"], "fel lösenord här"), (unique_email(), PASSWORD)):
        status, page, _ = await post_form(
            http,
            base_url,
            "/login",
            {"email": email, "password": password},
            headers={"Accept-Language": "en"},
        )
        assert status == 400
        assert "The e-mail address or the password is wrong." in page
        assert f'value="{email}"' in page and password not in page
        answers.append(page.replace(email, "EMAIL").split('name="csrf_token"')[0])
    assert answers[0] == answers[1]


async def test_logging_out_ends_the_session_on_the_server(http, base_url, db, settings):
    await sign_up(http, base_url, settings, language="en")
    stolen = [c for c in http.cookie_jar if c.key == SESSION_COOKIE][0].value
    await log_out(http, base_url)
    replace_cookie(http, base_url, SESSION_COOKIE, stolen)  # a copy kept from before
    async with http.get(f"{base_url}/account", allow_redirects=False) as response:
        assert response.status == 303
        assert response.cookies[SESSION_COOKIE].value == ""  # the stale cookie is cleared


async def test_pages_and_calls_need_a_login(http, base_url):
    for path in ("/account", "/account/colleagues"):
        async with http.get(base_url + path, allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == f"/login?next={path}"
    async with http.get(
        f"{base_url}/account", headers={"Accept": "application/json"}, allow_redirects=False
    ) as response:
        assert response.status == 401


async def test_state_changes_without_the_csrf_token_are_refused(http, base_url, db, settings):
    user = await sign_up(http, base_url, settings, language="sv")
    for data, headers in (
        ({}, HTML),
        ({"csrf_token": "forged"}, HTML),
        ({"csrf_token": ""}, {"Accept": "application/json"}),
    ):
        async with http.post(
            f"{base_url}/account/language",
            data=dict(data, language="en"),
            headers=headers,
            allow_redirects=False,
        ) as response:
            assert response.status == 403
            body = await response.text()
            if headers is HTML:
                assert "Formuläret hade gått ut" in body
    assert await db.fetchval("SELECT language FROM app_user WHERE email = $1", user["email"]) == "sv"
    # A token from another session does not do either.
    _, page = await get_page(http, f"{base_url}/account")
    other_token = csrf_in(page)
    await log_out(http, base_url)
    await log_in(http, base_url, user["email"], user["password"])
    async with http.post(
        f"{base_url}/account/language",
        allow_redirects=False,
        data={"csrf_token": other_token, "language": "en"},
    ) as response:
        assert response.status == 403
    # The header works as well as the field, for scripts.
    _, page = await get_page(http, f"{base_url}/account")
    async with http.post(
        f"{base_url}/account/language",
        allow_redirects=False,
        data={"language": "en"},
        headers={"X-CSRF-Token": csrf_in(page)},
    ) as response:
        assert response.status == 303


async def test_anonymous_forms_need_the_cookie_bound_token(http, base_url, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await log_out(http, base_url)
    async with http.post(
        f"{base_url}/login",
        allow_redirects=False,
        data={"email": user["email"], "password": user["password"]},
    ) as response:
        assert response.status == 403
    # A token copied from another browser is no good without that browser's cookie.
    _, page = await get_page(http, f"{base_url}/login")
    http.cookie_jar.clear()
    async with http.post(
        f"{base_url}/login",
        allow_redirects=False,
        data={"csrf_token": csrf_in(page), "email": user["email"], "password": user["password"]},
    ) as response:
        assert response.status == 403


async def test_change_password_needs_the_current_one_and_logs_out_other_browsers(
    http, base_url, app_server, settings
):
    from aiohttp import ClientSession, CookieJar

    user = await sign_up(http, base_url, settings, language="en")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        await log_in(other, base_url, user["email"], user["password"])
        assert (await get_page(other, f"{base_url}/account"))[0] == 200
        new = "ett helt nytt lösenord"

        async def change(current: str, password: str):
            return await post_form(
                http,
                base_url,
                "/account/password",
                {"current_password": current, "password": password, "password_confirm": password},
                form_page="/account",
                headers={"Accept-Language": "en"},
            )

        status, page, _ = await change("inte det rätta", new)
        assert status == 400 and "That is not your current password." in page
        # Bytes that were not UTF-8 come to the form as U+FFFD: such a password, kept, would
        # be the same one whatever was sent.
        status, page, _ = await change(user["password"], "ett nytt l\ufffd\ufffdsenord")
        assert (
            status == 400
            and "This holds a hidden character, often from pasted text: type it in again." in page
        )
        status, _, headers = await change(user["password"], new)
        assert status == 303 and headers["Location"] == "/account?done=password"
        assert (await get_page(http, f"{base_url}/account"))[0] == 200  # this browser stays in
        async with other.get(f"{base_url}/account", allow_redirects=False) as response:
            assert response.status == 303  # the other one is out
    await log_out(http, base_url)
    assert (await try_log_in(http, base_url, user["email"], user["password"]))[0] == 400
    assert (await try_log_in(http, base_url, user["email"], new))[0] == 303


async def test_choosing_the_language_saves_it_and_switches_the_pages(http, base_url, db, settings):
    user = await sign_up(http, base_url, settings, language="sv")
    status, _, headers = await post_form(
        http, base_url, "/account/language", {"language": "en"}, form_page="/account"
    )
    assert status == 303 and headers["Location"] == "/account?done=language"
    assert await db.fetchval("SELECT language FROM app_user WHERE email = $1", user["email"]) == "en"
    _, page = await get_page(http, f"{base_url}/account?done=language")
    assert '<html lang="en">' in page and "Your language has been saved." in page
    status, page, _ = await post_form(
        http, base_url, "/account/language", {"language": "de"}, form_page="/account"
    )
    assert status == 400 and "Choose Swedish or English." in page


async def test_disabled_user_cannot_log_in_and_loses_the_session(http, base_url, db, settings):
    user = await sign_up(http, base_url, settings, language="en")
    await db.execute("UPDATE app_user SET disabled = true WHERE email = $1", user["email"])
    async with http.get(f"{base_url}/account", allow_redirects=False) as response:
        assert response.status == 303
    status, page, _ = await post_form(
        http,
        base_url,
        "/login",
        {"email": user["email"], "password": user["password"]},
        headers={"Accept-Language": "en"},
    )
    assert status == 400 and "This account has been disabled." in page
    status, page, _ = await post_form(
        http,
        base_url,
        "/login",
        {"email": user["email"], "password": "fel lösenord här"},
        headers={"Accept-Language": "en"},
    )
    assert status == 400 and "disabled" not in page  # only the right password learns it


async def test_log_in_page_redirects_when_already_logged_in(http, base_url, settings):
    await sign_up(http, base_url, settings, language="en")
    async with http.get(f"{base_url}/login?next=/account", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "path",
    [
        "/signup",
        "/login",
        "/password/forgot",
        "/account/password",
        "/account/colleagues",
        "/password/reset/x",
        "/invitation/x",
    ],
)
async def test_odd_posts_never_give_a_500(http, base_url, path, settings):
    await sign_up(http, base_url, settings, language="en")
    _, page = await get_page(http, f"{base_url}/account")
    token = csrf_in(page)
    bodies = [
        {"csrf_token": token, "email": ["a@b.se", "c@d.se"]},
        {"csrf_token": token, "email": "x" * 100_000, "password": "y" * 10_000},
        {"csrf_token": token, "language": "\x00", "name": "\x00\u202e", "password": "\x00" * 12},
    ]
    for body in bodies:
        async with http.post(base_url + path, data=body, allow_redirects=False, headers=HTML) as response:
            assert response.status < 500, (path, body)
    for raw in (b"email=%ED%A0%80&name=%FF%FE&password=%00", b"\xff\xfe=\xc3"):
        async with http.post(
            base_url + path,
            data=raw,
            allow_redirects=False,
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token, **HTML},
        ) as response:
            assert response.status < 500, (path, raw)
    async with http.post(
        base_url + path,
        data=b"\xff\xfe garbage",
        allow_redirects=False,
        headers={"Content-Type": "multipart/form-data; boundary=zz", "X-CSRF-Token": token, **HTML},
    ) as response:
        assert response.status < 500


async def test_a_log_out_from_a_tab_left_open_after_logging_out_is_done_not_refused(http, base_url, settings):
    await sign_up(http, base_url, settings, language="sv")
    _, page = await get_page(http, f"{base_url}/account")
    stale_token = csrf_in(page)  # the log-out button of a second tab
    assert await log_out(http, base_url) == 303
    async with http.post(
        f"{base_url}/logout", data={"csrf_token": stale_token}, allow_redirects=False, headers=HTML
    ) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/login?done=logged_out"
    # Logged in, a log-out with a wrong token is still refused: it is not the person's own.
    await sign_up(http, base_url, settings, language="sv")
    async with http.post(
        f"{base_url}/logout", data={"csrf_token": stale_token}, allow_redirects=False, headers=HTML
    ) as response:
        assert response.status == 403
    status, _ = await get_page(http, f"{base_url}/account")
    assert status == 200


async def test_a_form_address_asked_with_get_goes_to_the_forms_page(http, base_url, settings):
    """A refused password change is drawn at /account/password: the language switch, a reload
    of the address or Enter in the address bar then asks for it with GET."""
    await sign_up(http, base_url, settings, language="sv")
    status, page, _ = await post_form(
        http,
        base_url,
        "/account/password",
        {"current_password": "fel-lösenord", "new_password": "x" * 12, "confirm_password": "x" * 12},
        form_page="/account",
    )
    assert status == 400
    for path, page_of_the_form in (
        ("/account/password", "/account"),
        ("/account/language", "/account"),
        ("/account/colleagues/12/withdraw", "/account/colleagues"),
        ("/events/7/publish", "/events/7"),
        ("/events/7/candidates/3/resend", "/events/7"),
        ("/events/7/interviewers/3/reissue", "/events/7"),
        ("/c/ab%2F..%2Fcd/language", "/c/ab%2F..%2Fcd"),  # one segment, as it came
        ("/logout", "/"),
    ):
        async with http.get(f"{base_url}{path}", allow_redirects=False, headers=HTML) as response:
            assert (response.status, response.headers["Location"]) == (303, page_of_the_form), path
    # Still logged in: a GET of the log-out's address changes nothing.
    status, _ = await get_page(http, f"{base_url}/account")
    assert status == 200


async def test_a_colleague_who_left_is_disabled_from_the_colleagues_page(http, base_url, db, settings):
    """Asked first; then out at once (their session ends) and no log-in, the events stay;
    usable again with one press. Not one's own account, nor another organization's."""
    from aiohttp import ClientSession, CookieJar

    from tests.accounts import make_user

    admin = await sign_up(http, base_url, settings)
    organization_id = await db.fetchval(
        "SELECT organization_id FROM app_user WHERE email = $1", admin["email"]
    )
    leaver = await make_user(db, organization_id=organization_id, name="Lämnar Snart")
    stranger = await make_user(db, name="Annan Organisation")
    own_id = await db.fetchval("SELECT id FROM app_user WHERE email = $1", admin["email"])
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as theirs:
        await log_in(theirs, base_url, leaver["email"])
        status, page = await get_page(http, f"{base_url}/account/colleagues")
        assert f'href="/account/colleagues/{leaver["id"]}/disable"' in page
        assert f"/account/colleagues/{own_id}/disable" not in page
        status, page = await get_page(http, f"{base_url}/account/colleagues/{leaver['id']}/disable")
        assert status == 200 and "Stänga av kontot för Lämnar Snart?" in page
        for other in (own_id, stranger["id"]):
            status, _ = await get_page(http, f"{base_url}/account/colleagues/{other}/disable")
            assert status == 404
        status, page, _ = await post_form(
            http,
            base_url,
            f"/account/colleagues/{leaver['id']}/disable",
            {},
            form_page=f"/account/colleagues/{leaver['id']}/disable",
        )
        assert status == 303
        assert await db.fetchval("SELECT disabled FROM app_user WHERE id = $1", leaver["id"]) is True
        async with theirs.get(f"{base_url}/events", allow_redirects=False) as response:
            assert response.status == 303 and "/login" in response.headers["Location"]  # out at once
        status, page, _ = await try_log_in(theirs, base_url, leaver["email"])
        assert status == 400
        status, page = await get_page(http, f"{base_url}/account/colleagues?done=disabled")
        assert "Kontot är avstängt" in page and "Aktivera igen" in page
        status, _, _ = await post_form(
            http, base_url, f"/account/colleagues/{leaver['id']}/enable", {}, form_page="/account/colleagues"
        )
        assert status == 303
        await log_in(theirs, base_url, leaver["email"])
    assert await db.fetchval("SELECT disabled FROM app_user WHERE id = $1", stranger["id"]) is False


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_form_sent_after_logging_out_elsewhere_says_to_copy_the_text_and_log_in_again(
    http, base_url, db, settings, language
):
    """The form of a new event, open in one tab, sent after a log-out in another: nothing is
    made, and the page does not advise a reload (which would empty the form) but copying what
    was typed, and leads to the log-in, which comes back to the form."""
    user = await sign_up(http, base_url, settings, language=language)
    _, page = await get_page(http, f"{base_url}/events/new")
    token = csrf_in(page)
    await log_out(http, base_url)
    async with http.post(
        f"{base_url}/events/new",
        data={"csrf_token": token, "title": "Säljare", "job_description": "En lång text."},
        headers={"Accept": "text/html", "Accept-Language": language},
        allow_redirects=False,
    ) as response:
        assert response.status == 403
        body = await response.text()
    said = {
        "sv": ("Formuläret hade gått ut", "du är inte längre inloggad", "kopiera det", "Logga in igen"),
        "en": ("The form had expired", "you are no longer logged in", "copy it", "Log in again"),
    }[language]
    assert all(words in body for words in said), body
    assert '<a href="/login?next=/events/new" id="log-in-again">' in body
    assert "reload the page, and send" not in body
    assert not await db.fetchval(
        "SELECT count(*) FROM event e JOIN app_user u ON u.organization_id = e.organization_id WHERE u.email = $1",
        user["email"],
    )


async def test_a_button_sent_after_logging_out_elsewhere_logs_in_again_to_the_page_above(
    http, base_url, db, settings
):
    """A button's form goes to an address that is no page (/account/password, an event's
    Publish): Log in again comes back to the page above it, where the button was."""
    await sign_up(http, base_url, settings, language="en")
    _, page = await get_page(http, f"{base_url}/account")
    token = csrf_in(page)
    await log_out(http, base_url)
    for path, above in (("/account/password", "/account"), ("/events/12345/publish", "/events/12345")):
        async with http.post(
            f"{base_url}{path}",
            data={"csrf_token": token},
            headers={"Accept": "text/html"},
            allow_redirects=False,
        ) as response:
            assert response.status == 403
            body = await response.text()
        assert f'<a href="/login?next={above}" id="log-in-again">' in body, path


async def test_the_account_page_says_how_to_have_the_account_erased(http, base_url, settings):
    """Erasure is the operator's (scripts/provision erase-person): the page says whom to ask."""
    await sign_up(http, base_url, settings, language="sv")
    _, page = await get_page(http, f"{base_url}/account")
    support = settings.app.support_email
    assert '<h2 id="erase-title">Radering av ditt konto</h2>' in page
    assert f'<a href="mailto:{support}">{support}</a> från den här adressen' in page
