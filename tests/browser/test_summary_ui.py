"""The summary page in headless Chromium: Swedish and English, desktop and phone, axe, the
keyboard, and the print stylesheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.pdfs import pdf_text
from tests.accounts import log_in_with_form
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.integration.test_summary_lengths import INTERVIEWER, ended_by_the_clock
from tests.summary_support import add_interview, add_interviewer, make_event, org_user, sample_event

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-summary")
TEXTS = {
    "sv": {"candidate": "Kandidat", "heading": "Sammanställning", "pdf": "Ladda ned PDF"},
    "en": {"candidate": "Candidate", "heading": "Summary", "pdf": "Download PDF"},
}


async def candidate_names(page) -> list[str]:
    """The candidates' names in the interviews' order (the e-mail and phone under each left out)."""
    return [text.split("\n")[0] for text in await page.locator("td.candidate").all_inner_texts()]


async def summary_page(new_page, db, language: str, viewport: str, **options):
    event = await sample_event(db, **options)
    user = await org_user(db, event, language=language)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await log_in_with_form(page, user["email"], f"/events/{event.id}/summary")
    return event, page


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_summary_page_accessible_and_sortable_by_keyboard(new_page, db, language, viewport):
    text = TEXTS[language]
    event, page = await summary_page(new_page, db, language, viewport)
    assert await page.locator("html").get_attribute("lang") == language
    await page.get_by_text(text["heading"], exact=True).wait_for()
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"page-{language}-{viewport}.png"), full_page=True)
    await assert_accessible(page)

    # The sort links work from the keyboard: focus one, press Enter, the order changes.
    sort_nav = page.locator("nav.sort-nav")
    link = sort_nav.get_by_role("link", name=text["candidate"])
    await link.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"sort=candidate&dir=asc"))
    # Örjan's interviews, last: Swedish puts Å after Z, English sorts it as A.
    ascending = ["Björn Ängström", "Åsa Öberg"] if language == "sv" else ["Åsa Öberg", "Björn Ängström"]
    names = await candidate_names(page)
    assert names[-2:] == ascending
    await sort_nav.get_by_role("link", name=re.compile(text["candidate"])).focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"sort=candidate&dir=desc"))
    assert (await candidate_names(page))[-2:] == ascending[::-1]
    await assert_accessible(page)
    assert await page.get_by_role("link", name=text["pdf"]).get_attribute("href") == (
        f"/events/{event.id}/summary.pdf?sort=candidate&dir=desc"
    )


async def test_print_stylesheet_leaves_out_the_page_furniture(new_page, db):
    _, page = await summary_page(new_page, db, "sv", "desktop")
    await page.emulate_media(media="print")
    await page.screenshot(path=str(SHOTS / "print-sv.png"), full_page=True)
    for selector in (".site-header", ".site-footer", "nav.sort-nav", ".actions"):
        assert not await page.locator(selector).first.is_visible(), selector
    assert await page.get_by_text("Åsa Öberg").first.is_visible()
    pdf = await page.pdf(format="A4")  # what the browser's own print makes
    assert pdf.startswith(b"%PDF")
    (SHOTS / "print-sv.pdf").write_bytes(pdf)


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_no_printed_page_ends_with_a_heading_or_a_tables_header(new_page, db, tmp_path, language):
    """The browser's print of the summary, with its content moved down a step at a time so
    that every heading and table meets the foot of a page: none is left there alone, its
    rows on the next page (the header of the first interviewer's table was, at the foot of
    page 1)."""
    _, page = await summary_page(new_page, db, language, "desktop")
    await page.emulate_media(media="print")
    heads = {
        "sv": ("Kandidat Starttid", "Intervjuare Intervjuer", "Per intervjuare", "Intervjuer", "Totalt"),
        "en": ("Candidate Start time", "Interviewer Interviews", "Per interviewer", "Interviews", "Totals"),
    }[language]
    groups = await page.locator(".summary-group h3").all_inner_texts()
    alone = []
    for step in range(0, 900, 25):
        await page.evaluate(f"document.querySelector('.summary h1').style.paddingBottom = '{step}px'")
        text = pdf_text(await page.pdf(format="A4"), tmp_path)
        last_lines = [
            " ".join(part.split())
            for part in (p.strip().splitlines()[-1] for p in text.split("\f")[:-1] if p.strip())
        ]
        alone += [(step, line) for line in last_lines if line.startswith(heads) or line in groups]
        # The tables print as tables, their headers on paper (not as a phone's cards).
        lines = {" ".join(line.split()) for line in text.splitlines()}
        assert any(line.startswith(heads[0]) for line in lines), step
        assert any(line.startswith(heads[1]) for line in lines), step
    assert alone == []


async def test_running_event_and_interviewer_link_pages_are_accessible(new_page, db):
    from tests.integration.channel_support import INTERVIEWER_CODE

    event, page = await summary_page(new_page, db, "en", "phone", state="live", started_minutes_ago=20)
    await page.get_by_text("The event is still running").wait_for()
    await assert_accessible(page)
    # On paper, that it was still running; not to reload the paper.
    await page.emulate_media(media="print")
    assert await page.get_by_text("The event is still running").is_visible()
    assert not await page.get_by_text("Reload the page to see the latest.").is_visible()
    await page.emulate_media(media="screen")
    token = event.interviewers["Lena Åkesson"][1]
    interviewer = await new_page(viewport=VIEWPORTS["desktop"], extra_http_headers={"Accept-Language": "sv"})
    await interviewer.goto(f"/i/{token}")
    await interviewer.fill("#code", INTERVIEWER_CODE)
    async with interviewer.expect_navigation():
        await interviewer.keyboard.press("Enter")
    await interviewer.goto(f"/i/{token}/summary")
    await interviewer.get_by_text("Sammanställningen blir tillgänglig").wait_for()
    await interviewer.screenshot(path=str(SHOTS / "not-yet-sv.png"))
    await assert_accessible(interviewer)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_details_keep_their_columns_without_a_comment(new_page, db, viewport):
    """Åsa's interview has a comment, Ida's has none: Ida's ratings and notes stand right
    under Åsa's, not one place to the left."""
    event = await sample_event(db)
    await add_interview(
        db,
        event,
        "Ida Lind",
        "Örjan Ekström",
        minutes_ago=110,
        seconds=500,
        interested=True,
        notes="Lugn och trygg.",
        covered=(1, 3),
        ratings={1: 4, 2: 5},
    )
    user = await org_user(db, event, language="sv")
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": "sv"})
    await log_in_with_form(page, user["email"], f"/events/{event.id}/summary")

    def details(name):
        return page.locator("tbody.interview", has=page.locator("td.candidate", has_text=name))

    for label in ("Bedömningar", "Anteckningar", "Frågor som togs upp"):
        with_comment = await details("Åsa Öberg").locator("dt", has_text=label).bounding_box()
        without = await details("Ida Lind").locator("dt", has_text=label).bounding_box()
        assert without["x"] == with_comment["x"], label
    assert await details("Ida Lind").locator("dt", has_text="Kandidatens kommentar").count() == 1
    await page.screenshot(path=str(SHOTS / f"details-columns-sv-{viewport}.png"), full_page=True)
    await assert_accessible(page)


