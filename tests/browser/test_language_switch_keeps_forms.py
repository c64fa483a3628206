"""A language switch in the middle of filling in a form (web/static/js/forms.js): the page
comes again in the other language with what was typed still in it; it came empty, and the
new event's default language had followed the switch. Passwords are never kept."""

from __future__ import annotations

import pytest

from tests.accounts import log_in_with_form, make_user
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.interviewer_support import shot
from tests.candidate_support import make_event

pytestmark = pytest.mark.browser


async def test_a_new_event_half_filled_in_survives_the_switch(new_page, db):
    user = await make_user(db, language="sv")
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await log_in_with_form(page, user["email"], "/events/new")
    await page.fill("#title", "Kundtjänst i Östersund")
    await page.fill("#job_description", "Svara på frågor.")
    await page.fill("#question-1", "Varför kundtjänst?")
    questions = page.locator("#questions input[name='question']")
    for _ in range(3 - await questions.count()):
        await page.get_by_role("button", name="Lägg till fråga").click()
    await questions.nth(2).fill("Vad gör du på fritiden?")
    await page.fill("#interviewer_email-1", "kollega@example.se")
    language = await page.locator(
        "select[name='language'], input[name='language']:checked"
    ).first.input_value()

    await page.get_by_role("link", name="English").click()
    await page.get_by_role("heading", name="New event").wait_for()
    await page.wait_for_load_state()  # the new page's script has put the form back by then
    assert await page.input_value("#title") == "Kundtjänst i Östersund"
    assert await page.input_value("#job_description") == "Svara på frågor."
    assert [await q.input_value() for q in await questions.all()][:3] == [
        "Varför kundtjänst?",
        "",
        "Vad gör du på fritiden?",
    ]
    assert await page.input_value("#interviewer_email-1") == "kollega@example.se"
    kept = await page.locator("select[name='language'], input[name='language']:checked").first.input_value()
    assert kept == language == "sv"
    assert await page.evaluate("document.activeElement === document.body")

    # Kept once: the page loaded again afresh is the empty form.
    await page.goto("/events/new")
    assert await page.input_value("#title") == ""


async def test_a_registration_half_filled_in_survives_the_switch(new_page, db):
    event = await make_event(db)
    page = await new_page(viewport=VIEWPORTS["phone"], extra_http_headers={"Accept-Language": "sv"})
    await page.goto(f"/r/{event['invite_token']}")
    await page.fill("#name", "Karin Kandidat")
    await page.fill("#email", "karin@example.se")
    await page.check("#consent")
    await page.get_by_role("link", name="English").click()
    await page.locator("html[lang='en']").wait_for(state="attached")
    await page.wait_for_load_state()  # the new page's script has put the form back by then
    assert await page.input_value("#name") == "Karin Kandidat"
    assert await page.input_value("#email") == "karin@example.se"
    assert await page.is_checked("#consent")
    # The language for the mails was left as the page chose it: it follows the page's.
    assert await page.is_checked("#language-en")


async def test_a_password_is_not_kept(new_page, db):
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await page.goto("/login")
    await page.fill("input[type='email']", "someone@example.se")
    await page.fill("input[type='password']", "hemligt lösenord")
    # What is stored, looked at before the next page takes it: the switch held back.
    await page.route("**/lang/**", lambda route: route.fulfill(status=204))  # the page stays
    await page.get_by_role("link", name="English").click()
    stored = await page.evaluate("JSON.stringify(sessionStorage)")
    assert "someone@example.se" in stored and "hemligt" not in stored
    await page.unroute("**/lang/**")
    await page.get_by_role("link", name="English").click()
    await page.locator("html[lang='en']").wait_for(state="attached")
    await page.wait_for_load_state()  # the new page's script has put the form back by then
    assert await page.input_value("input[type='email']") == "someone@example.se"
    assert await page.input_value("input[type='password']") == ""


async def test_the_edit_form_put_back_is_saved_as_made_from_its_version(new_page, db):
    """The page that comes after the switch shows the event as it is now; the values typed
    before it are put back over it, and their save is refused as a conflict when someone
    else saved in between, instead of undoing that save."""
    user = await make_user(db, language="sv")
    # (A draft: a published event's save needs an interviewer, which this one has none of.)
    event = await make_event(
        db, organization_id=user["organization_id"], title="Lager i Gävle", state="draft"
    )
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await log_in_with_form(page, user["email"], f"/events/{event['id']}/edit")
    await page.fill("#title", "Lager i Gävle, kväll")
    await db.execute(
        "UPDATE event SET title = 'Lager i Sandviken', edit_version = edit_version + 1 WHERE id = $1",
        event["id"],
    )
    await page.get_by_role("link", name="English").click()
    await page.get_by_role("heading", name="Edit event").wait_for()
    await page.wait_for_load_state()  # the new page's script has put the form back by then
    assert await page.input_value("#title") == "Lager i Gävle, kväll"
    await page.get_by_role("button", name="Save changes").click()
    await page.get_by_text("This event was changed after you opened this form").wait_for()
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event["id"]) == "Lager i Sandviken"
    # The refusal, focused where the form's errors are, names the field that differs and
    # what it holds now; the field's link leads to it, and the form saves over it on purpose.
    summary = page.locator("#error-summary")
    await summary.wait_for()
    assert await page.evaluate("document.activeElement.id") == "error-summary"
    assert "Title: now “Lager i Sandviken”" in " ".join((await summary.inner_text()).split())
    assert await summary.get_by_role("link", name="Date").count() == 0
    await assert_accessible(page)
    await shot(page, "edit-conflict-en-desktop")
    await summary.get_by_role("link", name="Title").click()
    assert await page.evaluate("location.hash") == "#title"
    # (Caught as the redirect arrives: once shown, the notice leaves the address.)
    async with page.expect_navigation(url=f"**/events/{event['id']}?notice=saved"):
        await page.get_by_role("button", name="Save my version").click()
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event["id"]) == "Lager i Gävle, kväll"


async def test_an_event_day_page_keeps_nothing(new_page, db, base_url):
    """The event-day pages switch language in place; their notes must not linger in storage."""
    from tests.browser.interviewer_support import make_meeting_event, open_meeting

    _event, (token,), _ = await make_meeting_event(db, candidates=1)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "sv"}), token)
    await page.fill("#message-text", "Vi börjar snart")
    await page.get_by_role("link", name="English").click()
    await page.locator("html[lang='en']").wait_for(state="attached")  # (in place: no new page)
    assert await page.evaluate("sessionStorage.getItem('snabbintervjuer:kept-forms')") is None
