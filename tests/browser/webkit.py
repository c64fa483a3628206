"""WebKit (Safari's engine) for the browser tests: Debian's WebKitGTK MiniBrowser under Xvfb,
driven by Selenium through WebKitWebDriver, with WebKit's mock camera and microphone.
WebKitPage offers the part of Playwright's Page the cross-browser tests use (goto, click,
fill, evaluate, wait_for_function, screenshot), as firefox.py does for Firefox.

Debian builds WebKitGTK without WebRTC (no RTCPeerConnection): a call cannot be made in it,
everything before the call can. Selenium is synchronous: each step runs in a thread, so the
test's event loop (and the application on it) keeps going."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import pytest_asyncio

from tests.browser.csp import wait_for_function

MINIBROWSER_PATHS = [
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser",
]
MINIBROWSER_ARGS = ["--automation", "--enable-media-stream=true", "--enable-mock-capture-devices=true"]
TIMEOUT_MS = 30000
# The same listener as the other engines' pages (csp.py), reporting into the page itself:
# WebDriver has no channel back. Read by `violations()` before each navigation and at the end.
_CSP_LISTENER = """
if (!window.__cspViolations) {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
  }, true);
}"""


def webkit_paths() -> tuple[str, str]:
    driver = shutil.which("WebKitWebDriver")
    browser = next((path for path in MINIBROWSER_PATHS if Path(path).exists()), None)
    if driver is None or browser is None or shutil.which("Xvfb") is None:
        pytest.fail("WebKit not found: scripts/test installs the Debian packages webkit2gtk-driver and xvfb")
    return driver, browser


class Xvfb:
    """A virtual X display of our own (the first free number, told by Xvfb itself), tall
    enough for a whole page: WebKitPage.screenshot makes the window as tall as the page."""

    def __init__(self):
        read, write = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x4000x24", "-nolisten", "tcp"],
            pass_fds=[write],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class WebKitPage:
    """One MiniBrowser (a WebDriver session: a person), with Playwright's names."""

    browser_name = "webkit"

    def __init__(self, driver, base_url: str):
        self.driver = driver
        self.base_url = base_url
        self.csp_violations: list[str] = []

    @classmethod
    async def open(cls, display: str, base_url: str, viewport: dict | None = None) -> WebKitPage:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        driver_path, browser_path = webkit_paths()
        options = Options()
        options.binary_location = browser_path
        for argument in MINIBROWSER_ARGS:
            options.add_argument(argument)
        service = Service(executable_path=driver_path, env={**os.environ, "DISPLAY": display})

        def start():
            driver = webdriver.WebKitGTK(options=options, service=service)
            driver.set_script_timeout(TIMEOUT_MS / 1000)
            if viewport:
                driver.set_window_size(viewport["width"], viewport["height"])
            return driver

        return cls(await asyncio.to_thread(start), base_url)

    async def _run(self, function, *args):
        return await asyncio.to_thread(function, *args)

    async def _collect_violations(self) -> None:
        found = await self._run(
            self.driver.execute_script, "return window.__cspViolations ? window.__cspViolations : [];"
        )
        if found:
            url = await self.url()
            self.csp_violations.extend(f"{url}: {text}" for text in found)

    async def url(self) -> str:
        return await self._run(lambda: self.driver.current_url)

    async def goto(self, url: str) -> None:
        await self._collect_violations()
        await self._run(self.driver.get, url if "://" in url else self.base_url + url)
        await self._watch()

    async def _watch(self) -> None:
        # After the load: a violation during the very first parse is missed (WebDriver can
        # run nothing earlier); the Chromium and Firefox tests see those.
        await self._run(self.driver.execute_script, _CSP_LISTENER)

    async def evaluate(self, expression: str, arg=None):
        source = expression.strip()
        if (
            source.startswith(("(", "async", "function"))
            and "=>" in source.split("{")[0]
            or source.startswith(("function", "async function"))
        ):
            script = f"return ({source}).apply(null, arguments);"
        else:
            script = f"return ({source});"
        return await self._run(self.driver.execute_script, script, arg)

    async def run_script(self, source: str) -> None:
        await self._run(self.driver.execute_script, source)

    async def wait_for_function(
        self, expression: str, arg=None, *, timeout: float = TIMEOUT_MS, polling: float = 100
    ) -> None:
        from selenium.common.exceptions import NoSuchFrameException

        # "Callback was not called before the unload event": the question met a navigation.
        await wait_for_function(
            self, expression, arg, timeout=timeout, polling=polling, unloading=(NoSuchFrameException,)
        )

    async def _element(self, selector: str, timeout: float):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.wait import WebDriverWait

        def find():
            return WebDriverWait(self.driver, timeout / 1000).until(
                expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, selector))
            )

        return await self._run(find)

    async def click(self, selector: str, *, timeout: float = TIMEOUT_MS) -> None:
        element = await self._element(selector, timeout)
        await self._run(element.click)

    async def check(self, selector: str, *, timeout: float = TIMEOUT_MS) -> None:
        await self.click(selector, timeout=timeout)

    async def fill(self, selector: str, value: str, *, timeout: float = TIMEOUT_MS) -> None:
        element = await self._element(selector, timeout)
        await self._run(element.clear)
        await self._run(element.send_keys, value)

    async def wait_for_selector(self, selector: str, *, timeout: float = TIMEOUT_MS) -> None:
        await self._element(selector, timeout)

    async def submit(self, selector: str) -> None:
        """Clicks a form's submit button and waits for the next page."""
        await self.evaluate("window.__leaving = true")
        await self.click(selector)
        await self.wait_for_function("!window.__leaving && document.readyState === 'complete'")
        await self._watch()

    async def screenshot(self, *, path: str, full_page: bool = False) -> None:
        # The window is made as tall as the page first: WebDriver shoots the viewport only.
        def shoot():
            size = self.driver.get_window_size()
            if full_page:
                height = self.driver.execute_script("return document.documentElement.scrollHeight;")
                self.driver.set_window_size(size["width"], max(size["height"], height + 100))
            self.driver.save_screenshot(path)
            self.driver.set_window_size(size["width"], size["height"])

        await self._run(shoot)

    async def add_cookie(self, cookie: dict) -> None:
        """A cookie for the site of the page shown (WebDriver's rule)."""
        await self._run(self.driver.add_cookie, cookie)

    async def close(self) -> None:
        try:
            await self._collect_violations()
        finally:
            await self._run(self.driver.quit)


@pytest.fixture(scope="session")
def xvfb():
    webkit_paths()
    display = Xvfb()
    try:
        yield display.display
    finally:
        display.stop()


@pytest_asyncio.fixture
async def webkit_page(xvfb, app_server, base_url):
    """MiniBrowsers of their own (one a person) on the test stack; fails the test if a page
    broke the Content-Security-Policy."""
    pages = []

    async def make(**options) -> WebKitPage:
        page = await WebKitPage.open(xvfb, base_url, **options)
        pages.append(page)
        return page

    try:
        yield make
    finally:
        violations = []
        for page in pages:
            await page.close()
            violations += page.csp_violations
    assert violations == [], "Content-Security-Policy violations"
