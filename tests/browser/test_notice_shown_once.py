"""A notice after an action shows once: the address the action redirected to carries it, and
once the page has shown it the address no longer does, so reloading the page (or opening it
again from the history or a bookmark) does not tell of the action as if it had been done
again. The address's other parameters stay."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.accounts import make_user
from tests.browser.axe import VIEWPORTS
from tests.browser.interviewer_support import shot
from tests.browser.test_events_ui import logged_in_page

pytestmark = pytest.mark.browser

TEXTS = {
    "sv": {
        "save": "Spara ändringarna",
        "saved": "Dina ändringar har sparats.",
        "closed": "Inbjudningslänken har stängts.",
    },
    "en": {
        "save": "Save changes",
        "saved": "Your changes were saved. The new time is mailed to 1 candidate.",
        "closed": "The invite link has been closed.",
    },
}
NOTICES = "p.notice[role=status]"


async def address_of(page) -> str:
    """The page's address as the browser keeps it (in its history, for a reload)."""
    return await page.evaluate("location.href")


async def published_event(db, user) -> int:
    event = await factories.make_event(db, organization_id=user["organization_id"], created_by=user["id"])
    await factories.set_interviewers(db, event, [("ida@example.se", "Ida Intervjuare")])
    await factories.add_candidate(db, event["id"], name="Kim Kandidat")
    return event["id"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_saved_edit_is_told_once(new_page, db, base_url, language, viewport):
    text = TEXTS[language]
    user = await make_user(db, language=language)
    page = await logged_in_page(new_page, db, language, viewport, user)
    event_id = await published_event(db, user)
    await page.goto(f"/events/{event_id}/edit")
    await page.fill("#start_time", "15:30")
    await page.get_by_role("button", name=text["save"]).click()
    # Loaded from the redirect (…?notice=saved&candidates_told_time=1), or already without it.
    await page.wait_for_url(re.compile(rf"/events/{event_id}(\?notice=saved&candidates_told_time=1)?$"))
    notice = page.locator(NOTICES)
    assert (await notice.inner_text()).startswith(text["saved"])
    await shot(page, f"notice-saved-{language}-{viewport}")
    # What the browser would load again, once the page has loaded: itself without its notice.
    assert await address_of(page) == f"{base_url}/events/{event_id}"
    await page.reload()
    await page.locator("h1").wait_for()
    assert await page.locator(NOTICES).count() == 0


async def test_a_language_switch_after_the_notice_does_not_tell_it_again(new_page, db, base_url):
    """The language links were drawn with the address the action redirected to: followed as
    drawn, the page in the other language told of the save once more."""
    user = await make_user(db, language="en")
    page = await logged_in_page(new_page, db, "en", "desktop", user)
    event_id = await published_event(db, user)
    await page.goto(f"/events/{event_id}/edit")
    await page.fill("#start_time", "15:30")
    await page.get_by_role("button", name=TEXTS["en"]["save"]).click()
    await page.wait_for_url(re.compile(rf"/events/{event_id}(\?notice=saved&candidates_told_time=1)?$"))
    assert (await page.locator(NOTICES).inner_text()).startswith(TEXTS["en"]["saved"])
    await page.wait_for_function("!location.search.includes('notice')")
    await page.get_by_role("link", name="Svenska").click()
    await page.wait_for_url(f"{base_url}/events/{event_id}")
    await page.locator("h1").wait_for()
    assert await page.locator("html").get_attribute("lang") == "sv"
    assert await page.locator(NOTICES).count() == 0


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_other_parameters_stay(new_page, db, base_url, language):
    """An action on a searched list of registrations comes back to it with its notice: the
    notice goes, the search stays, and so does the place on the page; a parameter the page
    does not know (?lang=) is left alone too."""
    text = TEXTS[language]
    user = await make_user(db, language=language)
    page = await logged_in_page(new_page, db, language, "desktop", user)
    event_id = await published_event(db, user)
    await page.goto(f"/events/{event_id}?q=Kim")
    await page.locator("form.invite-switch button[type=submit]").click()
    await page.wait_for_url(re.compile(rf"/events/{event_id}\?(candidates=invite_closed&)?q=Kim"))
    assert await address_of(page) == f"{base_url}/events/{event_id}?q=Kim#candidates-heading"
    assert await page.locator(NOTICES).inner_text() == text["closed"]
    await page.reload()
    await page.locator("h1").wait_for()
    assert await page.locator(NOTICES).count() == 0
    assert await page.locator("#candidate-search").input_value() == "Kim"

    await page.goto(f"/events/{event_id}?lang=en&notice=saved&candidates_told_time=1&page=1")
    assert await address_of(page) == f"{base_url}/events/{event_id}?lang=en&page=1"
    assert (await page.locator(NOTICES).inner_text()).startswith(text["saved"].split(".")[0])


async def test_the_account_pages_notices_show_once_too(new_page, db, base_url):
    """The account's notices come the same way (?done=…) and go the same way; so does the
    mailed link's "we have sent it" of a forgotten password (?sent=1), whose reload shows the
    form again."""
    user = await make_user(db, language="en")
    page = await logged_in_page(new_page, db, "en", "desktop", user)
    await page.goto("/account?lang=en&done=password")
    assert (await page.locator(NOTICES).inner_text()).startswith("Your password has been changed.")
    assert await address_of(page) == f"{base_url}/account?lang=en"
    await page.reload()
    await page.locator("h1").wait_for()
    assert await page.locator(NOTICES).count() == 0

    await page.goto("/password/forgot?sent=1")
    assert await page.locator(".notice[role=status]").count() == 1
    assert await address_of(page) == f"{base_url}/password/forgot"
    await page.reload()
    await page.locator("h1").wait_for()
    assert await page.locator(".notice[role=status]").count() == 0


async def test_the_candidates_notice_shows_once_too(new_page, db, base_url):
    """The candidate's own page says its notices (?done=…) once as well; its address stays
    the personal link."""
    event = await factories.make_event(db)
    candidate = await factories.add_candidate(db, event["id"], language="en")
    page = await new_page(viewport=VIEWPORTS["phone"])
    link = f"/c/{candidate['access_token']}"
    await page.goto(link)
    await page.fill("#pin", factories.PIN)
    async with page.expect_navigation():
        await page.locator("#pin").press("Enter")
    await page.goto(f"{link}?done=language")
    notice = page.locator(f"{NOTICES}[data-query-notice]")
    assert await notice.count() == 1
    assert await address_of(page) == base_url + link
    await page.reload()
    await page.locator("h1").wait_for()
    assert await notice.count() == 0
