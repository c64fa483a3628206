"""Security headers on every kind of response (README, "Security headers and logs"), and templates
without inline script, style or event handlers, which the Content-Security-Policy refuses."""

from __future__ import annotations

import re

import aiohttp
import pytest

from app.application import create_app
from app.headers import SECURITY_HEADERS
from app.i18n import TEMPLATES_DIR
from app.localstack.processes import free_port
from app.settings import load_settings
from tests.integration.channel_support import new_client, sign_in_candidate
from tests.integration.live_support import make_live_event
from tests.serving import serving

# (method, path, extra request headers): a page, errors raised as exceptions (as a page and
# as JSON), a static file, a JSON endpoint, and a form refused by the CSRF check.
RESPONSES = [
    ("GET", "/", {}),
    ("GET", "/no/such/page", {"Accept": "text/html"}),
    ("GET", "/no/such/page", {"Accept": "application/json"}),
    ("GET", "/c/AbCdEfGhIjKlMnOpQrStUv/ws", {}),
    ("PUT", "/", {}),
    ("GET", "/static/css/site.css", {}),
    ("GET", "/healthz", {}),
    ("GET", "/texts/en.json", {}),
    ("POST", "/login", {"Accept": "text/html"}),
]
UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


def directives(policy: str) -> dict[str, str]:
    return {
        part.split()[0]: part.strip()[len(part.split()[0]) :].strip()
        for part in policy.split(";")
        if part.strip()
    }


def assert_strict_policy(policy: str, settings) -> None:
    found = directives(policy)
    assert found["default-src"] == "'none'"
    assert found["script-src"] == "'self'" and found["style-src"] == "'self'"
    assert found["frame-ancestors"] == "'none'" and found["base-uri"] == "'none'"
    assert found["form-action"] == "'self'" and found["object-src"] == "'none'"
    for server in settings.janus.servers:
        assert server.public_url.rstrip("/") in found["connect-src"].split()
    assert "unsafe" not in policy


@pytest.mark.parametrize(("method", "path", "headers"), RESPONSES)
async def test_every_kind_of_response_has_the_headers(http, base_url, settings, method, path, headers):
    async with http.request(method, f"{base_url}{path}", headers=headers) as response:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (name, response.status)
        assert_strict_policy(response.headers["Content-Security-Policy"], settings)
        # The public URL of the test stack is http: no HSTS (browsers ignore it there anyway).
        assert "Strict-Transport-Security" not in response.headers


async def test_a_websocket_handshake_has_them_too(base_url, settings, db):
    live = await make_live_event(db, interviewers=1, candidates=1)
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        async with http.get(f"{base_url}/c/{token}/ws", headers=UPGRADE) as response:
            assert response.status == 101
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert_strict_policy(response.headers["Content-Security-Policy"], settings)


async def test_https_public_url_adds_hsts(stack):
    port = free_port()
    settings = load_settings(
        dict(stack.environ, SNABB_APP_PORT=str(port), SNABB_APP_PUBLIC_URL="https://intervju.example.se")
    )
    async with serving(create_app(settings), port) as base, aiohttp.ClientSession() as http:
        for path in ("/", "/static/css/site.css", "/no/such/page"):
            async with http.get(f"{base}{path}") as response:
                assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# What the policy forbids in a page: inline script (a data block of type application/json is
# not script and stays allowed), <style>, style="…" and on…="…" handlers. Mails and the PDF
# are not pages: mail clients need inline styles, and the PDF is never served as HTML.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    r"|<style\b|\sstyle=|\son[a-z]+=",
    re.IGNORECASE,
)
# summary/_totals.html sets column widths only when the PDF asks for them.
NOT_PAGES = ("mail/", "summary/pdf.html", "summary/_totals.html")


def test_templates_have_no_inline_script_or_style():
    found = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        name = path.relative_to(TEMPLATES_DIR).as_posix()
        if name.startswith(NOT_PAGES):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []
