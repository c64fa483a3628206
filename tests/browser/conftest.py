"""Headless Chromium (Debian's) with a fake camera and microphone, driven by Playwright; Firefox's
fixtures come from firefox.py, WebKit's from webkit.py."""

from __future__ import annotations

import shutil

import pytest
import pytest_asyncio
from playwright.async_api import async_playwright

from tests.browser.csp import PolicyWatch
from tests.browser.firefox import firefox, firefox_page  # noqa: F401 - fixtures
from tests.browser.webkit import webkit_page, xvfb  # noqa: F401 - fixtures

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # Media stays on 127.0.0.1: Chromium offers loopback candidates only with this switch.
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium not found: scripts/test installs the Debian package chromium")
    return path


@pytest_asyncio.fixture(scope="session")
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
def csp_watch() -> PolicyWatch:
    """The Content-Security-Policy violations of this test's pages (tests/browser/csp.py)."""
    return PolicyWatch()


@pytest_asyncio.fixture
async def new_page(browser, app_server, base_url, csp_watch):
    """Pages in contexts of their own: each one is a separate person's browser. No page may
    break the Content-Security-Policy: the test fails if one does."""
    contexts = []

    async def make(**options):
        context = await browser.new_context(
            base_url=base_url, permissions=["camera", "microphone"], **options
        )
        contexts.append(context)
        await csp_watch.attach(context)
        return csp_watch.page(await context.new_page())

    try:
        yield make
    finally:
        for context in contexts:
            await context.close()
    assert csp_watch.violations == [], "Content-Security-Policy violations"
