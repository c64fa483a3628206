"""Every page a browser test opens is watched for Content-Security-Policy violations: the
`securitypolicyviolation` events of the page and its frames, and Chromium's console errors
about the policy. The `new_page` fixture (conftest.py) fails the test if any was seen.

Playwright's wait_for_function runs its predicate through eval inside the page, which the
policy refuses (no 'unsafe-eval', rightly); page.evaluate goes through DevTools and is not
subject to it. So watched pages wait by polling page.evaluate instead, and the policy under
test stays exactly what the application sends."""

from __future__ import annotations

import asyncio
import functools

from playwright.async_api import Error, TimeoutError

# Runs before any of the page's own scripts, in every frame; DevTools adds it, so the page's
# policy does not apply to it. The binding reports to the test.
_LISTEN = """document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.href}:${event.lineNumber}`);
}, true);"""
_GONE = ("Execution context was destroyed", "Cannot find context", "navigation")


async def wait_for_function(
    page,
    expression: str,
    arg=None,
    *,
    timeout: float = 30000,
    polling: float = 100,
    unloading: tuple[type[Exception], ...] = (),
) -> None:
    """page.wait_for_function(expression, arg=…, timeout=…) without eval in the page.
    `unloading`: what else the driver raises when the page goes away under a question
    (WebKitGTK's WebDriver: tests/browser/webkit.py); asked again of the next page."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout / 1000
    while True:
        try:
            if await page.evaluate(expression, arg):
                return
        except Error as error:  # a navigation meanwhile: ask the new document
            if not any(text in error.message for text in _GONE):
                raise
        except unloading:
            pass
        if loop.time() > deadline:
            raise TimeoutError(f"wait_for_function: {timeout} ms exceeded: {expression[:200]}")
        await asyncio.sleep(polling / 1000)


class PolicyWatch:
    def __init__(self):
        self.violations: list[str] = []

    async def attach(self, context) -> None:
        await context.expose_binding(
            "__reportCspViolation",
            lambda source, text: self.violations.append(f"{source['frame'].url}: {text}"),
        )
        await context.add_init_script(_LISTEN)
        context.on("page", self.page)
        for page in context.pages:
            self.page(page)

    def page(self, page):
        """Watch a page (again: no harm); returns it."""
        if not getattr(page, "_csp_watched", False):
            page._csp_watched = True
            page.on("console", lambda message: self._console(page, message))
            page.wait_for_function = functools.partial(wait_for_function, page)
        return page

    def _console(self, page, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{page.url}: console: {message.text}")
