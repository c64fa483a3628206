"""The employer's event pages in headless Chromium, Swedish and English, desktop and phone."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest

from app.events.rules import SWEDISH_TIME
from app.candidates import queries as candidate_queries
from tests import factories
from tests.accounts import log_in_with_form, make_user
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.interviewer_support import shot
from tests.summary_support import QUESTIONS, org_user, sample_event

pytestmark = pytest.mark.browser

TEXTS = {
    "sv": {
        "new": "Nytt intervjutillfälle",
        "add_question": "Lägg till fråga",
        "publish": "Publicera",
        "published": "Intervjutillfället är publicerat",
        "edit": "Ändra",
        "save": "Spara ändringarna",
        "saved": "Dina ändringar har sparats",
        "copy": "Kopiera",
        "save_copy": "Spara kopian som utkast",
        "delete": "Ta bort",
        "confirm": "Ja, ta bort intervjutillfället",
        "deleted": "Utkastet är borttaget.",  # the copy, a draft: nobody was told of it
        "slots": "Intervjutillfället rymmer 12 intervjuer.",
    },
    "en": {
        "new": "New event",
        "add_question": "Add question",
        "publish": "Publish",
        "published": "The event is published",
        "edit": "Edit",
        "save": "Save changes",
        "saved": "Your changes were saved",
        "copy": "Copy",
        "save_copy": "Save the copy as a draft",
        "delete": "Delete",
        "confirm": "Yes, delete the event",
        "deleted": "The draft was deleted.",
        "slots": "The event can hold 12 interviews.",
    },
}


async def logged_in_page(new_page, db, language: str, viewport: str, user=None):
    user = user or await make_user(db, language=language)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await log_in_with_form(page, user["email"], "/events")
    return page


async def fill_in_the_event(page, title: str, job_description: str) -> str:
    """The new event form's own fields: ten days ahead at 13:00, an hour of 10-minute
    interviews, 12 places. Returns the date as typed."""
    date = (dt.datetime.now(SWEDISH_TIME) + dt.timedelta(days=10)).date().isoformat()
    await page.fill("#title", title)
    await page.fill("#job_description", job_description)
    await page.fill("#date", date)
    await page.fill("#start_time", "13:00")
    await page.fill("#duration_minutes", "60")
    await page.fill("#interview_minutes", "10")
    await page.fill("#capacity", "12")
    return date


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_create_publish_edit_copy_delete(new_page, db, language, viewport):
    text = TEXTS[language]
    page = await logged_in_page(new_page, db, language, viewport)
    await assert_accessible(page)

    await page.get_by_role("link", name=text["new"]).click()
    date = await fill_in_the_event(
        page, f"Kundtjänst ({language}, {viewport})", "Svara på frågor.\n\nHeltid."
    )
    await page.fill("#question-1", "Varför kundtjänst?")
    await page.get_by_role("button", name=text["add_question"]).click()
    await page.get_by_role("button", name=text["add_question"]).click()
    await page.keyboard.type("Berätta om en svår kund")  # the new row has the focus
    await page.fill("#interviewer_email-1", "a@example.se")
    await page.fill("#interviewer_email-2", "b@example.se")
    await page.get_by_text(text["slots"]).wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name=text["publish"], exact=True).click()

    await page.get_by_text(text["published"]).wait_for()
    assert "Berätta om en svår kund" in await page.content()
    invite = await page.input_value("#invite-link")
    assert re.search(r"/r/[\w-]{20,}$", invite)
    await assert_accessible(page)

    await page.get_by_role("link", name=text["edit"], exact=True).click()
    await page.fill("#capacity", "20")
    await page.get_by_role("button", name=text["save"]).click()
    await page.get_by_text(text["saved"]).wait_for()

    await page.get_by_role("link", name=text["copy"], exact=True).click()
    assert await page.input_value("#date") == ""
    assert await page.input_value("#question-2") == "Berätta om en svår kund"
    await page.fill("#date", date)
    # (Caught as the redirect arrives: once shown, the notice leaves the address.)
    async with page.expect_navigation(url=re.compile(r"/events/\d+\?notice=created")):
        await page.get_by_role("button", name=text["save_copy"]).click()

    await page.get_by_role("link", name=text["delete"], exact=True).click()
    await assert_accessible(page)
    await page.get_by_role("button", name=text["confirm"]).click()
    await page.get_by_text(text["deleted"]).wait_for()
    await assert_accessible(page)


async def new_form_with(new_page, db, language: str, *, duration: str, minutes: str, capacity: str):
    """A new event's form (desktop) with these figures and one interviewer."""
    page = await logged_in_page(new_page, db, language, "desktop")
    await page.goto("/events/new")
    await page.fill("#duration_minutes", duration)
    await page.fill("#interview_minutes", minutes)
    await page.fill("#capacity", capacity)
    await page.fill("#interviewer_email-1", "a@example.se")
    return page


@pytest.mark.parametrize(
    "language, said",
    [("en", "The event can hold 1 interview."), ("sv", "Intervjutillfället rymmer 1 intervju.")],
)
async def test_the_form_says_one_interview_in_the_singular(new_page, db, language, said):
    page = await new_form_with(new_page, db, language, duration="10", minutes="10", capacity="1")
    await page.get_by_text(said, exact=True).wait_for()
    # The same person twice (in another case) is one interviewer, as the server counts them.
    await page.fill("#interviewer_email-2", " A@Example.se")
    assert await page.text_content("[data-capacity-summary]") == said


@pytest.mark.parametrize(
    "language, over",
    [
        ("en", "More candidates can register (10,000) than the event can interview (1,400)."),
        (
            "sv",
            "Fler kandidater kan anmäla sig (10\u00a0000) än intervjutillfället hinner intervjua (1\u00a0400).",
        ),
    ],
)
async def test_the_forms_sum_groups_its_numbers_and_says_nothing_of_values_out_of_bounds(
    new_page, db, language, over
):
    page = await new_form_with(new_page, db, language, duration="1400", minutes="1", capacity="10000")
    summary = page.locator("[data-capacity-summary]")
    await page.wait_for_function("document.querySelector('[data-capacity-summary]').textContent !== ''")
    assert await summary.text_content() == over
    # What the server would refuse (its field's error says so) makes no sum.
    for field, value in (("#capacity", "1e9"), ("#interview_minutes", "-5"), ("#duration_minutes", "2000")):
        await page.fill(field, value)
        assert await summary.text_content() == "", field
        await page.fill(
            field, {"#capacity": "10000", "#interview_minutes": "1", "#duration_minutes": "1400"}[field]
        )
        assert await summary.text_content() == over


async def test_a_double_click_on_publish_makes_one_event(new_page, db):
    """web/static/js/forms.js: the second click of a double click sent the form again, and the
    server made a second event. The button is usable again when the page comes back."""
    page = await logged_in_page(new_page, db, "en", "desktop")
    await page.goto("/events/new")
    title = f"Dubbelklick {dt.datetime.now().timestamp()}"
    await page.fill("#title", title)
    await page.fill("#date", (dt.datetime.now(SWEDISH_TIME) + dt.timedelta(days=10)).date().isoformat())
    await page.fill("#start_time", "13:00")
    await page.fill("#interviewer_email-1", "a@example.se")
    publish = page.get_by_role("button", name="Publish", exact=True)

    async def answer_late(route):
        # The server has the form at once; its answer reaches the page a moment later, as
        # over a slow network, so that the second click falls while the first is sent.
        response = await route.fetch(max_redirects=0)
        await asyncio.sleep(0.6)
        await route.fulfill(response=response)

    await page.route("**/events/new", answer_late)
    await publish.scroll_into_view_if_needed()
    box = await publish.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # The mouse itself, as a person's double click: Locator.click would wait for the button
    # to be enabled again (Playwright counts aria-disabled as disabled).
    await page.mouse.click(x, y)
    await page.wait_for_timeout(150)
    await page.mouse.click(x, y)
    await page.get_by_text(TEXTS["en"]["published"]).wait_for()
    await page.unroute("**/events/new")
    await page.wait_for_timeout(1000)  # a second request, had one been sent, is done by now
    assert await db.fetchval("SELECT count(*) FROM event WHERE title = $1", title) == 1
    await page.go_back()
    await page.wait_for_url(re.compile(r"/events/new$"))
    assert await page.get_by_role("button", name="Publish", exact=True).get_attribute("aria-disabled") is None


