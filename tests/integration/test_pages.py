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
