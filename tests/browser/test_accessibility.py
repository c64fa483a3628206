"""Every page passes axe-core's WCAG 2.1 A/AA rules, in both languages, desktop and phone."""
from __future__ import annotations

import pytest

from tests.browser.axe import VIEWPORTS, assert_accessible

pytestmark = pytest.mark.browser

PAGES = ["/", "/no/such/page"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("path", PAGES)
async def test_page_meets_wcag_aa(new_page, path, language, viewport):
    page = await new_page(viewport=VIEWPORTS[viewport],
                          extra_http_headers={"Accept-Language": language})
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