NO_INTERVIEWER = {
    "sv": "Lägg till minst en intervjuare för att publicera intervjutillfället, eller spara det som utkast.",
    "en": "Add at least one interviewer to publish the event, or save it as a draft.",
}


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_publishing_without_an_interviewer_asks_for_one(new_page, db, language):
    """It published, and said the interviewers were mailed their links, with none there."""
    page = await logged_in_page(new_page, db, language, "desktop")
    await page.goto("/events/new")
    title = f"Ingen intervjuare {dt.datetime.now().timestamp()}"
    await page.fill("#title", title)
    await page.fill("#date", (dt.datetime.now(SWEDISH_TIME) + dt.timedelta(days=10)).date().isoformat())
    await page.fill("#start_time", "13:00")
    await page.get_by_role("button", name=TEXTS[language]["publish"], exact=True).click()
    summary = page.locator("#error-summary")
    await summary.get_by_text(NO_INTERVIEWER[language]).wait_for()
    # Beside the interviewers, where the summary's link leads.
    assert (await page.locator("#interviewers #err-interviewers").inner_text()).endswith(
        NO_INTERVIEWER[language]
    )
    await assert_accessible(page)
    await summary.get_by_role("link").click()
    await page.wait_for_url(re.compile(r"#interviewers$"))
    assert await db.fetchval("SELECT count(*) FROM event WHERE title = $1", title) == 0
    await page.fill("#interviewer_email-1", "a@example.se")
    await page.get_by_role("button", name=TEXTS[language]["publish"], exact=True).click()
    await page.get_by_text(TEXTS[language]["published"]).wait_for()


FULL = {
    "sv": "Alla platser är tagna (1 av 1): kandidater som öppnar inbjudningslänken får veta att anmälan är stängd.",
    "en": "All places are taken (1 of 1): candidates who open the invite link are told that registration is closed.",
}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_full_event_says_so_beside_the_invite_switch(new_page, db, language, viewport):
    user = await make_user(db, language=language)
    event = await factories.make_event(db, organization_id=user["organization_id"], capacity=1)
    await factories.set_interviewers(db, event, [("utan-namn@example.se", "")])
    await factories.add_candidate(db, event["id"])
    page = await logged_in_page(new_page, db, language, viewport, user)
    await page.goto(f"/events/{event['id']}")
    await page.get_by_text(FULL[language]).wait_for()
    # Named by address, as everywhere else (it said "—").
    assert await page.locator("section[aria-labelledby=interviewers-heading] td").first.inner_text() == (
        "utan-namn@example.se"
    )
    await assert_accessible(page)


async def test_enter_in_the_new_event_form_saves_a_draft_and_moves_through_the_lists(new_page, db):
    """Enter is how many people go to the next line: in a list it does, and elsewhere it
    saves a draft. It never publishes, which mails the interviewers a half-written event."""
    page = await logged_in_page(new_page, db, "en", "desktop")
    await page.goto("/events/new")
    await page.fill("#question-1", "Why this job?")
    await page.press("#question-1", "Enter")
    assert await page.evaluate("document.activeElement.id") == "question-2"
    await page.press("#question-2", "Enter")  # the last row, empty: no new one, no form sent
    assert await page.evaluate("document.activeElement.id") == "question-2"
    await page.keyboard.type("What did you learn last?")
    await page.press("#question-2", "Enter")  # the last row, filled in: a new one
    assert await page.evaluate("document.activeElement.id") == "question-3"
    assert page.url.endswith("/events/new")
    await page.fill("#interviewer_email-1", "enter@example.se")
    await page.press("#interviewer_email-1", "Enter")
    assert await page.evaluate("document.activeElement.id") == "interviewer_name-1"
    await fill_in_the_event(page, "Pressed Enter", "Answer questions.")
    await page.press("#capacity", "Enter")
    await page.wait_for_url(re.compile(r"/events/\d+"))
    event_id = int(re.search(r"/events/(\d+)", page.url).group(1))
    state = await db.fetchval("SELECT state::text FROM event WHERE id = $1", event_id)
    assert state == "draft"
    await page.get_by_text("Nothing has been sent yet.").wait_for()
    await assert_accessible(page)


