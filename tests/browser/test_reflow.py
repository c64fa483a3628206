"""The employer's pages with tables at 200 % and 400 % zoom of a 1280-px screen (640 and 320
CSS px) and between: nothing makes the page scroll sideways (WCAG 1.4.10). Between phone
width and 760 px the events list, the registrations and the summary's per-interviewer
figures made it up to 760 px wide."""

from __future__ import annotations

import pytest

from tests.browser.interviewer_support import logged_in_page
from tests.summary_support import sample_event

pytestmark = pytest.mark.browser

# The elements that reach past the window's right edge (what makes the page scroll).
PAST_THE_EDGE = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 3).map((e) => `${e.tagName}.${e.className}`)"""


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_employers_pages_do_not_scroll_sideways(new_page, db, language):
    event = await sample_event(db, state="published", started_minutes_ago=200)
    page, _ = await logged_in_page(new_page, db, event.organization_id, language=language)
    paths = ["/events", f"/events/{event.id}", f"/events/{event.id}/summary", "/account/colleagues"]
    wide = []
    for width in (760, 640, 560, 480, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            await page.goto(path)
            if await page.evaluate("document.documentElement.scrollWidth") > width:
                wide.append((width, path, await page.evaluate(PAST_THE_EDGE)))
    assert wide == []
