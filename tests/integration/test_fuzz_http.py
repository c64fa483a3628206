"""Odd requests to every route of the application: no 500 for anything a client can send,
and no traceback in the log.

Every route of `app.router` is sent odd paths, methods, bodies and headers, as an anonymous
visitor, a logged-in employer (with a valid CSRF token, so the fuzz reaches past the CSRF
check into the handlers), a candidate and an interviewer with their link sessions. After
each request: no 5xx, no error or traceback in the log, and a refused request (4xx) changed
nothing in the database (tests/integration/fuzz_support.py says what may change and why).

Bounded for CI (tests/integration/fuzz_support.py FUZZ_SETTINGS): derandomized, the same
requests on every run; FUZZ_EXAMPLES and FUZZ_SEED=random run it longer and differently.
The realtime sockets' frames have a fuzz of their own (test_fuzz_live.py).
"""

from __future__ import annotations

import re

import asyncpg
import pytest
import pytest_asyncio
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.application import create_app
from app.passwords import hash_password
from app.settings import load_settings
from tests.integration.fuzz_inputs import METHODS, bodies, headers, paths
from tests.integration.fuzz_support import (
    EXAMPLES,
    FUZZ_SETTINGS,
    Database,
    LogWatch,
    changed_tables,
    request_bytes,
    send_raw,
)
from tests.integration.fuzz_world import IDENTITIES, make_world

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
FIELD_NAME = re.compile(rb'name="([^"]{1,60})"')


def routes_of_the_application() -> list[str]:
    """The canonical path of every resource of app.router, read at collection time from an
    application made with settings for listing only (create_app connects to nothing until it
    starts): each route is a test of its own, so a new route is fuzzed as much as any."""
    listing_secret = "route-listing-secret-of-thirty-two-characters"
    settings = load_settings(
        {
            "SNABB_APP_ENV": "test",
            "DATABASE_URL": "postgresql://fuzz@127.0.0.1/none",
            "SNABB_APP_SECRET_KEY": listing_secret,
            "SNABB_JANUS_ADMIN_SECRET": listing_secret,
            "SNABB_JANUS_ROOM_ADMIN_KEY": listing_secret,
            "SNABB_JANUS_EVENT_SECRET": listing_secret,
        }
    )
    return sorted({resource.canonical for resource in create_app(settings).router.resources()})


ROUTES = routes_of_the_application()
# Added by tests/conftest.py for the browser tests: not the application's.
TEST_ONLY_ROUTES = {"/test-pages"}


class Fuzz:
    """The state the examples share: the world, the routes, the field names, the digests."""

    def __init__(self, app, settings, db):
        self.app, self.settings, self.db = app, settings, db
        self.port = settings.app.port
        self.secret = settings.app.secret_key.get_secret_value()
        self.janus_password = settings.janus.event_secret.get_secret_value()
        self.logs = LogWatch()
        # One path may be several resources (a GET and a POST registered apart): by path,
        # with the methods of them all.
        self.resources, methods = {}, {}
        for resource in app.router.resources():
            self.resources.setdefault(resource.canonical, resource)
            methods.setdefault(resource.canonical, set()).update(r.method for r in resource)
        self.methods = {name: sorted(found) for name, found in methods.items()}
        assert set(self.resources) - TEST_ONLY_ROUTES == set(ROUTES)
        self.world = None
        self.fresh_world_needed = True

    async def start(self) -> None:
        self.database = await Database.of(self.db)
        self.password_hash = hash_password("ett-långt-lösenord-42")
        await self.ready()
        self.field_names = sorted(await self.harvest_field_names())

    async def ready(self):
        if self.fresh_world_needed:
            self.world = await make_world(self.db, self.port, self.secret, self.password_hash)
            self.fresh_world_needed = False
        return self.world

    async def harvest_field_names(self) -> set[str]:
        """The field names of every form the application serves to any of the visitors."""
        names: set[str] = set()
        for identity in IDENTITIES:
            cookie = "; ".join(f"{k}={v}" for k, v in self.world.cookies[identity].items())
            for name, resource in self.resources.items():
                info = resource.get_info()
                path = info.get("path") or info.get("formatter")
                if path is None or "GET" not in self.methods[name]:
                    continue
                for token in self.world.tokens[:2]:
                    target = re.sub(r"\{format\}", "", path)
                    target = re.sub(r"\{(\w*token)\}", token, target)
                    target = re.sub(
                        r"\{(\w+)_id\}", lambda m: str((self.world.ids.get(m[1]) or [1])[0]), target
                    )
                    target = target.replace("{code}", "sv")
                    page = await send_raw(
                        self.port,
                        request_bytes("GET", target.encode(), [("Cookie", cookie.encode())], b"", self.port),
                    )
                    names |= {n.decode("utf-8", "replace") for n in FIELD_NAME.findall(page.body)}
        assert {"email", "password", "title", "pin", "code"} <= names, names
        return names


@pytest_asyncio.fixture(scope="module")
async def fuzz(app_server, settings, stack):
    db = await asyncpg.connect(stack.environ["DATABASE_URL"])
    state = Fuzz(app_server, settings, db)
    try:
        with state.logs:
            await state.start()
            yield state
    finally:
        # The wrong tries from 127.0.0.1 would slow down the log-ins and PINs of the tests
        # after this (README "Limits on guessing").
        await db.execute("DELETE FROM guess_client WHERE client LIKE 'address:%'")
        await db.execute("DELETE FROM guess_secret")
        await db.close()


@st.composite
def odd_requests(draw, fuzz: Fuzz, route: str):
    world, resource = fuzz.world, fuzz.resources[route]
    method = draw(st.one_of(st.sampled_from(fuzz.methods[route]), st.sampled_from(METHODS)))
    identity = draw(st.sampled_from(IDENTITIES))
    csrf = world.csrf[identity]
    target = draw(paths(resource, world))
    content_type, body = draw(bodies(fuzz.field_names, csrf))
    found = draw(headers(world.cookies[identity], csrf, fuzz.janus_password))
    if content_type is not None:
        found.append(("Content-Type", content_type.encode("utf-8")))
    return identity, method, target, found, body


@pytest.mark.parametrize("route", ROUTES)
@hypothesis_settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES // len(ROUTES), 5))
@given(data=st.data())
async def test_every_route_survives_odd_requests(fuzz, route, data):
    await fuzz.ready()
    identity, method, target, found, body = data.draw(odd_requests(fuzz, route), label="request")
    before = await fuzz.database.digests()
    response = await send_raw(fuzz.port, request_bytes(method, target, found, body, fuzz.port))
    after = await fuzz.database.digests()
    trouble = fuzz.logs.trouble()
    event(f"{identity} {method in SAFE_METHODS and 'read' or 'write'} {response.status}")
    assert response.status < 500, f"{response.status} for {method} {target!r}: {response.body[:300]!r}"
    assert not trouble, "\n".join(trouble)
    if 400 <= response.status < 500:
        assert not changed_tables(before, after), (
            f"refused with {response.status}, yet changed {changed_tables(before, after)}"
        )
    elif method.upper() not in SAFE_METHODS or changed_tables(before, after):
        fuzz.fresh_world_needed = True  # it may have logged out, deleted, cancelled...