# Of wide letters, the third 27 of them: whole where the list is as wide as it gets.
ORDINARY_ADDRESSES = [
    "anna.karlsson@foretaget.se",
    "per-olof.johansson@gmail.com",
    "magnus.wallmark@outlook.com",
]
# How many lines each text of a cell takes ("2026-12-06" and "16:21" are two).
LINES_OF_EACH_PART = """(cell) => {
  const lines = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    const tops = [...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top));
    if (tops.length) lines.push(new Set(tops).size);
  }
  return lines;
}"""


# How many lines an element's text takes in all: its text's own boxes (an inline-block's box
# stands higher than the text beside it, by half the line's leading), not a hidden text's
# for a screen reader (its button's "(Kim Andersson)").
LINES_OF_THE_WHOLE = """(element) => {
  const tops = new Set();
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (walker.currentNode.parentElement.closest(".visually-hidden")) continue;
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
  }
  return tops.size;
}"""
# The hyphenated words of the list's own labels (its headers, actions and the personal
# link's disclosure, not what a person typed) that are not on one line ("PIN-" / "kod": a
# hyphen is where a browser may break a line), each with the lines it takes.
SPLIT_LABEL_WORDS = r"""(table) => {
  const split = [];
  for (const root of table.querySelectorAll("thead, .candidate-actions, .candidate-secret")) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (const match of node.data.matchAll(/[\p{L}\d]+(?:-[\p{L}\d]+)+/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
        const lines = new Set(rects.map((rect) => Math.round(rect.top))).size;
        if (lines > 1) split.push([match[0], lines]);
      }
    }
  }
  return split;
}"""
# How many hyphenated label words the list shows now (those it has kept whole, and any split).
LABEL_WORDS_SHOWN = r"""(table) => [...table.querySelectorAll("thead, .candidate-actions, .candidate-secret")]
  .flatMap((root) => (root.innerText.match(/[\p{L}\d]+(?:-[\p{L}\d]+)+/gu) || [])).length"""
# From a small phone to a wide desktop, by way of a tablet upright (768), a small laptop
# (800) and a tablet on its side (1024); the tables are cards below 760.
WINDOW_WIDTHS = [320, 390, 768, 800, 1024, 1280, 1440]
# The page's width and the window's, and the tables wider than the box they are in (at 1280
# the registrations once ran 80 px into the margin, where the page did not scroll).
WIDTHS = """() => [
  document.documentElement.scrollWidth,
  document.documentElement.clientWidth,
  [...document.querySelectorAll("main table")]
    .filter((table) => table.getBoundingClientRect().right > table.parentElement.getBoundingClientRect().right + 0.5)
    .map((table) => table.className),
]"""


