"""Candidates in headless Chromium: registering, the personal page with its PIN, and the
employer's candidate list, in Swedish and English, at desktop and phone width, with axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories
from tests.accounts import log_in_with_form, make_user
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.candidate_support import link_and_pin, make_event
from tests.mails import unique_email, wait_for_mail

pytestmark = pytest.mark.browser

TEXTS = {
    "sv": {
        "register": "Anmäl dig",
        "fix": "Rätta till följande",
        "name": "Ditt namn",
        "email": "E-postadress",
        "phone": "Telefon (frivilligt)",
        "consent": "Jag godkänner",
        "check_mail": "Titta i din e-post",
        "spam": "skräppost",
        "pin": "PIN-kod",
        "open": "Öppna min sida",
        "wrong": "Fel PIN-kod",
        "registered": "Du är anmäld",
        "cancel": "Avboka min anmälan",
        "confirm": "Ja, avboka min anmälan",
        "cancelled": "Du har avbokat din anmälan",
        "register_again": "Anmäl dig igen",
        "english": "English",
        "show": "Visa",
        "copy_pin": "Kopiera PIN-koden",
        "close_link": "Stäng inbjudningslänken",
        "closed": "Inbjudningslänken är stängd",
        "calendar": "Lägg till i kalendern",
        "remove": "Ta bort (Alva Anmäld)",
        "remove_yes": "Ja, ta bort kandidaten",
        "removed": "Borttagen av er organisation",
    },
    "en": {
        "register": "Register",
        "fix": "Please correct the following",
        "name": "Your name",
        "email": "E-mail address",
        "phone": "Phone (optional)",
        "consent": "I agree",
        "check_mail": "Check your e-mail",
        "spam": "spam",
        "pin": "PIN",
        "open": "Open my page",
        "wrong": "Wrong PIN",
        "registered": "You are registered",
        "cancel": "Cancel my registration",
        "confirm": "Yes, cancel my registration",
        "cancelled": "You have cancelled your registration",
        "register_again": "Register again",
        "english": "Svenska",
        "show": "Show",
        "copy_pin": "Copy PIN",
        "close_link": "Close the invite link",
        "closed": "The invite link is closed",
        "calendar": "Add to calendar",
        "remove": "Remove (Alva Anmäld)",
        "remove_yes": "Yes, remove the candidate",
        "removed": "Removed by your organization",
    },
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_register_then_use_the_personal_page(new_page, db, settings, language, viewport):
    text = TEXTS[language]
    event = await make_event(db)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await page.goto(f"/r/{event['invite_token']}")
    assert await page.get_attribute("html", "lang") == language
    await assert_accessible(page)

    # Nothing filled in: the errors, listed and beside their fields, focusable from the list.
    await page.get_by_role("button", name=text["register"], exact=True).click()
    # Its heading one below the form's own ("Register", an h2): WCAG 1.3.1.
    await page.get_by_role("heading", name=text["fix"], level=3).wait_for()
    assert await page.get_attribute("#name", "aria-invalid") == "true"
    await assert_accessible(page)

    email = unique_email(f"webb-{language}-{viewport}")
    await page.get_by_label(text["name"]).fill("Robin Webbläsare")
    await page.get_by_label(text["email"], exact=True).fill(email)
    await page.get_by_label(text["phone"]).fill("070-765 43 21")
    await page.get_by_label(text["consent"]).check()
    await page.get_by_role("button", name=text["register"], exact=True).click()
    await page.get_by_role("heading", name=text["check_mail"]).wait_for()
    assert text["spam"] in await page.content() and email in await page.content()
    await assert_accessible(page)

    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    link, pin = link_and_pin(mail)
    await page.goto(link)
    await assert_accessible(page)
    await page.get_by_label(text["pin"], exact=True).fill("999999" if pin != "999999" else "888888")
    await page.get_by_role("button", name=text["open"]).click()
    await page.get_by_text(text["wrong"]).first.wait_for()
    await assert_accessible(page)
    await page.get_by_label(text["pin"], exact=True).fill(pin)
    await page.get_by_role("button", name=text["open"]).click()
    await page.get_by_text(text["registered"]).wait_for()
    assert (
        await page.get_by_role("link", name=text["calendar"]).get_attribute("href")
        == f"{link.split('/c/')[0].replace(settings.app.public_url, '')}/c/{link.split('/c/')[1]}/calendar.ics"
    )
    await assert_accessible(page)

    # The PIN is remembered: a reload shows the page straight away.
    await page.reload()
    await page.get_by_text(text["registered"]).wait_for()

    await page.get_by_role("link", name=text["cancel"]).click()
    await assert_accessible(page)
    await page.get_by_role("button", name=text["confirm"]).click()
    await page.get_by_text(text["cancelled"]).wait_for()
    await assert_accessible(page)

    # Registering again, the form comes filled in (the PIN was entered here); the consent is
    # given again.
    await page.get_by_role("link", name=text["register_again"]).click()
    await page.get_by_role("heading", name=text["register"], exact=True).wait_for()
    assert await page.get_by_label(text["name"]).input_value() == "Robin Webbläsare"
    assert await page.get_by_label(text["email"], exact=True).input_value() == email
    assert await page.get_by_label(text["phone"]).input_value() == "070-765 43 21"
    assert not await page.get_by_label(text["consent"]).is_checked()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await assert_accessible(page)
    await page.get_by_label(text["consent"]).check()
    await page.get_by_role("button", name=text["register"], exact=True).click()
    await page.get_by_role("heading", name=text["check_mail"]).wait_for()


AROUND_THE_EVENT = {
    "sv": {
        "over": "Det här intervjutillfället är över, och du fick ingen intervju den här gången.",
        "day": "På dagen",
        "mails": "Språk för dina mejl",
    },
    "en": {
        "over": "This event is over, and you did not get an interview this time.",
        "day": "On the day",
        "mails": "Language for your mails",
    },
}


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_personal_page_during_and_after_the_event(new_page, db, base_url, language):
    """Once check-in is open there is no day plan or calendar entry to offer; after the
    event one who waited in vain is told so, not thanked for taking part."""
    text = AROUND_THE_EVENT[language]
    soon = await make_event(db, starts_in=dt.timedelta(minutes=10))
    candidate = await factories.add_candidate(db, soon["id"])
    page = await new_page(viewport=VIEWPORTS["phone"])
    await page.context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
    await page.goto(f"/c/{candidate['access_token']}")
    await page.fill("#pin", factories.PIN)
    await page.get_by_role("button", name=TEXTS[language]["open"]).click()
    await page.get_by_text(text["mails"], exact=True).wait_for()
    assert await page.get_by_role("heading", name=text["day"]).count() == 0
    assert await page.get_by_role("link", name=TEXTS[language]["calendar"]).count() == 0
    await assert_accessible(page)

    over = await make_event(db, starts_in=dt.timedelta(hours=-2), state="finished")
    candidate = await factories.add_candidate(db, over["id"])
    await db.execute(
        "INSERT INTO queue_entry (event_id, candidate_id, state) VALUES ($1, $2, 'waiting')",
        over["id"],
        candidate["id"],
    )
    await page.goto(f"/c/{candidate['access_token']}")
    await page.fill("#pin", factories.PIN)
    await page.get_by_role("button", name=TEXTS[language]["open"]).click()
    await page.get_by_role("status").get_by_text(text["over"]).wait_for()
    assert await page.get_by_text("Tack för att du var med").count() == 0
    assert await page.get_by_text("Thank you for taking part").count() == 0
    await assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_employers_candidate_list(new_page, db, base_url, language, viewport):
    text = TEXTS[language]
    user = await make_user(db, language=language)
    event = await make_event(db, organization_id=user["organization_id"])
    pin = "246810"
    await db.execute(
        """INSERT INTO candidate (event_id, name, email, phone, access_token, pin)
                        VALUES ($1, 'Alva Anmäld', $2, '08-123 456', $3, $4)""",
        event["id"],
        unique_email("lista"),
        f"ui-{event['id']}-token-abcdefgh",
        pin,
    )
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await log_in_with_form(page, user["email"], f"/events/{event['id']}")
    await page.locator("td").filter(has_text="Alva Anmäld").first.wait_for()
    await page.locator(".candidate-secret summary").click()
    assert await page.locator(".candidate-secret input.pin-value").input_value() == pin
    assert await page.get_by_role("button", name=re.compile(text["copy_pin"])).is_visible()
    await assert_accessible(page)
    await page.get_by_role("button", name=text["close_link"]).click()
    await page.get_by_text(text["closed"]).first.wait_for()
    await assert_accessible(page)

    await page.get_by_role("link", name=text["remove"]).click()
    await assert_accessible(page)
    await page.get_by_role("button", name=text["remove_yes"]).click()
    await page.get_by_text(text["removed"]).wait_for()
    await assert_accessible(page)


async def test_without_javascript_the_candidates_page_says_why_nothing_works(new_page, base_url, db):
    """Its buttons (the device check, Check in) stay disabled without a script to run them:
    the page says so, in its language, instead of leaving the candidate guessing."""
    from tests.browser.test_candidate_live import TEXTS, tokens
    from tests.integration.channel_support import CANDIDATE_PIN
    from tests.integration.live_support import make_live_event

    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], _ = await tokens(db, event)
    page = await new_page(java_script_enabled=False)
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name=TEXTS["sv"]["open"]).click()
    notice = page.locator("main noscript p")
    assert (await notice.inner_text()).startswith("Den här sidan kräver JavaScript för att fungera")
    assert await notice.is_visible()
    await page.screenshot(path="/tmp/noscript-sv.png", full_page=True)
    assert await page.get_by_role("button", name=TEXTS["sv"]["checkin"]).is_disabled()


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_phone_numbers_error_keeps_its_examples_whole_on_a_phone(new_page, db, language):
    """At 390 px the error for a bad phone number ended a line with "070-" and began the next
    with "123 45 67", which reads as two numbers: each example stays on one line, beside the
    field and in the list of errors, and the page no wider than the window."""
    event = await make_event(db)
    page = await new_page(viewport=VIEWPORTS["phone"], extra_http_headers={"Accept-Language": language})
    await page.goto(f"/r/{event['invite_token']}")
    await page.get_by_label(TEXTS[language]["phone"]).fill("ring mig")
    await page.get_by_role("button", name=TEXTS[language]["register"], exact=True).click()
    await page.locator("#err-phone").wait_for()
    for where in ("#err-phone", "#error-summary"):
        examples = await page.locator(where).evaluate(
            """(error) => {
                const range = document.createRange();
                return ["070-123 45 67", "+46 70 123 45 67"].map((number) => {
                    const node = [error, ...error.querySelectorAll("*")].flatMap((e) => [...e.childNodes])
                        .find((n) => n.nodeType === Node.TEXT_NODE && n.data.includes(number));
                    if (!node) return [number, 0];
                    const start = node.data.indexOf(number);
                    range.setStart(node, start);
                    range.setEnd(node, start + number.length);
                    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                    return [number, tops.size];
                });
            }"""
        )
        assert examples == [["070-123 45 67", 1], ["+46 70 123 45 67", 1]], where
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await assert_accessible(page)
