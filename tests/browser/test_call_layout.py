"""The call owns the viewport: for the candidate and the interviewer, in a real call, at two
desktop and three phone sizes (upright, upright with the on-screen keyboard up, and on its
side), the time left and the controls are inside the window and not covered, the videos are in
view, and the interviewer's notes and ratings (20 questions, 20 attributes) scroll by
themselves without taking the call away; on a phone held upright the page scrolls to them
instead (a box scrolling inside the page held the notes out of reach). axe's WCAG 2.1 AA
rules at every size; screenshots in /tmp/shots-call-layout/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import open_meeting
from tests.browser.test_candidate_live import open_candidate, tokens
from tests.browser.test_candidate_live_call import REMOTE_PLAYING
from tests.browser.test_call_other_gone import called_in_and_joining
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-call-layout")
SIZES = {
    "desktop": (1280, 800),
    "laptop": (1366, 768),
    "phone": (390, 844),
    "phone-keyboard": (390, 480),  # upright, the on-screen keyboard taking the rest
    "phone-landscape": (844, 390),
}
# Where the interviewer's page, not a panel in it, scrolls to the notes.
PAGE_SCROLLS = {"phone", "phone-keyboard"}
QUESTIONS = [f"Fråga {n}: berätta om en gång då du löste ett svårt problem i ett team" for n in range(1, 21)]
ATTRIBUTES = [f"Egenskap {n}: samarbetsförmåga och kommunikation" for n in range(1, 21)]

# Where an element is, whether it lies wholly inside the window, and whether a click on its
# middle reaches it (nothing drawn over it).
IN_VIEW = """(selector) => {
  const element = document.querySelector(selector);
  if (!element) return {selector, missing: true};
  const box = element.getBoundingClientRect();
  const inside = box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
    && box.right <= window.innerWidth && box.bottom <= window.innerHeight;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {selector, inside, reachable: !!hit && (hit === element || element.contains(hit)),
          box: [Math.round(box.left), Math.round(box.top), Math.round(box.right),
                Math.round(box.bottom)]};
}"""
CANDIDATE_PARTS = [
    "[data-call-timer]",
    "[data-call-mic]",
    "[data-call-camera]",
    "[data-call-leave]",
    "[data-call-remote]",
    "[data-call-self]",
]
INTERVIEWER_PARTS = [
    "[data-call-timer]",
    "[data-call-mic]",
    "[data-call-camera]",
    "#end",
    "#extend",
    "[data-call-remote]",
    "[data-call-self]",
    "#interview-heading",
]


async def assert_in_view(page, parts, where):
    for selector in parts:
        found = await page.evaluate(IN_VIEW, selector)
        # A video's middle may carry a note ("Connecting the video…" when the other side
        # drops out, as a loaded test machine makes happen): videos need only be in the window.
        reachable = found.get("reachable") or selector.endswith("remote]")
        assert found.get("inside") and reachable, (where, found)


async def make_event(db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    await db.execute(
        "UPDATE event SET job_description = $2 WHERE id = $1",
        event.id,
        "Vi söker en utvecklare.\n\nDu bygger webbsidor med oss.",
    )
    for table, texts in (("event_question", QUESTIONS), ("event_attribute", ATTRIBUTES)):
        await db.executemany(
            f"INSERT INTO {table} (event_id, position, text) VALUES ($1, $2, $3)",
            [(event.id, n, text) for n, text in enumerate(texts, start=1)],
        )
    return event


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_call_owns_the_viewport(new_page, base_url, db, language):
    SHOTS.mkdir(exist_ok=True)
    event = await make_event(db)
    [candidate_token], [interviewer_token] = await tokens(db, event)
    interviewer = await open_meeting(
        await new_page(
            viewport={"width": 1280, "height": 800}, extra_http_headers={"Accept-Language": language}
        ),
        interviewer_token,
    )
    candidate = await open_candidate(new_page, base_url, candidate_token, language)
    await called_in_and_joining(candidate, interviewer, language)
    await interviewer.wait_for_selector("#interview:not([hidden])")
    for page in (candidate, interviewer):
        await page.wait_for_function(REMOTE_PLAYING, timeout=20000)
        await page.wait_for_function("document.querySelector('[data-call-timer]').textContent !== '--:--'")

    for size, (width, height) in SIZES.items():
        where = f"{language}-{size}"
        for page in (candidate, interviewer):
            await page.set_viewport_size({"width": width, "height": height})
            await page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
        await assert_in_view(candidate, CANDIDATE_PARTS, f"candidate {where}")
        await assert_in_view(interviewer, INTERVIEWER_PARTS, f"interviewer {where}")
        # Nothing below the call to scroll to: the notes' visually hidden texts, placed from
        # the page rather than the panel, made a phone's page 4,000 px long and blank. (Where
        # the page scrolls to the record: no further than its end.)
        assert await candidate.evaluate("document.scrollingElement.scrollHeight <= innerHeight"), where
        assert await interviewer.evaluate(
            """(scrolls) => document.scrollingElement.scrollHeight <= (scrolls
                 ? document.querySelector('#interview').getBoundingClientRect().bottom + scrollY + 100
                 : innerHeight)""",
            size in PAGE_SCROLLS,
        ), where
        await candidate.screenshot(path=str(SHOTS / f"candidate-{where}.png"))
        await interviewer.screenshot(path=str(SHOTS / f"interviewer-{where}.png"))
        # The last rating and the notes, far down the panel: the panel scrolls to them, the
        # page does not, and the call stays where it was. On a phone held upright the page
        # scrolls to them, and nothing else does.
        last = interviewer.locator(f"#record input[name=rating-{len(ATTRIBUTES)}]").last
        await last.focus()
        await interviewer.keyboard.press("ArrowLeft")  # radios: the arrows choose
        await interviewer.locator("#notes").focus()
        page_scroll = await interviewer.evaluate("document.scrollingElement.scrollTop")
        panel_scroll = await interviewer.evaluate("document.querySelector('.interview-panel').scrollTop")
        if size in PAGE_SCROLLS:
            assert page_scroll > 0 and panel_scroll == 0, where
            # The whole field (it fits), not only its first line at the window's bottom edge.
            box = await interviewer.evaluate(
                "(() => { const b = document.querySelector('#notes').getBoundingClientRect();"
                " return [b.top, b.bottom, innerHeight]; })()"
            )
            assert box[0] >= 0 and box[1] <= box[2] + 1, (where, box)
        else:
            assert page_scroll == 0 and panel_scroll > 0, where
            await assert_in_view(interviewer, INTERVIEWER_PARTS, f"scrolled {where}")
        # Its first line at least (a tall field: the browser brings the caret into view).
        assert await interviewer.evaluate("""() => {
          const notes = document.querySelector('#notes');
          const box = notes.getBoundingClientRect();
          return document.elementFromPoint(box.left + 20, box.top + 12) === notes;
        }"""), where
        await interviewer.screenshot(path=str(SHOTS / f"interviewer-notes-{where}.png"))
        # (Blurred first: a focused field is kept in view as the window is resized.)
        await interviewer.evaluate(
            "document.activeElement.blur(); document.querySelector('.interview-panel').scrollTop = 0; scrollTo(0, 0)"
        )
        await assert_accessible(candidate)
        await assert_accessible(interviewer)

    # The narrowest phone (WCAG 1.4.10 reflow at 320 px): the header wraps rather than
    # pushing the language switch past the window's edge (it widened the page to 362 px),
    # and the interviewer's call keeps the height its parts need (its video lay over the
    # microphone and camera buttons).
    for page in (candidate, interviewer):
        await page.set_viewport_size({"width": 320, "height": 640})
        await page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= 320
        switch = await page.evaluate(
            "Math.max(...[...document.querySelectorAll('.site-header a')].map((a) => a.getBoundingClientRect().right))"
        )
        assert switch <= 320
    await assert_in_view(candidate, CANDIDATE_PARTS, f"candidate {language}-320")
    await assert_in_view(interviewer, INTERVIEWER_PARTS, f"interviewer {language}-320")
    # 400 % zoom of a 1280 × 1024 screen (WCAG 1.4.10): 320 × 256. Not all fits at once; the
    # page scrolls, and each part scrolled to is whole and not covered (the candidate's
    # video lay over the time, the microphone, the camera and Leave).
    for page, parts, who in (
        (candidate, CANDIDATE_PARTS, "candidate"),
        (interviewer, INTERVIEWER_PARTS, "interviewer"),
    ):
        await page.set_viewport_size({"width": 320, "height": 256})
        await page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
        for selector in parts:
            if selector.endswith(("remote]", "self]")):
                continue  # the videos: in view somewhere, checked above
            await page.evaluate(
                "(s) => document.querySelector(s).scrollIntoView({block: 'center'})", selector
            )
            found = await page.evaluate(IN_VIEW, selector)
            assert found.get("inside") and found.get("reachable"), (f"{who} {language}-400%", found)
        await page.screenshot(path=str(SHOTS / f"{who}-{language}-400-percent.png"), full_page=True)
    for page in (candidate, interviewer):
        await page.screenshot(
            path=str(SHOTS / f"{'candidate' if page is candidate else 'interviewer'}-{language}-320.png")
        )
