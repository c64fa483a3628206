"""The candidate's erasure in headless Chromium, by keyboard alone: the personal page → the
data page → the confirmation → the receipt, in Swedish and English, at desktop and phone
width, with axe on every page and screenshots in /tmp/shots-privacy/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts import log_in_with_form, make_user
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.candidate_support import make_event
from tests.integration.erasure_support import candidate_with_everything, columns_holding

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-privacy")
FITS_THE_WIDTH = "document.documentElement.scrollWidth <= window.innerWidth"

TEXTS = {
    "sv": {
        "pin": "PIN-kod",
        "open": "Öppna min sida",
        "see": "Se eller radera dina uppgifter",
        "stored": "Det här sparas om dig",
        "erase": "Radera mina uppgifter",
        "kept": "Vad arbetsgivaren behåller",
        "yes": "Ja, radera mina uppgifter",
        "done": "Dina uppgifter är raderade",
        "receipt": "Kvittonummer",
    },
    "en": {
        "pin": "PIN",
        "open": "Open my page",
        "see": "See or erase your data",
        "stored": "What is stored about you",
        "erase": "Erase my data",
        "kept": "What the employer keeps",
        "yes": "Yes, erase my data",
        "done": "Your data has been erased",
        "receipt": "Receipt number",
    },
}


async def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element is the link or button called `name`, and check
    that its focus can be seen."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        text, outline = await page.evaluate("""() => {
            const el = document.activeElement;
            return [(el.textContent || '').trim(), getComputedStyle(el).outlineStyle];
        }""")
        if text == name:
            assert outline != "none", f"no visible focus on {name!r}"
            return
    raise AssertionError(f"{name!r} not reached by Tab")


async def look(page, name: str) -> None:
    await assert_accessible(page)
    assert await page.evaluate(FITS_THE_WIDTH), f"{name} is wider than the screen"
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_candidate_erases_their_data_by_keyboard(
    new_page, db, settings, base_url, language, viewport
):
    text = TEXTS[language]
    event = await make_event(db)
    person = await candidate_with_everything(db, base_url, settings, event)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await page.context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
    await page.goto(person.link)
    await page.get_by_label(text["pin"], exact=True).fill(person.pin)
    await page.get_by_role("button", name=text["open"]).click()
    await page.get_by_role("link", name=text["see"]).wait_for()
    await look(page, f"page-{language}-{viewport}")

    await tab_to(page, text["see"])
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name=text["stored"], level=1).wait_for()
    content = await page.content()
    assert person.email in content and person.comment in content and person.notes not in content
    await look(page, f"data-{language}-{viewport}")

    await tab_to(page, text["erase"])
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name=text["kept"]).wait_for()
    await look(page, f"confirm-{language}-{viewport}")

    await tab_to(page, text["yes"])
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name=text["done"], level=1).wait_for()
    assert text["receipt"] in await page.content()
    assert f"{person.event_id}-{person.id}" in await page.content()
    await look(page, f"receipt-{language}-{viewport}")
    assert await columns_holding(db, person.values) == []

    # The other language, by keyboard: in place, the receipt kept (its address, the form's,
    # cannot be loaded again: the link it was made from is gone).
    other = "en" if language == "sv" else "sv"
    await page.locator(f".language-switch a[lang={other}]").focus()
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name=TEXTS[other]["done"], level=1).wait_for()
    assert await page.evaluate("document.documentElement.lang") == other
    assert f"{person.event_id}-{person.id}" in await page.content()
    assert TEXTS[other]["receipt"] in await page.content()
    assert TEXTS[other]["kept"] in await page.content()
    said = await page.text_content("[role=status]")
    assert said.startswith("Din anmälan till" if other == "sv" else "Your registration for"), said
    # The event's title keeps its own language in either (WCAG 3.1.2).
    marked = await page.eval_on_selector("[role=status] [data-i18n-slot=title]", "span => span.lang")
    assert marked == await db.fetchval("SELECT language FROM event WHERE id = $1", person.event_id)
    await look(page, f"receipt-switched-{other}-{viewport}")


EMPLOYER = {
    "sv": {
        "erase": "Radera uppgifter",
        "yes": "Ja, radera uppgifterna",
        "done": "Kandidatens uppgifter är raderade",
        "erased": "Raderad kandidat",
    },
    "en": {
        "erase": "Erase data",
        "yes": "Yes, erase the data",
        "done": "The candidate's data has been erased",
        "erased": "Erased candidate",
    },
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_employer_erases_a_candidate_from_the_list(
    new_page, db, settings, base_url, language, viewport
):
    text = EMPLOYER[language]
    user = await make_user(db, language=language)
    event = await make_event(db, organization_id=user["organization_id"])
    person = await candidate_with_everything(db, base_url, settings, event)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await log_in_with_form(page, user["email"], f"/events/{event['id']}")
    await page.get_by_role("link", name=f"{text['erase']} ({person.name})").click()
    await page.get_by_role("button", name=text["yes"]).wait_for()
    await look(page, f"employer-confirm-{language}-{viewport}")
    await page.get_by_role("button", name=text["yes"]).click()
    await page.get_by_text(text["done"]).wait_for()
    assert person.name not in await page.content()
    await look(page, f"employer-list-{language}-{viewport}")
    await page.goto(f"/events/{event['id']}/summary")
    assert text["erased"] in await page.content()
    await look(page, f"employer-summary-{language}-{viewport}")