RESEND = {"sv": "Skicka bekräftelsen igen", "en": "Resend confirmation"}


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_long_name_or_address_wraps_in_its_cell_and_the_page_keeps_its_width(new_page, db, language):
    user = await make_user(db, language=language)
    event = await factories.make_event(db, organization_id=user["organization_id"])
    # Wide letters: an address of narrow ones ("i") fitted where one of "m" widened the page.
    await factories.set_interviewers(db, event, [("m" * 60 + "@example.se", "")])
    longest = await factories.add_candidate(
        db, event["id"], name="Ö" * 80, email="a" * 60 + "@xn--exmple-cua.se", phone="+46 70 123 45 67"
    )
    # The longest status a registration has: its link closed after wrong PINs (app/guessing.py).
    await db.execute(
        "INSERT INTO guess_secret (scope, subject, in_a_row) VALUES ('pin', $1, 100)", str(longest["id"])
    )
    for address in ORDINARY_ADDRESSES:
        await factories.add_candidate(
            db, event["id"], name="Kim Andersson", email=address, phone="070-123 45 67"
        )
    removed = await factories.add_candidate(
        db, event["id"], name="Borttagen Person", email="borta@example.se"
    )
    await candidate_queries.cancel(db, removed["id"], "employer")
    page = await logged_in_page(new_page, db, language, "desktop", user)
    await page.goto(f"/events/{event['id']}")
    # Shown as the candidate wrote it, not in the ASCII form it is mailed in.
    await page.get_by_text("a" * 60 + "@exämple.se").wait_for()
    # The longest labels open too: the personal link's ("Kopiera PIN-koden") and the
    # question before a new link ("Gör en ny länk och PIN-kod"), beside the longest name.
    row = page.locator(".candidate-table tr.candidate", has_text="Ö" * 20)
    await row.locator(".confirm-reissue summary").click()
    await page.locator(".candidate-secret summary").first.click()
    table = page.locator("table.candidate-table")
    for width in WINDOW_WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        page_width, window_width, overflowing = await page.evaluate(WIDTHS)
        assert page_width <= window_width and overflowing == [], (width, page_width, overflowing)
        # "PIN-kod", "E-post" whole at every width: "PIN-" at a line's end and "kod" on the
        # next read as two words.
        assert await table.evaluate(SPLIT_LABEL_WORDS) == [], width
        if width >= 800:
            # Where the table has the room, an ordinary address breaks, if at all, at its "@"
            # ("anna.karlsson / @foretaget.se", not "anna.karlsson@foretage / t.se" nor
            # "anna / .karlsson@foretaget.se"), and the phone under it is whole ("070-" at a
            # line's end reads as a number of its own).
            for address in ORDINARY_ADDRESSES:
                cell = page.locator(".candidate-table td", has_text=address)
                parts = await cell.locator(".address-part, .phone").evaluate_all(
                    f"parts => parts.map({LINES_OF_THE_WHOLE})"
                )
                assert parts == [1, 1, 1], (width, address, parts)
            # The actions in a column beside a name of 80 letters: "Resend confirmation" on
            # two lines at most (it stood as "Skicka / bekräftelsen / igen"), and "New link
            # and PIN" on one where it is not open (open, its question's frame takes a little).
            resend = row.locator(".candidate-actions button", has_text=RESEND[language])
            assert await resend.evaluate(LINES_OF_THE_WHOLE) <= 2, width
            closed = page.locator(".candidate-table tr.candidate", has_text=ORDINARY_ADDRESSES[0])
            new_link = closed.locator(".confirm-reissue summary")
            assert await new_link.evaluate(LINES_OF_THE_WHOLE) == 1, width
        if width >= 1024:
            # The list as wide as it gets: an ordinary address whole, even of 27 wide letters.
            for address in ORDINARY_ADDRESSES:
                words = page.locator(".candidate-table .words", has_text=address)
                assert await words.evaluate(LINES_OF_THE_WHOLE) == 1, (width, address)
            # The date and the time each whole: "2026-12-06 / 16:21", not "2026- / 12-06 / 16:21".
            for lines in await page.locator(".candidate-table td:has(time)").evaluate_all(
                f"cells => cells.map({LINES_OF_EACH_PART})"
            ):
                assert set(lines) == {1}, (width, lines)
        if width in (390, 800, 1280):
            await shot(page, f"long-names-{language}-{width}")
    # Checked where the Swedish labels have them: "PIN-kod", "E-post".
    assert await table.evaluate(LABEL_WORDS_SHOWN) >= (4 if language == "sv" else 0)
    await page.set_viewport_size({"width": 800, "height": 900})
    await assert_accessible(page)


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_ordinary_names_and_short_addresses_stay_whole_on_a_small_laptop(new_page, db, language):
    """The actions' long line took the room the table had: "Fatima Al- / Hassan" and
    "sara.l / @outlook.com" broke at 800 px though their column could hold them."""
    user = await make_user(db, language=language)
    event = await factories.make_event(db, organization_id=user["organization_id"])
    people = [("Fatima Al-Hassan", "sara.l@outlook.com"), ("Mikael Öberg", "mikael@telia.se")]
    for name, address in people:
        await factories.add_candidate(db, event["id"], name=name, email=address, phone="073-555 12 34")
    page = await logged_in_page(new_page, db, language, "desktop", user)
    await page.goto(f"/events/{event['id']}")
    for width in (800, 1024):
        await page.set_viewport_size({"width": width, "height": 900})
        for text in [part for person in people for part in person]:
            words = page.locator(".candidate-table .words", has_text=text)
            assert await words.evaluate(LINES_OF_THE_WHOLE) == 1, (width, text)


