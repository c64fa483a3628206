"""The Content-Security-Policy in a real browser. Every browser test's pages are watched for
violations (tests/browser/csp.py, the new_page fixture), so the whole suite checks every page
in both languages and every live state; here: that the watch does see one, and the caught-mail
pages of development mode, which the test application does not have."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

import pytest

from app.application import create_app
from app.localstack.processes import free_port
from app.settings import load_settings
from tests.browser.csp import PolicyWatch
from tests.serving import serving

pytestmark = pytest.mark.browser


async def wait_for(condition, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)


async def test_inline_script_and_style_are_refused_and_seen(new_page, csp_watch):
    page = await new_page(extra_http_headers={"Accept-Language": "en"})
    await page.goto("/")
    await page.evaluate("""() => {
        document.body.setAttribute("style", "background: red");
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }""")
    await wait_for(lambda: len(csp_watch.violations) >= 2)
    assert await page.evaluate("window.injected") is None
    assert await page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    seen = "\n".join(csp_watch.violations)
    assert "style-src" in seen and "script-src" in seen
    csp_watch.violations.clear()  # seen as expected: the fixture's own check must pass


def send_mail(settings) -> None:
    message = EmailMessage()
    message["From"], message["To"] = settings.mail.sender, "asa@example.se"
    message["Subject"] = "Styled mail"
    message.set_content("Hej!")
    message.add_alternative('<p style="color:#1b3a6b" id="greeting">Hej Åsa!</p>', subtype="html")
    with smtplib.SMTP(settings.mail.smtp_host, settings.mail.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


async def test_caught_mail_shows_its_styled_html_without_a_violation(browser, stack):
    settings = load_settings(dict(stack.environ, SNABB_ENV="development", SNABB_APP_PORT=str(free_port())))
    send_mail(settings)
    watch = PolicyWatch()
    async with serving(create_app(settings), settings.app.port) as base:
        context = await browser.new_context(base_url=base)
        try:
            await watch.attach(context)
            page = await context.new_page()
            await page.goto("/dev/mail")
            await page.get_by_role("link", name="Styled mail").first.click()
            greeting = page.frame_locator("iframe.mail-html").locator("#greeting")
            await greeting.wait_for()
            assert await greeting.evaluate("e => getComputedStyle(e).color") == "rgb(27, 58, 107)"
        finally:
            await context.close()
    assert watch.violations == []
