"""The live sockets' Origin check (app/live/channel.py same_origin): the site's own origin,
scheme, host and port, also behind the TLS proxy, where the request itself came over http."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from app.keys import SETTINGS
from app.live.channel import same_origin
from app.settings import load_settings
from tests.unit.test_mail_message import SECRETS


def request_with(public_url: str, origin: str, host: str) -> web.Request:
    app = web.Application()
    app[SETTINGS] = load_settings(dict(SECRETS, SNABB_APP_PUBLIC_URL=public_url))
    return make_mocked_request("GET", "/c/x/ws", headers={"Origin": origin, "Host": host}, app=app)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://snabb.example.se", True),
        ("HTTPS://Snabb.Example.SE:443", True),
        # The same host over plain http: another origin, though the proxy spoke http to us.
        ("http://snabb.example.se", False),
        ("https://snabb.example.se:8443", False),
        ("https://snabb.example.se.evil.example", False),
        ("null", False),
        ("http://[", False),
    ],
)
def test_behind_the_tls_proxy_only_the_https_site_is_the_sites_own(origin, allowed):
    assert same_origin(request_with("https://snabb.example.se", origin, "snabb.example.se")) is allowed


def test_a_plain_http_site_and_the_address_it_was_reached_at():
    assert same_origin(request_with("http://127.0.0.1:8080", "http://127.0.0.1:8080", "127.0.0.1:8080"))
    assert same_origin(request_with("http://127.0.0.1:8080", "http://192.0.2.7:8080", "192.0.2.7:8080"))
    assert not same_origin(request_with("http://127.0.0.1:8080", "https://127.0.0.1:8080", "127.0.0.1:8080"))
