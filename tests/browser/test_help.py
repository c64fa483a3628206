"""The help pages (sv/en, their anchored sections, axe): the interview day's for everyone, the
employers' from a logged-in page's header; and the catalogs the live pages switch with."""

from __future__ import annotations

import pytest

from tests.accounts import log_in_with_form, make_user
from tests.browser.axe import VIEWPORTS, assert_accessible

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots-candidate-web"
SECTIONS = [
    "browser",
    "camera",
    "microphone",
    "network",
    "waiting",
    "missed",
    "interviewers",
    "shortcuts",
    "mail",
    "cannot-come",
    "contact",
]
# The common questions the page answers, by the section's heading.
HEADINGS = {
    "sv": {
        "missed": "Om du missar din tur",
        "cannot-come": "Om du inte kan komma på intervjutillfällets tid",
    },
    "en": {"missed": "If you miss your turn", "cannot-come": "If you cannot come at the event's time"},
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_help_page(new_page, settings, language, viewport):
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await page.goto("/")
    await page.click("footer a[href='/help']")  # linked from every page's footer
    await page.wait_for_url("**/help")
    assert await page.get_attribute("html", "lang") == language
    heading = await page.text_content("h1")
    assert heading == {"sv": "Hjälp inför intervjudagen", "en": "Help for the interview day"}[language]
    for section in SECTIONS:
        assert await page.locator(f"section#{section} h2").count() == 1
    for section, words in HEADINGS[language].items():
        assert await page.text_content(f"section#{section} h2") == words
        assert await page.locator(f"nav a[href='#{section}']").text_content() == words
    text = await page.text_content("main")
    # The time to join, from the settings (live.offer_seconds).
    assert f" {settings.live.offer_seconds} " in await page.text_content("section#missed")
    # How far an interview can be extended, from the settings (live.extend_limit_minutes).
    assert f" {settings.live.extend_limit_minutes} min" in await page.text_content("main")
    for word in ("Chrome", "Edge", "Firefox", "Safari", "Internet Explorer"):
        assert word in text
    contact = page.locator(f"#contact a[href='mailto:{settings.app.support_email}']")
    assert await contact.count() == 1
    await page.screenshot(path=f"{SHOTS}/help-{language}-{viewport}.png", full_page=True)
    await assert_accessible(page)


EMPLOYER_SECTIONS = [
    "create",
    "how-many",
    "questions",
    "job-ad",
    "invite",
    "interviewers",
    "colleagues",
    "edit",
    "copy",
    "delete",
    "candidates",
    "day",
    "summary",
    "contact",
]
EMPLOYER_WORDS = {
    "sv": {
        "link": "Hjälp",
        "h1": "Hjälp för arbetsgivare",
        # The page names each button as the employer's pages say it.
        "buttons": [
            "”Nytt intervjutillfälle”",
            "”Spara som utkast”",
            "”Publicera”",
            "”Kopiera”",
            "”Ta bort”",
            "”Lås upp”",
            "”Länken är låst för nya enheter”",
        ],
        "from_help": "Hjälp för arbetsgivare",
    },
    "en": {
        "link": "Help",
        "h1": "Help for employers",
        "buttons": [
            "“New event”",
            "“Save as draft”",
            "“Publish”",
            "“Copy”",
            "“Delete”",
            "“Unlock”",
            "“Link locked for new devices”",
        ],
        "from_help": "Help for employers",
    },
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_employer_help_from_the_header_of_a_logged_in_page(new_page, db, settings, language, viewport):
    words = EMPLOYER_WORDS[language]
    user = await make_user(db, language=language)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await log_in_with_form(page, user["email"], "/events")
    await page.locator(".account-nav").get_by_role("link", name=words["link"], exact=True).click()
    await page.wait_for_url("**/help/employers")
    assert await page.text_content("h1") == words["h1"]
    # Still logged in: the header keeps the account's links, this one marked as the page.
    assert await page.get_attribute(".account-nav a[href='/help/employers']", "aria-current") == "page"
    for section in EMPLOYER_SECTIONS:
        assert await page.locator(f"section#{section} h2").count() == 1
        assert await page.locator(f"nav a[href='#{section}']").count() == 1
    text = await page.text_content("main")
    for button in words["buttons"]:
        assert button in text
    # The times it states are the service's own (its settings).
    assert f" {settings.candidates.reminder_hours} " in await page.text_content("section#invite")
    assert f" {settings.live.checkin_opens_minutes} " in await page.text_content("section#invite")
    assert f" {settings.candidates.retention_days} " in await page.text_content("section#candidates")
    await page.screenshot(path=f"{SHOTS}/help-employers-{language}-{viewport}.png", full_page=True)
    await assert_accessible(page)
    # The interview day's help is one link away, and links back.
    await page.click("main a[href='/help']")
    await page.wait_for_url("**/help")
    await page.get_by_role("link", name=words["from_help"], exact=True).first.click()
    await page.wait_for_url("**/help/employers")


async def test_employer_help_is_linked_from_every_pages_footer(new_page):
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await page.goto("/")
    await page.click("footer a[href='/help/employers']")
    await page.wait_for_url("**/help/employers")
    assert await page.text_content("h1") == "Hjälp för arbetsgivare"


async def test_the_language_switch_keeps_the_section_being_read(new_page):
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await page.goto("/help#camera")
    await page.click(".language-switch a[lang='en']")
    await page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith("/help#camera")


async def test_catalog_json(http, base_url):
    async with http.get(f"{base_url}/texts/sv.json") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        etag = response.headers["ETag"]
        assert "max-age" in response.headers["Cache-Control"]
        catalog = await response.json()
    assert catalog["Help"] == "Hjälp"
    assert "" not in catalog
    # A text with a count: each form under "msgid\u0000index" (web/static/js/live/texts.js).
    assert catalog["And %(count)s more interview.\u00000"] == "Och %(count)s intervju till."
    assert catalog["And %(count)s more interview.\u00001"] == "Och %(count)s intervjuer till."
    async with http.get(f"{base_url}/texts/sv.json", headers={"If-None-Match": etag}) as response:
        assert response.status == 304
    async with http.get(f"{base_url}/texts/en.json") as response:
        assert response.status == 200
        assert isinstance(await response.json(), dict)
    async with http.get(f"{base_url}/texts/de.json") as response:
        assert response.status == 404


async def test_a_text_with_a_count_takes_the_form_for_it_in_either_language(new_page):
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await page.goto("/help")
    forms = await page.evaluate(
        """async () => {
            const texts = await import("/static/js/live/texts.js");
            const one = "An interviewer is ready for you. Join within %(seconds)s second.";
            const many = "An interviewer is ready for you. Join within %(seconds)s seconds.";
            const said = [];
            for (const code of ["sv", "en"]) {
                await texts.setLanguage(code);
                for (const n of [1, 0, 5]) said.push(texts.ngettext(one, many, n, { seconds: n }));
            }
            return said;
        }"""
    )
    assert forms == [
        "En intervjuare är redo för dig. Anslut inom 1 sekund.",
        "En intervjuare är redo för dig. Anslut inom 0 sekunder.",
        "En intervjuare är redo för dig. Anslut inom 5 sekunder.",
        "An interviewer is ready for you. Join within 1 second.",
        "An interviewer is ready for you. Join within 0 seconds.",
        "An interviewer is ready for you. Join within 5 seconds.",
    ]
