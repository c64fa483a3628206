"""Every page passes axe-core's WCAG 2.1 A/AA rules, in both languages, desktop and phone."""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/no/such/page"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("path", PAGES)
async def test_page_meets_wcag_aa(new_page, path, language, viewport):
    page = await new_page(viewport=VIEWPORTS[viewport],
                          extra_http_headers={"Accept-Language": language})
    await page.goto(path)
    assert await page.get_attribute("html", "lang") == language
    await page.add_script_tag(path=str(AXE))
    assert await page.evaluate(RUN_AXE) == []


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
