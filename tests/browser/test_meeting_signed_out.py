"""A meeting page let in as the interviewer's account closes when that account logs out,
and the page it leaves for says why it now asks for the code."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import logged_in_page, make_meeting_event, shot

pytestmark = pytest.mark.browser

TEXTS = {
    "sv": ("Logga ut", "Du är inte längre inloggad på ditt konto"),
    "en": ("Log out", "You are no longer logged in to your account"),
}


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_log_out_in_another_tab_closes_the_meeting_page_which_says_why(new_page, db, language):
    event, [token], _ = await make_meeting_event(db)
    organization_id = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    page, user = await logged_in_page(new_page, db, organization_id, language=language)
    await db.execute("UPDATE event_interviewer SET user_id = $2 WHERE access_token = $1", token, user["id"])
    await page.goto(f"/i/{token}")  # no code asked: the link's own account
    await page.wait_for_selector('#connection[data-status="open"]')
    assert await page.get_attribute("body", "data-let-in") == "account"
    # The organizer's way back to the event's page (the meeting web has no account menu).
    assert await page.locator("#back-to-event").get_attribute("href") == f"/events/{event.id}"

    log_out, words = TEXTS[language]
    other_tab = await page.context.new_page()
    await other_tab.goto("/account")
    await other_tab.locator("header").get_by_role("button", name=log_out).click()
    await page.wait_for_url(f"**/i/{token}?signed_out")
    notice = page.locator("#signed-out")
    assert (await notice.inner_text()).startswith(words)
    assert await page.locator("#code").is_visible()
    await shot(page, f"meeting-signed-out-{language}")
    await assert_accessible(page)
