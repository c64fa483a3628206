"""The candidate's waiting room gives them something useful while they wait: how the interview
goes, the employer and the job, and their own picture to check (the camera only on their
click, stopped when they close it or their turn comes), while their place and wait stay in
view. Both languages, desktop and phone, axe on every state, screenshots to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import JOB, make_meeting_event
from tests.browser.test_candidate_live import interviewer_socket, open_candidate, phase

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-waiting-room")
TEXTS = {
    "sv": {
        "checkin": "Checka in",
        "show": "Visa min bild",
        "close": "Stäng bilden",
        "how": "Så går intervjun till",
        "minutes": "10 minuter",
        "job": "Om jobbet",
        "employer": "Arbetsgivare",
        "picture": "Din bild",
    },
    "en": {
        "checkin": "Check in",
        "show": "Show my picture",
        "close": "Close the picture",
        "how": "How the interview goes",
        "minutes": "10 minutes",
        "job": "About the job",
        "employer": "Employer",
        "picture": "Your picture",
    },
}
# Every camera stream the page opens, to see that it is stopped again (added before the
# page's scripts run; DevTools adds it, so the page's Content-Security-Policy does not apply).
COUNT_STREAMS = """(() => {
  window.__streams = [];
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    window.__streams.push(stream);
    return stream;
  };
})();"""
LIVE_TRACKS = """window.__streams.flatMap((s) => s.getTracks())
  .filter((t) => t.readyState === 'live').length"""


async def in_view(page, selector: str) -> bool:
    box = await page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_waiting_room_job_how_it_goes_and_own_picture(new_page, base_url, db, language, viewport):
    text = TEXTS[language]
    event, [interviewer_token], [token] = await make_meeting_event(db, candidates=1)
    organization = await db.fetchval(
        "SELECT o.name FROM organization o JOIN event e ON e.organization_id = o.id WHERE e.id = $1", event.id
    )
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, language, viewport)
        await page.add_init_script(COUNT_STREAMS)
        await page.reload()
        await page.wait_for_function("!!window.candidatePage")
        await page.get_by_role("button", name=text["checkin"]).click()
        await phase(page, "waiting")
        room = page.locator('[data-phase="waiting"]')
        await room.get_by_role("heading", name=text["how"]).wait_for()
        assert text["minutes"] in await room.inner_text()
        job = room.get_by_role("region", name=text["job"])
        assert JOB.split("\n\n")[1] in await job.inner_text()
        assert organization in await job.inner_text()
        assert text["employer"] in await job.inner_text()
        # No camera until asked for.
        assert await page.evaluate("window.__streams.length") == 0
        shots = SHOTS / f"{language}-{viewport}"
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=f"{shots}-waiting.png", full_page=True)
        await assert_accessible(page)

        # Their own picture, asked for with the keyboard; the place and wait stay in view
        # meanwhile, and the picture is in view below them (not under the sticky place).
        # As a keyboard user on a phone left the page: scrolled to its end (the picture then
        # came in above the button and went up under the sticky place).
        await page.get_by_role("button", name=text["show"]).focus()
        await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        await page.keyboard.press("Enter")
        await page.wait_for_function(
            "document.querySelector('[data-self-view-video]').videoWidth > 0", timeout=10000
        )
        assert await page.evaluate("document.activeElement.matches('[data-self-view-stop]')")
        assert await page.evaluate(
            """() => {
                const place = document.querySelector('[data-phase=waiting] .queue-place').getBoundingClientRect();
                const picture = document.querySelector('[data-self-view-picture]').getBoundingClientRect();
                return picture.top >= place.bottom - 1 && picture.bottom <= innerHeight + 1;
            }"""
        )
        assert await page.evaluate("window.__streams.every((s) => s.getAudioTracks().length === 0)")
        await page.get_by_label(text["picture"], exact=True).scroll_into_view_if_needed()
        assert await in_view(page, "[data-position]")
        await job.scroll_into_view_if_needed()
        assert await in_view(page, "[data-position]") and await in_view(page, "[data-wait]")
        await page.screenshot(path=f"{shots}-picture.png")
        await assert_accessible(page)

        # Closed by them: the camera stops.
        await page.get_by_role("button", name=text["close"]).click()
        await page.wait_for_function(f"({LIVE_TRACKS}) === 0")
        assert await page.locator("[data-self-view-picture]").is_hidden()
        assert await page.evaluate("document.activeElement.matches('[data-self-view-start]')")

        # Open again, and their turn comes: the camera stops, for the call to have it.
        await page.get_by_role("button", name=text["show"]).click()
        await page.wait_for_function(f"({LIVE_TRACKS}) > 0", timeout=10000)
        assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
        await phase(page, "offer")
        await page.wait_for_function(f"({LIVE_TRACKS}) === 0")


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "No camera was found. Connect one and try again."),
        ("sv", "Ingen kamera hittades. Anslut en och försök igen."),
    ],
)
async def test_own_picture_without_a_camera_says_the_camera_is_missing(
    new_page, base_url, db, language, said
):
    # The picture asks for the camera alone: a NotFoundError then means no camera, whatever
    # else is there. (Chromium's fake camera is always there: a stand-in takes it away.)
    event, [interviewer_token], [token] = await make_meeting_event(db, candidates=1)
    async with interviewer_socket(base_url, interviewer_token):
        # (In Swedish on a phone: the place in the queue sticks to the top, above the picture.)
        page = await open_candidate(
            new_page, base_url, token, language, "phone" if language == "sv" else "desktop"
        )
        await page.add_init_script("""
            navigator.mediaDevices.getUserMedia = () =>
              Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
            navigator.mediaDevices.enumerateDevices = async () => [
              {kind: 'audioinput', deviceId: '', groupId: '', label: ''}];""")
        await page.reload()
        await page.wait_for_function("!!window.candidatePage")
        await page.get_by_role("button", name=TEXTS[language]["checkin"]).click()
        await phase(page, "waiting")
        # The button just below the sticky place, as when scrolled down to it: what shows
        # above it (the browser keeps the button where it was) would be under the place.
        show = page.get_by_role("button", name=TEXTS[language]["show"])
        await show.evaluate(
            """(button) => {
                const place = document.querySelector('.waiting-room .queue-place').getBoundingClientRect();
                window.scrollBy(0, button.getBoundingClientRect().top - place.bottom - 8);
            }"""
        )
        await show.click()
        problem = page.locator("[data-self-view-problem]")
        await problem.wait_for()
        # Shown above the button, and brought out from under the sticky place in the queue.
        await page.wait_for_timeout(300)
        place = await page.locator(".waiting-room .queue-place").bounding_box()
        shown = await problem.bounding_box()
        assert shown["y"] >= place["y"] + place["height"] - 1, (shown, place)
        assert await page.locator("[data-self-view-problem-text]").text_content() == said
        assert await page.get_attribute("[data-self-view-problem-link]", "href") == "/help#camera"
        await page.screenshot(path=str(SHOTS / f"no-camera-{language}.png"))
        await assert_accessible(page)