@pytest.mark.parametrize(("language", "viewport"), [("sv", "desktop"), ("en", "phone")])
async def test_questions_the_interviews_began_with_cannot_be_removed_or_moved(
    new_page, db, language, viewport
):
    """After interviews, the questions and attributes they began with are read only with
    why, without ✕ or arrows, and a new one cannot be moved above them; new ones after them
    may be added, moved among themselves and removed (app/events/held.py)."""
    event = await sample_event(db, state="live", started_minutes_ago=30, duration_minutes=240)
    # On a whole minute, as the form sets it (a start in the past may only be kept as it is).
    await db.execute("UPDATE event SET starts_at = date_trunc('minute', starts_at) WHERE id = $1", event.id)
    user = await org_user(db, event, language=language)
    page = await logged_in_page(new_page, db, language, viewport, user=user)
    await page.goto(f"/events/{event.id}/edit")
    questions = page.locator("#questions [data-item]")
    assert await questions.count() == len(QUESTIONS) + 2
    for index in range(len(QUESTIONS)):
        row = questions.nth(index)
        assert await row.locator("button").count() == 0
        assert await row.locator("input").get_attribute("readonly") is not None
    first_new = questions.nth(len(QUESTIONS))
    assert await first_new.locator("[data-move='-1']").is_disabled()
    assert not await first_new.locator("[data-remove]").is_disabled()
    await first_new.locator("input").fill("Har du körkort?")
    await first_new.locator("[data-move='1']").click()
    # Moved below the empty row after it; the kept ones where they were.
    values = await questions.locator("input").evaluate_all("inputs => inputs.map(input => input.value)")
    assert values == [*QUESTIONS, "", "Har du körkort?"]
    await questions.nth(len(QUESTIONS)).locator("[data-remove]").click()
    # Both interviewers have held interviews: their addresses read only, no ✕, the names free.
    people = page.locator("#interviewers [data-item]")
    for index in range(2):
        assert await people.nth(index).locator("button").count() == 0
        assert await people.nth(index).locator("input[type=email]").get_attribute("readonly") is not None
        assert await people.nth(index).locator("input[type=text]").get_attribute("readonly") is None
    assert await people.nth(2).locator("[data-remove]").count() == 1
    await shot(page, f"edit-kept-{language}-{viewport}")
    await assert_accessible(page)
    async with page.expect_navigation(url=re.compile(rf"/events/{event.id}\?notice=saved")):
        await page.get_by_role("button", name=TEXTS[language]["save"]).click()
    texts = await db.fetch("SELECT text FROM event_question WHERE event_id = $1 ORDER BY position", event.id)
    assert [row["text"] for row in texts] == [*QUESTIONS, "Har du körkort?"]


ADD_INTERVIEWER = {"sv": "Lägg till intervjuare", "en": "Add interviewer"}


