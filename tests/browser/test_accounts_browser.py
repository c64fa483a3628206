"""Sign-up, log-out and log-in in headless Chromium: Swedish and English, desktop and phone."""

from __future__ import annotations

import pytest

from tests.accounts import confirmation_link, fresh_log_in_limits  # noqa: F401 (a fixture)
from tests.browser.axe import VIEWPORTS
from tests.mails import unique_email

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_log_in_limits")]

TEXT = {
    "sv": {
        "create": "Skapa konto",
        "organization": "Organisation",
        "name": "Ditt namn",
        "email": "E-postadress",
        "password": "Lösenord",
        "repeat": "Upprepa lösenordet",
        "log_in": "Logga in",
        "log_out": "Logga ut",
        "logged_out": "Du har loggat ut.",
        "wrong": "E-postadressen eller lösenordet är fel.",
        "events": "Dina snabbintervjuer",
        "short": "Använd minst 10 tecken.",
        "check": "Titta i din e-post",
        "confirm": "Skapa mitt konto",
    },
    "en": {
        "create": "Create account",
        "organization": "Organization",
        "name": "Your name",
        "email": "E-mail address",
        "password": "Password",
        "repeat": "Repeat the password",
        "log_in": "Log in",
        "log_out": "Log out",
        "logged_out": "You have logged out.",
        "wrong": "The e-mail address or the password is wrong.",
        "events": "Your speed interviews",
        "short": "Use at least 10 characters.",
        "check": "Check your mail",
        "confirm": "Create my account",
    },
}
FITS_THE_WIDTH = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_sign_up_log_out_and_log_in(new_page, settings, language, viewport):
    text = TEXT[language]
    email, password = unique_email(f"browser-{language}"), "ett långt lösenord 123"
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await page.goto("/")
    header = page.locator("header.site-header")
    await header.get_by_role("link", name=text["create"]).click()
    await page.wait_for_url("**/signup")
    assert await page.get_attribute("html", "lang") == language

    await page.get_by_label(text["organization"], exact=True).fill("Webbläsarbolaget AB")
    await page.get_by_label(text["name"], exact=True).fill("Bea Browser")
    await page.get_by_label(text["email"], exact=True).fill(email)
    await page.get_by_label(text["password"], exact=True).fill("kort")
    await page.get_by_label(text["repeat"], exact=True).fill("kort")
    await page.locator("main").get_by_role("button", name=text["create"]).click()
    # Too short: the form comes back in the page's language, the input kept, the error tied on.
    password_field = page.get_by_label(text["password"], exact=True)
    assert text["short"] in await page.locator("#err-password").inner_text()
    assert "err-password" in await password_field.get_attribute("aria-describedby")
    assert await page.get_by_label(text["email"], exact=True).input_value() == email
    assert await password_field.input_value() == ""

    await password_field.fill(password)
    await page.get_by_label(text["repeat"], exact=True).fill(password)
    await page.locator("main").get_by_role("button", name=text["create"]).click()
    # The same answer whether or not the address has an account: the link comes by mail.
    await page.wait_for_url("**/signup/sent")
    assert await page.get_by_role("heading", level=1).inner_text() == text["check"]
    await page.goto(await confirmation_link(settings, settings.app.public_url, email))
    await page.locator("#password").fill(password)
    await page.get_by_role("button", name=text["confirm"]).click()
    await page.wait_for_url("**/events")
    assert await header.get_by_role("link", name=text["events"]).is_visible()
    assert await header.get_by_text("Bea Browser").is_visible()
    assert await page.evaluate(FITS_THE_WIDTH)

    log_out = header.get_by_role("button", name=text["log_out"])
    assert await log_out.is_visible()
    async with page.expect_navigation(url="**/login?done=logged_out"):
        await log_out.click()
    assert await page.get_by_role("status").inner_text() == text["logged_out"]

    await page.get_by_label(text["email"], exact=True).fill(email)
    await page.get_by_label(text["password"], exact=True).fill("fel lösenord")
    await page.locator("main").get_by_role("button", name=text["log_in"]).click()
    assert text["wrong"] in await page.get_by_role("alert").inner_text()
    await page.get_by_label(text["password"], exact=True).fill(password)
    await page.locator("main").get_by_role("button", name=text["log_in"]).click()
    await page.wait_for_url("**/events")
    assert await header.get_by_role("button", name=text["log_out"]).is_visible()
    assert await page.evaluate(FITS_THE_WIDTH)


async def test_the_header_is_reachable_by_keyboard_with_visible_focus(new_page):
    page = await new_page(extra_http_headers={"Accept-Language": "en"})
    await page.goto("/")
    seen = {}
    for _ in range(8):
        await page.keyboard.press("Tab")
        name, outline = await page.evaluate("""() => {
            const el = document.activeElement;
            return [el.textContent.trim(), getComputedStyle(el).outlineStyle];
        }""")
        seen[name] = outline
        if name == "Create account":
            break
    assert seen.get("Log in") == "solid" and seen.get("Create account") == "solid"
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/signup")
