"""The test harness: a real stack, started once per run on free loopback ports.

PostgreSQL (a throwaway cluster), Janus with the rendered templates, the SMTP mail catcher
and the application itself, all on ports chosen at random, in a temporary folder that is
removed afterwards: two runs never collide and nothing is left behind.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import ClientSession, CookieJar

from app.application import create_app
from app.keys import JANUS
from app.settings import Settings
from tests.hangs import is_timeout, tasks_report
from tests.serving import serving
from tests.stacks import throwaway_stack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def stack():
    with throwaway_stack("snabb-test-") as local:
        yield local


@pytest.fixture(scope="session")
def settings(stack) -> Settings:
    return stack.settings()


@pytest_asyncio.fixture(scope="session")
async def app_server(stack, settings):
    """The application on the port Janus's event handler posts to."""
    app = create_app(settings)
    app.router.add_static("/test-pages", ROOT / "tests" / "pages")
    async with serving(app, settings.app.port):
        await app[JANUS].connections["janus1"].wait_ready(20)
        yield app


@pytest.fixture(scope="session")
def base_url(settings) -> str:
    return settings.app.public_url


@pytest_asyncio.fixture
async def http(app_server):
    # unsafe=True: keep cookies for an IP address host (127.0.0.1) like a browser does.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        yield session


@pytest_asyncio.fixture
async def db(stack):
    connection = await asyncpg.connect(stack.environ["DATABASE_URL"])
    try:
        yield connection
    finally:
        await connection.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if is_timeout(call):
        report.sections.append(("asyncio tasks at the timeout", tasks_report()))
    return report
