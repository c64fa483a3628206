"""The registration's confirmation in headless Chromium: the header's language switch shows
the same confirmation in the other language (it used to show a blank form, as if nobody had
registered), and a reload shows it again without registering again."""

from __future__ import annotations

import asyncio

import pytest

from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.candidate_support import make_event
from tests.mails import read_mails, unique_email, wait_for_mail

pytestmark = pytest.mark.browser

TEXTS = {
    "sv": {
        "register": "Anmäl dig",
        "name": "Ditt namn",
        "email": "E-postadress",
        "consent": "Jag godkänner",
        "check_mail": "Titta i din e-post",
        "sent": "Vi har skickat ett mejl till",
        "next": "Så här går det till",
        "switch": "Svenska",
    },
    "en": {
        "register": "Register",
        "name": "Your name",
        "email": "E-mail address",
        "consent": "I agree",
        "check_mail": "Check your e-mail",
        "sent": "We have sent a mail to",
        "next": "What happens next",
        "switch": "English",
    },
}


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_confirmation_switches_language_and_stays(new_page, db, settings, language):
    other = "en" if language == "sv" else "sv"
    event = await make_event(db)
    page = await new_page(viewport=VIEWPORTS["desktop"], extra_http_headers={"Accept-Language": language})
    await page.goto(f"/r/{event['invite_token']}")
    email = unique_email(f"byt-{language}")
    await page.get_by_label(TEXTS[language]["name"]).fill("Robin Språkbytare")
    await page.get_by_label(TEXTS[language]["email"], exact=True).fill(email)
    await page.get_by_label(TEXTS[language]["consent"]).check()
    await page.get_by_role("button", name=TEXTS[language]["register"], exact=True).click()
    await page.get_by_role("heading", name=TEXTS[language]["check_mail"], level=1).wait_for()
    assert page.url.endswith(f"/r/{event['invite_token']}/registered")
    assert email not in page.url

    # The switch, by keyboard: the same confirmation in the other language, the page's
    # language said to screen readers, the focus on the switch visible.
    await page.locator(f".language-switch a[lang={other}]").focus()
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name=TEXTS[other]["check_mail"], level=1).wait_for()
    assert await page.get_attribute("html", "lang") == other
    said = await page.text_content("[role=status]")
    assert said.startswith(TEXTS[other]["sent"]) and email in said, said
    assert TEXTS[other]["next"] in await page.content()
    assert await page.locator("input[name=consent]").count() == 0
    assert await page.text_content(".language-switch .current") == TEXTS[other]["switch"]
    await assert_accessible(page)

    # A reload: the same page, no question about sending the form again, no second mail.
    await page.reload()
    await page.get_by_role("heading", name=TEXTS[other]["check_mail"], level=1).wait_for()
    assert email in await page.text_content("[role=status]")
    await page.get_by_role("link", name=TEXTS[language]["switch"]).click()
    await page.get_by_role("heading", name=TEXTS[language]["check_mail"], level=1).wait_for()
    assert await page.get_attribute("html", "lang") == language
    await wait_for_mail(settings.mail.catcher_dir, email)
    await asyncio.sleep(1)
    assert len([mail for mail in read_mails(settings.mail.catcher_dir) if email in str(mail["To"])]) == 1
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 1