async def test_an_interviewer_shown_by_a_long_address_does_not_widen_a_phones_page(new_page, db):
    """An interviewer without a name is shown by their e-mail address, one unbroken word,
    in the group's heading and the totals table's header."""
    event, page = await summary_page(new_page, db, "sv", "phone")
    address = "rekryteringsansvarig.region.vasternorrland.ostersund@exempelkommunen.example.se"
    await db.execute(
        "UPDATE event_interviewer SET name = '', email = $2 WHERE id = $1",
        event.interviewers["Örjan Ekström"][0],
        address,
    )
    await page.reload()
    await page.get_by_text(address).first.wait_for()
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


# The words of each of the page's table headers, and on how many lines each word is drawn.
WORD_LINES = """() => {
  const found = [];
  for (const th of document.querySelectorAll("main th")) {
    const text = th.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    const range = document.createRange();
    let at = 0;
    for (const word of text.textContent.split(" ")) {
      if (word) {
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        found.push([word, tops.size]);
      }
      at += word.length + 1;
    }
  }
  return found;
}"""


async def test_table_headers_break_between_words_not_inside_them(new_page, db):
    """A table gives each column its narrowest content's width: with cells allowed to break
    anywhere that was one letter, and a column with room for "Intresserad" drew it as
    "Intressera d" (on a tablet here; on the events list at desktop width too). Swedish: the
    longer words."""
    _event, page = await summary_page(new_page, db, "sv", "desktop")
    await page.set_viewport_size({"width": 768, "height": 1024})  # a tablet held upright
    words = await page.evaluate(WORD_LINES)
    assert ["Intresserad", 1] in words
    assert [word for word, lines in words if lines > 1] == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_lengths_talked_and_unknown_read_well(new_page, db, viewport):
    """An abandoned call's length (the time talked) and one not known, with the note that
    says why, on a desktop and a phone (the table's cards), in English: axe and a picture."""
    event = await make_event(db)
    await add_interviewer(db, event, INTERVIEWER)
    for name, media in (("Åsa Öberg", "left"), ("Björn Ängström", None), ("Märta Ölund", "stayed")):
        await ended_by_the_clock(db, event, name, media)
    user = await org_user(db, event, language="en")
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": "en"})
    await log_in_with_form(page, user["email"], f"/events/{event.id}/summary")
    await page.get_by_text("It is left out of the average length.", exact=False).wait_for()
    lengths = await page.locator("td[data-label='Length']").all_inner_texts()
    assert [text.strip() for text in lengths] == ["3 min", "Unknown", "10 min"]
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"page-lengths-en-{viewport}.png"), full_page=True)
    await assert_accessible(page)
