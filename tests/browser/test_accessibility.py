"""Every page passes axe-core's WCAG 2.1 A/AA rules, in both languages, desktop and phone."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.browser.axe import VIEWPORTS, assert_accessible

pytestmark = pytest.mark.browser

PAGES = ["/", "/no/such/page"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("path", PAGES)
async def test_page_meets_wcag_aa(new_page, path, language, viewport):
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await page.goto(path)
    assert await page.get_attribute("html", "lang") == language
    await assert_accessible(page)


async def test_keyboard_reaches_the_language_switch_with_visible_focus(new_page):
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await page.goto("/")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip-link"
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {text: el.textContent.trim(), outline: style.outlineStyle, width: style.outlineWidth};
    }""")
    assert focused == {"text": "English", "outline": "solid", "width": "3px"}
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "en"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_interviewer_link_page_meets_wcag_aa(new_page, db, language, viewport):
    event = await factories.make_event(
        db,
        organization_id=await factories.make_organization(db, "Axe AB"),
        title="Tillgänglighet",
        starts_at=factories.now() + dt.timedelta(days=1),
        capacity=10,
    )
    [interviewer] = await factories.set_interviewers(db, event, [("axe@example.se", "")])
    token = interviewer["access_token"]
    wrong = "000000" if interviewer["access_code"] != "000000" else "111111"
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await page.goto(f"/i/{token}")
    await assert_accessible(page)
    await page.fill("#code", wrong)  # the form comes back with its error
    await page.get_by_role("button").last.click()
    await page.wait_for_selector("#error-summary")
    await assert_accessible(page)