@pytest.mark.parametrize(("language", "viewport"), [("sv", "desktop"), ("en", "phone")])
async def test_every_faulty_interviewer_row_is_marked_at_once(new_page, db, language, viewport):
    """Two rows wrong are both told at once, each at its input and in the summary (one at a
    time took a send per row to learn of them)."""
    page = await logged_in_page(new_page, db, language, viewport)
    await page.goto("/events/new")
    title = f"Två fel {dt.datetime.now().timestamp()}"
    await fill_in_the_event(page, title, "Svara på frågor.")
    await page.fill("#interviewer_email-1", "not-an-email")
    await page.fill("#interviewer_name-2", "Bara Namn")
    await page.get_by_role("button", name=TEXTS[language]["publish"], exact=True).click()
    summary = page.locator("#error-summary")
    await summary.wait_for()
    links = summary.get_by_role("link")
    assert await links.count() == 2
    assert [await link.get_attribute("href") for link in await links.all()] == [
        "#interviewer_email-1",
        "#interviewer_email-2",
    ]
    for input_id, error_id in (
        ("interviewer_email-1", "err-interviewers"),
        ("interviewer_email-2", "err-interviewers_2"),
    ):
        field = page.locator(f"#{input_id}")
        assert await field.get_attribute("aria-invalid") == "true"
        assert await field.get_attribute("aria-describedby") == error_id
        assert await page.locator(f"#{error_id}").is_visible()
    assert "Bara Namn" in await page.locator("#err-interviewers_2").inner_text()
    # A row added now is a new, empty one: not marked as the first row's error.
    await page.get_by_role("button", name=ADD_INTERVIEWER[language]).click()
    added = page.locator("#interviewers [data-item]").last.locator("input[type=email]")
    assert await added.get_attribute("aria-invalid") is None
    assert await added.get_attribute("aria-describedby") is None
    await shot(page, f"two-interviewer-errors-{language}-{viewport}")
    await assert_accessible(page)
    assert await db.fetchval("SELECT count(*) FROM event WHERE title = $1", title) == 0


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_a_link_of_the_error_summary_shows_the_field_with_its_label(new_page, db, viewport):
    """The browser's own jump to a field put it at the very top of the window, its label
    above it out of sight: an empty red box with no name, for someone who zooms in or uses
    the keyboard."""
    page = await logged_in_page(new_page, db, "en", viewport)
    await page.goto("/events/new")
    await page.get_by_role("button", name="Save as draft").click()
    summary = page.locator("#error-summary")
    await summary.wait_for()
    await summary.get_by_role("link", name=re.compile(r"^Title: ")).focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"#title$"))
    assert await page.evaluate("document.activeElement.id") == "title"
    label = await page.locator("label[for=title]").bounding_box()
    field = await page.locator("#title").bounding_box()
    height = VIEWPORTS[viewport]["height"]
    assert 0 <= label["y"] and field["y"] + field["height"] <= height, (label, field)


async def test_the_focus_ring_stays_on_a_date_field_whose_picker_button_has_it(new_page, db):
    """Tab goes through the date's day, month and year and then onto its calendar button,
    inside the field, where :focus-visible matches nothing."""
    page = await logged_in_page(new_page, db, "en", "desktop")
    await page.goto("/events/new")
    for field in ("#date", "#start_time"):
        await page.focus(field)
        # Past the field's parts (day, month, year; hours, minutes and perhaps AM/PM, by the
        # browser's locale), which match :focus, to its button, which only :focus-within.
        on_button = "e => !e.matches(':focus') && e.matches(':focus-within')"
        for _ in range(4):
            if await page.locator(field).evaluate(on_button):
                break
            await page.keyboard.press("Tab")
        assert await page.locator(field).evaluate(on_button), field
        outline = await page.locator(field).evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline == "solid", field


@pytest.mark.parametrize(("language", "viewport"), [("sv", "phone"), ("en", "desktop")])
async def test_an_interviewers_link_and_code_are_shown_with_copy_buttons(new_page, db, language, viewport):
    """As a candidate's link and PIN are: a field each and its copy button (the code was only
    in a sentence, and the link to be selected by hand)."""
    page = await logged_in_page(new_page, db, language, viewport)
    await page.goto("/events/new")
    await fill_in_the_event(page, f"Lager ({language})", "Plocka.")
    await page.fill("#interviewer_email-1", "intervjuare@example.se")
    async with page.expect_navigation(url=re.compile(r"/events/\d+\?notice=published")):
        await page.get_by_role("button", name=TEXTS[language]["publish"], exact=True).click()
    row = await db.fetchrow(
        "SELECT id, access_token, access_code FROM event_interviewer WHERE email = 'intervjuare@example.se'"
        " ORDER BY id DESC LIMIT 1"
    )
    await page.locator(".interviewer-secret summary").click()
    link = page.locator(f"#interviewer-link-{row['id']}")
    assert (await link.input_value()).endswith(f"/i/{row['access_token']}")
    assert await page.locator(f"#interviewer-code-{row['id']}").input_value() == row["access_code"]
    copy = {"sv": ("Kopiera länken", "Kopiera koden"), "en": ("Copy link", "Copy code")}[language]
    for name in copy:
        assert (
            await page.locator(".interviewer-secret")
            .get_by_role("button", name=re.compile(name))
            .is_enabled()
        )
    await page.screenshot(path=f"/tmp/shots-interviewer-link-{language}-{viewport}.png", full_page=True)
    await assert_accessible(page)
    # A copy says so on the button, then puts its words back as they were: the address in
    # them for screen readers only (it came back as text on the button).
    await page.evaluate("navigator.clipboard.writeText = async () => {}")
    button = page.locator(".interviewer-secret").get_by_role("button", name=re.compile(copy[1]))
    await button.click()
    await page.wait_for_function(
        "[...document.querySelectorAll('.interviewer-secret button')].some((b) => b.textContent.startsWith('✓'))"
    )
    await page.wait_for_function(
        "[...document.querySelectorAll('.interviewer-secret button')].every((b) => !b.textContent.startsWith('✓'))"
    )
    assert (await button.locator(".visually-hidden").inner_text()).strip() == "(intervjuare@example.se)"


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_inputs_side_by_side_line_up_with_or_without_a_hint(new_page, db, language):
    """Date beside Start time (which has a hint), Duration and Candidates (hints) beside
    Minutes per interview (none): the inputs of a row stand at one height on a desktop."""
    page = await logged_in_page(new_page, db, language, "desktop")
    await page.goto("/events/new")

    async def tops(*selectors: str) -> set[float]:
        return {round((await page.locator(selector).bounding_box())["y"]) for selector in selectors}

    assert len(await tops("#date", "#start_time")) == 1
    assert len(await tops("#duration_minutes", "#interview_minutes", "#capacity")) == 1


