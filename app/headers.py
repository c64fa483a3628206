"""Security headers on every response (README, "Security headers and logs").

Set in `on_response_prepare`, the one hook every response of the application passes through:
pages, errors raised as exceptions, static files and WebSocket handshakes alike. A handler
that needs another policy (the caught mail's HTML part, shown in a frame) sets its own
header first; what is already set is kept.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from app.keys import JANUS, SETTINGS
from app.settings import Settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # Camera and microphone only for this site; the call pages need them.
    "Permissions-Policy": "camera=(self), microphone=(self), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"
# A personal answer: no shared cache may keep it, nor the browser's own.
PRIVATE_NO_STORE = {"Cache-Control": "private, no-store"}
CSP = "Content-Security-Policy"


class CurrentPolicy:
    """The policy, made again only when the fleet's public URLs change."""

    def __init__(self) -> None:
        self._made_for: tuple[str, ...] | None = None
        self._policy = ""

    def current(self, app: web.Application) -> str:
        urls = tuple(app[JANUS].public_urls()) if JANUS in app else ()
        if urls != self._made_for:
            self._policy = content_security_policy(app[SETTINGS], janus_urls=urls)
            self._made_for = urls
        return self._policy


POLICY = web.AppKey("content_security_policy", CurrentPolicy)


def janus_origins(settings: Settings, janus_urls: tuple[str, ...] = ()) -> list[str]:
    """Where browsers open the Janus WebSocket (the URL /api/join hands out): its origin,
    scheme, host and port, so any path on that server is allowed. `janus_urls`: the fleet's
    public URLs as this process follows it (a server added while the service runs,
    app/janus/fleet.py), besides the settings' ones."""
    origins = []
    for public_url in [*janus_urls, *(s.public_url for s in settings.janus.servers)]:
        parts = urlsplit(public_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


def content_security_policy(settings: Settings, janus_urls: tuple[str, ...] = (), **extra: str) -> str:
    """Scripts and styles from this site only, nothing inline; the browser may connect to
    this site and the Janus servers; video comes from the camera and the other side's stream
    (blob: and mediastream: for browsers that attach a stream by URL). `extra` adds or
    replaces directives: frame_src="'self'"."""
    directives = {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        # data: for the empty favicon in base.html
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": " ".join(["'self'", *janus_origins(settings, janus_urls)]),
        "media-src": "blob: mediastream:",
        "manifest-src": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    directives.update({name.replace("_", "-"): value for name, value in extra.items()})
    return "; ".join(f"{name} {value}" for name, value in directives.items())


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    settings = request.app[SETTINGS]
    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault(CSP, request.app[POLICY].current(request.app))
    if settings.app.public_url.startswith("https://"):
        headers.setdefault("Strict-Transport-Security", HSTS)


def install(app: web.Application) -> None:
    app[POLICY] = CurrentPolicy()
    app.on_response_prepare.append(add_security_headers)
