"""A body in a character set nobody can decode is a 400 with a clear message on every route
that takes a body, in the user's language: a page for browsers, JSON for other clients."""

from __future__ import annotations

import re

import pytest
from aiohttp import web

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Tried in turn for each {variable} until the route's own pattern accepts the path.
FILLERS = ("1", "AbCdEfGhIjKlMnOpQrStUv-_12345678")
MESSAGES = {
    "sv": "Texten skickades i en teckenkodning som tjänsten inte känner till",
    "en": "The text was sent in a character encoding this service does not know",
}


def concrete_path(resource: web.AbstractResource) -> str:
    info = resource.get_info()
    if "path" in info:
        return info["path"]
    formatter, pattern = info["formatter"], info["pattern"]
    for filler in FILLERS:
        path = re.sub(r"\{[^}]+\}", filler, formatter)
        if pattern.fullmatch(path):
            return path
    raise AssertionError(f"no example path for {formatter}")


def body_routes(app: web.Application) -> list[tuple[str, str]]:
    routes = {
        (route.method, concrete_path(route.resource))
        for route in app.router.routes()
        if route.method in BODY_METHODS and route.resource is not None
    }
    return sorted(routes)


async def test_every_route_with_a_body_refuses_an_unknown_charset(app_server, http, base_url):
    routes = body_routes(app_server)
    assert len(routes) >= 16, routes
    failures = []
    for charset in ("x-unknown-zz", "rot13", "undefined"):
        content_type = f"application/x-www-form-urlencoded; charset={charset}"
        for method, path in routes:
            for language, accept in (("sv", "text/html"), ("en", "application/json")):
                headers = {"Content-Type": content_type, "Accept": accept, "Accept-Language": language}
                async with http.request(
                    method, f"{base_url}{path}", headers=headers, data=b"csrf_token=x&name=Eva"
                ) as response:
                    text = await response.text()
                    if response.status != 400 or MESSAGES[language] not in text:
                        failures.append((charset, method, path, language, response.status))
                    elif accept == "application/json":
                        assert (await response.json())["error"] == "unknown_charset"
                    else:
                        assert f'lang="{language}"' in text
                        assert response.headers["Content-Security-Policy"]
    assert failures == []


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=x-unknown-zz", "text/plain; charset=rot13"]
)
async def test_json_endpoints_refuse_it_too(http, base_url, content_type):
    async with http.post(
        f"{base_url}/api/join", data=b'{"ticket": "x"}', headers={"Content-Type": content_type}
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "unknown_charset"


async def test_a_known_charset_still_reaches_the_handler(http, base_url):
    # Latin-1 is a charset Python knows: the form is read, and the CSRF check refuses it.
    async with http.post(
        f"{base_url}/login",
        data="email=åsa@example.se".encode("latin-1"),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=latin-1", "Accept": "text/html"},
    ) as response:
        assert response.status == 403
