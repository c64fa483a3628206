"""Errors that may pass by themselves (429, 500, 503) offer to try again, on a personal
link's page too, which has no account links to go on with (web/templates/error.html).
No route of the application fails on demand: an instance of it with routes that do."""

from __future__ import annotations

from aiohttp import web

from app.application import create_app
from app.localstack.processes import free_port
from tests.forms import csrf_from
from tests.integration.channel_support import new_client
from tests.serving import serving


async def busy(request: web.Request) -> web.Response:
    raise web.HTTPTooManyRequests()


async def broken(request: web.Request) -> web.Response:
    raise RuntimeError("a bug")


async def down(request: web.Request) -> web.Response:
    raise web.HTTPServiceUnavailable()


async def test_a_passing_error_offers_to_try_again_and_a_lasting_one_does_not(settings):
    port = free_port()
    app = create_app(settings.model_copy(update={"app": settings.app.model_copy(update={"port": port})}))
    app.router.add_get("/c/{token}/busy", busy)
    app.router.add_get("/c/{token}/broken", broken)
    app.router.add_post("/c/{token}/down", down)
    app.router.add_get("/{anywhere:.*}/busy-anywhere", busy)
    async with serving(app, port) as url, new_client() as http:
        html = {"Accept": "text/html"}
        async with http.get(f"{url}/c/abc/busy?x=1", headers={**html, "Accept-Language": "sv"}) as response:
            page = await response.text()
        assert response.status == 429
        assert "Vänta en liten stund och försök sedan igen." in page
        assert '<a href="/c/abc/busy?x=1">Försök igen</a>' in page
        async with http.get(f"{url}/c/abc/broken", headers={**html, "Accept-Language": "en"}) as response:
            page = await response.text()
        assert response.status == 500
        assert "It may work again in a moment." in page and '<a href="/c/abc/broken">Try again</a>' in page
        # A form sent is not sent again by a link: back to it.
        csrf = await csrf_from(http, f"{url}/login")
        form = {"csrf_token": csrf}
        async with http.post(
            f"{url}/c/abc/down", data=form, headers={**html, "Accept-Language": "en"}
        ) as response:
            page = await response.text()
        assert response.status == 503
        assert "Go back to the previous page and send it again." in page and "Try again</a>" not in page
        # A path that begins with two slashes stays on this site.
        async with http.get(f"{url}//c/abc/busy", headers=html) as response:
            page = await response.text()
        assert 'href="//' not in page
        async with http.get(f"{url}/\\evil.example/busy-anywhere", headers=html) as response:
            page = await response.text()
        assert response.status == 429
        # (sent encoded, as a browser sends it: a path of this site)
        assert '<a href="/%5Cevil.example/busy-anywhere">' in page and 'href="//' not in page
        # Not found lasts: nothing to try again.
        async with http.get(f"{url}/c/abc/nothing-here", headers=html) as response:
            page = await response.text()
        assert response.status == 404 and "Try again" not in page and "Försök igen" not in page
