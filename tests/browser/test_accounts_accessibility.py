"""The account pages pass axe-core's WCAG 2.1 A/AA rules: sv/en, desktop/phone, with errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.auth.tokens import new_token, token_hash
from tests.accounts import (
    PASSWORD,
    confirmation_link,
    make_user,
    fresh_log_in_limits,  # noqa: F401 (a fixture)
)
from tests.browser.axe import VIEWPORTS, axe_violations
from tests.mails import unique_email

SHOTS = Path("/tmp/shots-privacy")  # the sign-up pages that answer alike for every address
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_log_in_limits")]

ANONYMOUS_PAGES = [
    "/login",
    "/login?done=logged_out",
    "/signup",
    "/password/forgot",
    "/password/forgot?sent=1",
    f"/password/reset/{'A' * 43}",
    f"/invitation/{'A' * 43}",
]


async def violations(page) -> list:
    return await axe_violations(page)


async def open_links(db) -> tuple[str, str]:
    """A usable password-reset link and invitation link, made the way the app makes them."""
    organization_id, user_id = await db.fetchrow(
        "SELECT organization_id, id FROM app_user ORDER BY id DESC LIMIT 1"
    )
    reset, invitation = new_token(), new_token()
    await db.execute(
        "INSERT INTO password_reset (user_id, token_hash, expires_at) "
        "VALUES ($1, $2, now() + interval '1 hour')",
        user_id,
        token_hash(reset),
    )
    await db.execute(
        """INSERT INTO colleague_invitation (organization_id, invited_by, email, language,
                                             token_hash, expires_at)
           VALUES ($1, $2, $3, 'sv', $4, now() + interval '1 day')""",
        organization_id,
        user_id,
        unique_email("axe"),
        token_hash(invitation),
    )
    return f"/password/reset/{reset}", f"/invitation/{invitation}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_account_pages_meet_wcag_aa(new_page, db, settings, language, viewport):
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    for path in ANONYMOUS_PAGES:
        await page.goto(path)
        assert await page.get_attribute("html", "lang") == language
        assert await violations(page) == [], path
    # Forms with every error showing.
    await page.goto("/signup")
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_selector("#error-summary")
    assert await violations(page) == [], "/signup with errors"
    await page.goto("/login")
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_selector("#err-email")
    assert await violations(page) == [], "/login with errors"

    # Logged in (signed up through the form), with an invitation waiting.
    await page.goto("/signup")
    await page.fill("#organization", "Tillgängliga AB")
    await page.fill("#name", "Tove Tillgänglig")
    email = unique_email("axe")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.fill("#password_confirm", PASSWORD)
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url("**/signup/sent")
    assert await violations(page) == [], "/signup/sent"
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"signup-sent-{language}-{viewport}.png"), full_page=True)
    await page.goto(await confirmation_link(settings, settings.app.public_url, email))
    assert await violations(page) == [], "/signup/confirm"
    await page.screenshot(path=str(SHOTS / f"signup-confirm-{language}-{viewport}.png"), full_page=True)
    await page.locator("main form button[type=submit]").click()  # no password: said why
    await page.wait_for_selector("#error-summary")
    assert await violations(page) == [], "/signup/confirm with an error"
    await page.fill("#password", PASSWORD)
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url("**/events")
    await page.goto("/account/colleagues")
    await page.fill("#email", unique_email("invited"))
    async with page.expect_navigation(url="**/account/colleagues?done=invited"):
        await page.locator("main form button[type=submit]").click()
    assert await violations(page) == [], "/account/colleagues"
    # A colleague in the list, to disable (asked first) and make usable again.
    organization_id = await db.fetchval("SELECT organization_id FROM app_user WHERE email = $1", email)
    await make_user(db, organization_id=organization_id, name="Kim Kollega")
    await page.goto("/account/colleagues")
    await page.locator("main a[href$='/disable']").click()
    await page.wait_for_url("**/disable")
    assert await violations(page) == [], "/account/colleagues/…/disable"
    await page.screenshot(path=str(SHOTS / f"disable-colleague-{language}-{viewport}.png"), full_page=True)
    async with page.expect_navigation(url="**/account/colleagues?done=disabled"):
        await page.locator("main form button.danger").click()
    assert await violations(page) == [], "/account/colleagues with a disabled colleague"
    await page.screenshot(path=str(SHOTS / f"colleagues-disabled-{language}-{viewport}.png"), full_page=True)
    await page.goto("/account?done=password")
    assert await violations(page) == [], "/account"
    await page.locator("form[action='/account/password'] button").click()
    await page.wait_for_selector("#err-current_password")
    assert await violations(page) == [], "/account with errors"
    for path in await open_links(db):
        await page.goto(path)
        assert await violations(page) == [], path
