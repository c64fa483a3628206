"""Pages, language choice, error pages and the small JSON endpoints, over real HTTP."""

from __future__ import annotations

import base64
import json

import pytest


async def get_text(http, url, **kwargs):
    async with http.get(url, **kwargs) as response:
        return response.status, await response.text(), response


async def test_landing_page_in_swedish_by_default(http, base_url):
    status, html, _ = await get_text(http, f"{base_url}/")
    assert status == 200
    assert '<html lang="sv">' in html
    assert "Snabba videointervjuer med en gemensam kö" in html
    assert 'href="/lang/en?next=/"' in html


async def test_landing_page_follows_accept_language(http, base_url):
    status, html, _ = await get_text(http, f"{base_url}/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in html
    assert "Speed video interviews, one shared queue" in html


async def test_language_switch_sets_a_cookie_and_returns(http, base_url):
    async with http.get(f"{base_url}/lang/en?next=/%3Fx%3D1", allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/?x=1"
        cookie = response.cookies["lang"]
        assert cookie.value == "en" and cookie["samesite"] == "Lax"
    status, html, _ = await get_text(http, f"{base_url}/", headers={"Accept-Language": "sv"})
    assert '<html lang="en">' in html  # the cookie wins over the header


async def test_language_switch_never_redirects_away(http, base_url):
    async with http.get(f"{base_url}/lang/sv?next=//evil.example/", allow_redirects=False) as response:
        assert response.headers["Location"] == "/"
    status, _, _ = await get_text(http, f"{base_url}/lang/xx", headers={"Accept": "text/html"})
    assert status == 404


@pytest.mark.parametrize("language, title", [("sv", "Sidan finns inte"), ("en", "Page not found")])
async def test_not_found_page_in_the_users_language(http, base_url, language, title):
    status, html, response = await get_text(
        http, f"{base_url}/no/such/page", headers={"Accept": "text/html", "Accept-Language": language}
    )
    assert status == 404 and title in html and f'lang="{language}"' in html
    # The page's title names the error in words, as its heading does (WCAG 2.4.2).
    assert f"<title>{title} – Snabbintervjuer</title>" in html
    assert f"<h1>{title}</h1>" in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path, help_text",
    [
        ("/c/no-such-token", "i mejlet du fick när du anmälde dig"),
        ("/r/no-such-invitation", "länken i inbjudan du fick"),
        ("/i/no-such-token", "En intervjuare som tagits bort från intervjutillfället har fått mejl om det"),
    ],
)
async def test_a_wrong_link_from_a_mail_says_to_check_it_without_log_in_links(
    http, base_url, path, help_text
):
    status, html, _ = await get_text(
        http, base_url + path, headers={"Accept": "text/html", "Accept-Language": "sv"}
    )
    assert status == 404 and "<h1>Sidan finns inte</h1>" in html
    assert help_text in html and 'id="link-help"' in html
    # Candidates and interviewers have no account: no employer controls, no start page.
    assert 'href="/login"' not in html and 'href="/signup"' not in html
    assert "Gå till startsidan" not in html and "Felkod 404." in html


async def test_an_unknown_page_elsewhere_keeps_the_account_links(http, base_url):
    status, html, _ = await get_text(
        http, f"{base_url}/no/such/page", headers={"Accept": "text/html", "Accept-Language": "en"}
    )
    assert status == 404 and 'href="/login"' in html and "Go to the start page" in html
    assert "link-help" not in html


@pytest.mark.parametrize(
    "path, back",
    [
        ("/c/some-token/cancel", "/c/some-token/cancel"),  # its own page: the cancel confirmation
        ("/c/some-token/language", "/c/some-token"),  # no page of its own: the personal page
        ("/c/some-token", "/c/some-token"),
        ("/r/some-invitation", "/r/some-invitation"),
        ("/i/some-token", "/i/some-token"),
    ],
)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_an_expired_form_on_a_link_leads_back_to_its_page(http, base_url, path, back, language):
    async with http.post(
        base_url + path,
        data={"pin": "123456"},
        headers={"Accept": "text/html", "Accept-Language": language, "Referer": "https://evil.example/"},
        allow_redirects=False,
    ) as response:
        assert response.status == 403
        html = await response.text()
    assert ("Formuläret hade gått ut" if language == "sv" else "The form had expired") in html
    assert f'<a href="{back}" id="back-to-page">' in html
    assert ("Tillbaka till sidan" if language == "sv" else "Back to the page") in html
    assert "evil.example" not in html
    assert 'href="/login"' not in html and 'href="/signup"' not in html
    assert ("Gå till startsidan" if language == "sv" else "Go to the start page") not in html


async def test_an_expired_form_elsewhere_keeps_the_account_links(http, base_url):
    async with http.post(
        f"{base_url}/login",
        data={"email": "x@example.com"},
        headers={"Accept": "text/html", "Accept-Language": "en"},
    ) as response:
        assert response.status == 403
        html = await response.text()
    assert 'href="/login"' in html and "Go to the start page" in html and "back-to-page" not in html


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_janus_events_need_the_shared_secret(http, base_url, settings):
    url = f"{base_url}/janus/events"
    secret = settings.janus.event_secret.get_secret_value()
    events = json.dumps([{"type": 1, "timestamp": 1, "session_id": 5, "event": {"name": "created"}}])
    for header in (None, basic("janus", "wrong"), basic("other", secret), "Basic !!!", "Bearer x"):
        headers = {"Authorization": header} if header else {}
        async with http.post(url, data=events, headers=headers) as response:
            assert response.status == 401
    async with http.post(url, data=events, headers={"Authorization": basic("janus", secret)}) as response:
        assert response.status == 204
    for bad in ("not json", json.dumps([{"no": "type"}]), json.dumps("text"), "[1, 2]"):
        async with http.post(url, data=bad, headers={"Authorization": basic("janus", secret)}) as response:
            assert response.status == 400


async def test_join_rejects_bad_input_without_a_500(http, base_url):
    url = f"{base_url}/api/join"
    cases = [
        ("not json", 400),
        (json.dumps([]), 400),
        (json.dumps({"ticket": 5}), 400),
        (json.dumps({"ticket": "x" * 5000}), 400),
        (json.dumps({"ticket": "a.b.c"}), 403),
        (json.dumps({}), 400),
    ]
    for body, expected in cases:
        async with http.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
            assert response.status == expected, body
            assert (await response.json())["error"]


async def test_dev_mail_page_only_in_development(http, base_url):
    status, _, _ = await get_text(http, f"{base_url}/dev/mail", headers={"Accept": "text/html"})
    assert status == 404  # the test stack runs as env "test"
