"""The employer's pages with tables at 200 % and 400 % zoom of a 1280-px screen (640 and 320
CSS px) and between, and on a tablet or a small laptop: nothing makes the page scroll
sideways (WCAG 1.4.10). Between phone width and 760 px the events list, the registrations
and the summary's per-interviewer figures made it up to 760 px wide; from 761 to 789 px, where
they are tables again, the per-interviewer figures made it 773."""

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
    for width in (1024, 800, 768, 760, 640, 560, 480, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            await page.goto(path)
            if await page.evaluate("document.documentElement.scrollWidth") > width:
                wide.append((width, path, await page.evaluate(PAST_THE_EDGE)))
    assert wide == []


# Whether any word of the cell's text was broken across two lines (a line starts inside it).
# Every text node of the cell (an address comes in parts, broken only between them: at its
# "@" first, then at a dot), each word of it on one line.
BROKEN_WORDS = """(cell) => {
  const range = document.createRange();
  const walker = document.createTreeWalker(cell.querySelector(".words") ?? cell, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    for (const word of text.textContent.matchAll(/\\S+/g)) {
      range.setStart(text, word.index);
      range.setEnd(text, word.index + word[0].length);
      if (range.getClientRects().length > 1) return true;
    }
  }
  return false;
}"""


async def test_an_interviewers_name_and_address_keep_their_words_where_the_table_has_room(new_page, db):
    """With the meeting links shown, the interviewers' table gave their column the room and
    broke the addresses inside words ("demo@snabbintervjue / r.se") on a desktop."""
    event = await sample_event(db, state="published")
    await db.execute(
        """UPDATE event_interviewer SET name = 'Intervjuare Exempelsson',
                  email = 'intervjuare.' || id || '@snabbintervjuer.se' WHERE event_id = $1""",
        event.id,
    )
    page, _ = await logged_in_page(new_page, db, event.organization_id, language="sv")
    for width in (1280, 800):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(f"/events/{event.id}")
        table = page.locator("#interviewers-heading ~ table")
        for summary in await table.locator("details summary").all():
            if (await summary.text_content()).startswith("Visa"):
                await summary.click()
        cells = table.locator("td.keeps-words-when-wide")
        assert await cells.count() >= 2
        for cell in await cells.all():
            assert not await cell.evaluate(BROKEN_WORDS), (width, await cell.text_content())