AD_TEXTS = {
    "sv": {
        "open": "Klistra in texten från en befintlig jobbannons",
        "use": "Använd som jobbeskrivning",
        "empty": "Klistra först in annonsens text i rutan. Jobbeskrivningen ändrades inte.",
        "replaced": "Jobbeskrivningen ersattes med annonsens text.",
        "undo": "Återställ den tidigare jobbeskrivningen",
        "restored": "Den tidigare jobbeskrivningen har återställts.",
    },
    "en": {
        "open": "Paste the text of an existing job ad",
        "use": "Use as job description",
        "empty": "Paste the text of the ad in the box first. The job description was not changed.",
        "replaced": "The job description was replaced by the ad’s text.",
        "undo": "Put back the earlier job description",
        "restored": "The earlier job description is back.",
    },
}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_pasted_ad_replaces_the_description_only_with_text_and_can_be_undone(
    new_page, db, language, viewport
):
    """An empty box taken as the description would have wiped what the employer wrote; the
    ad's text that replaced it can be put back, also after a second press. Pressed from the
    keyboard alone."""
    text = AD_TEXTS[language]
    page = await logged_in_page(new_page, db, language, viewport)
    await page.goto("/events/new")
    description = page.locator("#job_description")
    await description.fill("Vår egen text om jobbet.")
    await page.get_by_text(text["open"], exact=True).focus()
    await page.keyboard.press("Enter")  # the summary opens its details
    use = page.get_by_role("button", name=text["use"], exact=True)

    async def said(words: str) -> None:
        await page.wait_for_function(
            "(words) => document.querySelector('[data-ad-note]').textContent === words", arg=words
        )

    await use.focus()
    await page.keyboard.press("Enter")
    await said(text["empty"])
    assert await description.input_value() == "Vår egen text om jobbet."
    assert await page.evaluate("document.activeElement.id") == "job_ad"
    undo = page.get_by_role("button", name=text["undo"], exact=True)
    assert not await undo.is_visible()

    await page.keyboard.type("Säljare\u00a0sökes   \n\n\n\nTill Göteborg.")
    for _ in range(2):  # a second press (a double Enter) keeps the employer's text to put back
        await use.focus()
        await page.keyboard.press("Enter")
        await said(text["replaced"])
    assert await description.input_value() == "Säljare sökes\n\nTill Göteborg."
    await shot(page, f"pasted-ad-{language}-{viewport}")
    await assert_accessible(page)
    await undo.focus()
    await page.keyboard.press("Enter")
    await said(text["restored"])
    assert await description.input_value() == "Vår egen text om jobbet."
    assert not await undo.is_visible()
    assert await page.evaluate("document.activeElement.id") == "job_description"
