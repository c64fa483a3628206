"""The test harness: a real stack, started once per run on free loopback ports.

PostgreSQL (a throwaway cluster), Janus with the rendered templates, the SMTP mail catcher
and the application itself, all on ports chosen at random, in a temporary folder that is
removed afterwards: two runs never collide and nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import ClientSession, CookieJar

from app.application import create_app
from app.keys import JANUS
from app.localstack.processes import free_port
from app.localstack.stack import LocalStack
from app.settings import Settings
from tests.hangs import is_timeout, tasks_report
from tests.serving import serving

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def stack():
    state_dir = Path(tempfile.mkdtemp(prefix="snabb-test-"))
    os.chmod(state_dir, 0o755)  # PostgreSQL runs as an unprivileged user and must enter it
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SNABB_") and k != "DATABASE_URL"}
    local = LocalStack(state_dir, free_port(), env_name="test", throwaway=True, base_environ=environ)
    local.start()
    try:
        yield local
    finally:
        local.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


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
