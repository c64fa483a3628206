"""Headless Firefox (Debian's firefox-esr) for the browser tests, with a fake camera and
microphone: puppeteer-core drives it over WebDriver BiDi from a Node process of its own
(firefox_bridge.mjs), and FirefoxPage offers the part of Playwright's Page the cross-browser
tests use (goto, click, fill, evaluate, wait_for_function, wait_for_selector, screenshot), so
one test body drives a Chromium page and a Firefox page alike.

Like the Chromium pages (csp.py), every page is watched for Content-Security-Policy
violations: the `firefox_page` fixture fails the test if one was seen."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio

from tests.browser.csp import wait_for_function

ROOT = Path(__file__).resolve().parents[2]
BRIDGE = Path(__file__).with_name("firefox_bridge.mjs")
NODE_MODULES = ROOT / "web" / "node_modules"
# Fake media, no permission prompt: what --use-fake-device-for-media-stream and
# --use-fake-ui-for-media-stream are to Chromium (tests/browser/conftest.py).
PREFS = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    # As Chromium's --autoplay-policy=no-user-gesture-required: the tests click through
    # puppeteer, but a reload must not lose the sound either.
    "media.autoplay.default": 0,
    # Firefox's own test audio device: without a sound card (a CI machine) its AudioContext
    # never leaves "suspended", and the device check's level meter would stay still.
    "media.cubeb.force_mock_context": True,
}
TIMEOUT_MS = 30000


def firefox_path() -> str:
    path = shutil.which("firefox-esr") or shutil.which("firefox")
    if path is None:
        pytest.fail("Firefox not found: scripts/test installs the Debian package firefox-esr")
    return path


class Firefox:
    """One Firefox, driven through the bridge process."""

    def __init__(self, process: asyncio.subprocess.Process, version: str):
        self.process = process
        self.version = version
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future] = {}
        self.csp_violations: list[str] = []
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def launch(cls, prefs: dict | None = None, wrap=lambda argv: argv) -> Firefox:
        """`prefs` on top of PREFS; `wrap` turns the bridge's argv into the one to run (e.g.
        inside a network namespace: tests/netns.py Namespace.exec_argv)."""
        options = {
            "modules": str(NODE_MODULES),
            "executablePath": firefox_path(),
            "prefs": {**PREFS, **(prefs or {})},
        }
        process = await asyncio.create_subprocess_exec(
            *wrap(["node", str(BRIDGE), json.dumps(options)]),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**24,
        )
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if not line:
            raise RuntimeError("the Firefox bridge did not start (see stderr)")
        ready = json.loads(line)
        return cls(process, ready["text"])

    async def _read(self) -> None:
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if "id" in message:
                future = self.waiting.pop(message["id"], None)
                if future and not future.done():
                    if "error" in message:
                        future.set_exception(FirefoxError(message["error"]))
                    else:
                        future.set_result(message["result"])
            elif message["event"] == "csp":
                self.csp_violations.append(message["text"])
            else:  # shown by pytest when the test fails
                print(f"firefox {message['event']}: {message.get('text')}")
        for future in self.waiting.values():
            future.set_exception(FirefoxError("the Firefox bridge has exited"))
        self.waiting.clear()

    async def call(self, op: str, **arguments):
        number = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.waiting[number] = future
        self.process.stdin.write((json.dumps({"id": number, "op": op, **arguments}) + "\n").encode())
        await self.process.stdin.drain()
        return await future

    async def new_page(
        self,
        base_url: str,
        *,
        viewport: dict | None = None,
        cookies: list[dict] | None = None,
        init_scripts: list[str] | None = None,
    ) -> FirefoxPage:
        """`init_scripts` run before the page's own scripts in every document it loads."""
        number = await self.call(
            "newPage", viewport=viewport, cookies=cookies or [], initScripts=init_scripts or []
        )
        return FirefoxPage(self, number, base_url)

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # gone already: the process is ended below
            await asyncio.wait_for(self.call("close"), 30)
        if self.process.returncode is None:
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.reader.cancel()


class FirefoxError(Exception):
    pass


class FirefoxPage:
    """A person's Firefox window (a browser context of its own), with Playwright's names."""

    browser_name = "firefox"

    def __init__(self, firefox: Firefox, number: int, base_url: str):
        self.firefox = firefox
        self.number = number
        self.base_url = base_url

    async def _call(self, op: str, **arguments):
        try:
            return await self.firefox.call(op, page=self.number, **arguments)
        except FirefoxError:
            # What the page showed when a step failed, for the failure report.
            folder = os.environ.get("SNABB_SHOTS")
            if folder and op != "screenshot":
                with contextlib.suppress(FirefoxError):
                    path = Path(folder) / f"firefox-failed-{self.number}-{op}.png"
                    await self.firefox.call("screenshot", page=self.number, path=str(path), fullPage=True)
                    print(
                        f"firefox: {op} failed on {await self.evaluate('location.href')}, screenshot {path}"
                    )
            raise

    async def goto(self, url: str):
        return await self._call("goto", url=url if "://" in url else self.base_url + url)

    async def evaluate(self, expression: str, arg=None):
        return await self._call("evaluate", expression=expression, arg=arg)

    async def run_script(self, source: str) -> None:
        await self._call("runScript", source=source)

    async def wait_for_function(
        self, expression: str, arg=None, *, timeout: float = TIMEOUT_MS, polling: float = 100
    ) -> None:
        await wait_for_function(self, expression, arg, timeout=timeout, polling=polling)

    async def click(self, selector: str, *, timeout: float = TIMEOUT_MS) -> None:
        await self._call("click", selector=selector, timeout=timeout)

    async def check(self, selector: str, *, timeout: float = TIMEOUT_MS) -> None:
        await self.click(selector, timeout=timeout)
        assert await self.evaluate("(s) => document.querySelector(s).checked", selector)

    async def fill(self, selector: str, value: str, *, timeout: float = TIMEOUT_MS) -> None:
        await self._call("fill", selector=selector, value=value, timeout=timeout)

    async def wait_for_selector(self, selector: str, *, timeout: float = TIMEOUT_MS) -> None:
        await self._call("waitForSelector", selector=selector, timeout=timeout)

    async def inner_text(self, selector: str) -> str:
        return await self.evaluate("(s) => document.querySelector(s).innerText", selector)

    async def screenshot(self, *, path: str, full_page: bool = False) -> None:
        await self._call("screenshot", path=path, fullPage=full_page)

    async def add_cookies(self, cookies: list[dict]) -> None:
        await self._call("addCookies", cookies=cookies)

    async def close(self) -> None:
        await self._call("closePage")


@asynccontextmanager
async def windows(firefox: Firefox, base_url: str):
    """Yields `make(**options)`: a new Firefox window of its own (a person) at `base_url`.
    Closes them afterwards; fails if any broke the Content-Security-Policy."""
    pages = []
    seen = len(firefox.csp_violations)

    async def make(**options) -> FirefoxPage:
        page = await firefox.new_page(base_url, **options)
        pages.append(page)
        return page

    yield make
    for page in pages:
        try:
            await page.close()
        except FirefoxError:
            pass
    assert firefox.csp_violations[seen:] == [], "Content-Security-Policy violations"


@pytest_asyncio.fixture(scope="session")
async def firefox():
    browser = await Firefox.launch()
    try:
        yield browser
    finally:
        await browser.close()


@pytest_asyncio.fixture
async def firefox_page(firefox, app_server, base_url):
    """Firefox windows of their own on the test stack (127.0.0.1), one a person."""
    async with windows(firefox, base_url) as make:
        yield make
