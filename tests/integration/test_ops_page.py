"""The operations page and the operator role (README, "Operations page")."""
from __future__ import annotations

import datetime as dt

from aiohttp import ClientSession, CookieJar

from app import provision
from tests.accounts import sign_up
from tests.candidate_support import make_event


async def test_only_operators_see_servers_live_events_and_the_outbox(app_server, settings, base_url,
                                                                     db):
    live = await make_event(db, state="live", starts_in=-dt.timedelta(minutes=5),
                            title="Lagerdag i Örebro")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        async with http.get(f"{base_url}/ops", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"].startswith("/login")
        account = await sign_up(http, base_url, settings, language="sv")
        async with http.get(f"{base_url}/ops", headers={"Accept": "text/html"}) as response:
            assert response.status == 404  # an employer: no such page
        async with http.get(f"{base_url}/events") as response:
            assert 'href="/ops"' not in await response.text()

        said = await provision.set_operator(db, account["email"].upper(), True)
        assert "is now an operator" in said
        async with http.get(f"{base_url}/ops") as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "no-store"
            page = await response.text()
        assert "<h1>Drift</h1>" in page and 'href="/ops" aria-current="page"' in page
        assert "janus1" in page and "Uppe" in page
        assert "Lagerdag i Örebro" in page and f"#{live['id']}" in page
        assert "ingen intervjuar" in page  # nobody connected to the live event
        assert "Väntar på att skickas" in page

        await provision.set_operator(db, account["email"], False)
        async with http.get(f"{base_url}/ops", headers={"Accept": "text/html"}) as response:
            assert response.status == 404


async def test_provision_lists_live_events_and_refuses_unknown_users(db):
    live = await make_event(db, state="live", starts_in=-dt.timedelta(minutes=5),
                            title="Butiksdag")
    listed = await provision.list_live(db)
    assert f"Event {live['id']}: Butiksdag (" in listed
    assert "0 waiting, 0 away, 0 room(s) in use, 0 of 0 interviewer(s) connected" in listed
    try:
        await provision.set_operator(db, "nobody@example.org", True)
    except provision.ProvisionError as error:
        assert "no user has the e-mail address nobody@example.org" in str(error)
    else:
        raise AssertionError("an unknown user was made an operator")
