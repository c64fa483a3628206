"""WCAG 1.4.12 (text spacing): with the letter, word, line and paragraph spacing the
criterion names, nothing of the employer's pages is cut off, at phone width in both
languages. The pages' own Content-Security-Policy forbids injected styles, as it should: the
test's browser bypasses it, as a user's style sheet or bookmarklet would."""

from __future__ import annotations

import pytest

from tests import factories
from tests.accounts import log_in_with_form, make_user

pytestmark = pytest.mark.browser

SPACING = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
                 word-spacing: 0.16em !important; }
             p { margin-bottom: 2em !important; }"""

# Every element that hides what overflows it (or cuts it with "…") and holds more text than
# it shows; the visually hidden texts are meant to be one pixel wide.
CUT_OFF = """() => [...document.querySelectorAll('body *')].filter((element) => {
  if (element.closest('.visually-hidden')) return false;
  const style = getComputedStyle(element);
  const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
  return hides && element.textContent.trim() && element.scrollWidth > element.clientWidth + 1;
}).map((element) => element.outerHTML.slice(0, 160))"""


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_nothing_is_cut_off_under_wider_text_spacing_at_phone_width(new_page, db, language):
    user = await make_user(db, language=language, name="Rekryterare Testsson-Långnamn")
    event = await factories.make_event(db, organization_id=user["organization_id"], created_by=user["id"])
    page = await new_page(
        viewport={"width": 320, "height": 640},
        extra_http_headers={"Accept-Language": language},
        bypass_csp=True,
    )
    await log_in_with_form(page, user["email"], "/events")
    for path in ("/events", f"/events/{event['id']}", "/events/new", "/account", "/account/colleagues"):
        await page.goto(path)
        await page.add_style_tag(content=SPACING)
        assert await page.evaluate(CUT_OFF) == [], path
