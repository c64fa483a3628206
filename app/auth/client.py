"""Where a request comes from and whether it came over https, proxy-aware.

Behind the reverse proxy of docker-compose.yml every connection comes from the proxy, so
the log-in limits would count all users as one address; with `app.trust_proxy_headers`
the proxy's X-Forwarded-For and X-Forwarded-Proto are believed instead. Without it they are
ignored: a client could write anything there.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

from app.keys import SETTINGS

UNKNOWN_ADDRESS = "unknown"


def _valid_address(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def client_address(request: web.Request) -> str:
    if request.app[SETTINGS].app.trust_proxy_headers:
        forwarded = request.headers.get("X-Forwarded-For", "")
        # The last entry is the one our proxy wrote; earlier ones came from the client.
        if address := _valid_address(forwarded.rsplit(",", 1)[-1]):
            return address
    return _valid_address(request.remote) or UNKNOWN_ADDRESS


def is_https(request: web.Request) -> bool:
    settings = request.app[SETTINGS].app
    if request.secure or settings.public_url.startswith("https://"):
        return True
    return settings.trust_proxy_headers and request.headers.get("X-Forwarded-Proto", "").lower() == "https"
