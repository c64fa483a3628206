"""One side's page goes out of the call while the interview goes on (the tab closed, the
network lost): the other side is told once, by name, that the connection was lost, that they
can come back while the interview's time runs and what this side can do; the words go when
they are back. Screenshots with SNABB_SHOTS."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.interviewer_support import open_meeting, shot
from tests.browser.test_candidate_camera_at_join import REFUSED_CAMERA
from tests.browser.test_candidate_live import TEXTS, open_candidate, phase, tokens
from tests.browser.test_candidate_live_call import REMOTE_PLAYING
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

TOLD_INTERVIEWER = (
    "Kandidat 0's connection to the call was lost. They can come back while the interview's time "
    "runs. You can wait, or end the interview."
)
TOLD_CANDIDATE = (
    "Intervjuare 0's connection to the call was lost. Please wait: they can come back while the "
    "interview's time runs."
)
STATUS = "[data-call-status]"
# The call's visible text: the status said once, not again on the stage.
CALL_TEXT = "document.querySelector('[data-call]').innerText"


async def called_in_and_joining(candidate, interviewer, language: str) -> None:
    """The candidate checks in, the interviewer presses Next, the candidate presses Join."""
    await candidate.get_by_role("button", name=TEXTS[language]["checkin"]).click()
    await phase(candidate, "waiting")
    await interviewer.wait_for_selector("#queue li")
    await interviewer.locator("#next").click()
    await phase(candidate, "offer")
    await candidate.get_by_role("button", name=TEXTS[language]["join"]).click()
    await phase(candidate, "interview")


async def in_a_call(new_page, base_url, db, viewport):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [candidate_token], [interviewer_token] = await tokens(db, event)
    interviewer = await open_meeting(
        await new_page(viewport=viewport, extra_http_headers={"Accept-Language": "en"}), interviewer_token
    )
    candidate = await open_candidate(new_page, base_url, candidate_token, "en")
    await called_in_and_joining(candidate, interviewer, "en")
    for page in (candidate, interviewer):
        await page.wait_for_function(REMOTE_PLAYING, timeout=20000)
    return interviewer, candidate, candidate_token, interviewer_token


async def told(page, text):
    await page.wait_for_function(
        "([s, t]) => document.querySelector(s).textContent === t", arg=[STATUS, text], timeout=20000
    )
    assert await page.get_attribute(STATUS, "role") == "status"
    assert await page.is_hidden("[data-call-waiting]")
    assert (await page.evaluate(CALL_TEXT)).count(text) == 1


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
async def test_the_interviewer_is_told_once_that_the_candidate_can_come_back(
    new_page, base_url, db, viewport
):
    interviewer, candidate, candidate_token, _ = await in_a_call(new_page, base_url, db, viewport)
    await candidate.close()  # the tab closed: the interview goes on
    await told(interviewer, TOLD_INTERVIEWER)
    assert await interviewer.is_visible("#end")  # what it offers is there
    await assert_accessible(interviewer)
    await shot(interviewer, f"other-gone-interviewer-{viewport['width']}")
    # Back with the same link: the call comes back, the words go.
    candidate = await open_candidate(new_page, base_url, candidate_token, "en")
    await phase(candidate, "interview")
    await interviewer.wait_for_function(REMOTE_PLAYING, timeout=20000)
    await interviewer.wait_for_function(f"document.querySelector('{STATUS}').textContent === ''")


async def test_the_candidate_is_asked_to_wait_for_the_interviewer(new_page, base_url, db):
    interviewer, candidate, _, interviewer_token = await in_a_call(
        new_page, base_url, db, {"width": 1280, "height": 800}
    )
    await interviewer.close()
    await told(candidate, TOLD_CANDIDATE)
    await shot(candidate, "other-gone-candidate")
    interviewer = await open_meeting(
        await new_page(extra_http_headers={"Accept-Language": "en"}), interviewer_token
    )
    await candidate.wait_for_function(REMOTE_PLAYING, timeout=20000)
    await candidate.wait_for_function(f"document.querySelector('{STATUS}').textContent === ''")


async def test_a_page_loaded_again_still_tells_that_the_other_person_is_gone(new_page, base_url, db):
    """The candidate reloads while the interviewer is away: the page started knowing nobody
    and said "Waiting for the other person to join…", as if the interview had not begun.
    This browser met them in this call before: after a few seconds it says they are gone."""
    interviewer, candidate, _, interviewer_token = await in_a_call(
        new_page, base_url, db, {"width": 390, "height": 844}
    )
    await interviewer.close()
    await told(candidate, TOLD_CANDIDATE)
    await candidate.reload()
    await phase(candidate, "interview")
    await told(candidate, TOLD_CANDIDATE)
    await assert_accessible(candidate)
    await shot(candidate, "other-gone-candidate-reloaded")
    # Back: the call and its video come back, the words go.
    interviewer = await open_meeting(
        await new_page(extra_http_headers={"Accept-Language": "en"}), interviewer_token
    )
    await candidate.wait_for_function(REMOTE_PLAYING, timeout=20000)
    await candidate.wait_for_function(f"document.querySelector('{STATUS}').textContent === ''")


async def test_a_meeting_web_opened_anew_knows_the_candidate_of_a_running_interview_is_gone(
    new_page, base_url, db
):
    """The candidate closed their tab; the interviewer opens the meeting web in another
    browser (nothing of this call in its storage): it said "Waiting for the other person to
    join…". The interview runs, so the candidate had joined: after a few seconds it says
    they lost their connection, as the page that saw them go does."""
    first, candidate, _, interviewer_token = await in_a_call(
        new_page, base_url, db, {"width": 1280, "height": 800}
    )
    await candidate.close()
    await first.close()  # (a browser restarted, or another computer)
    interviewer = await open_meeting(
        await new_page(extra_http_headers={"Accept-Language": "en"}), interviewer_token
    )
    await interviewer.wait_for_selector("#interview:not([hidden])")
    await told(interviewer, TOLD_INTERVIEWER)
    await assert_accessible(interviewer)
    await shot(interviewer, "other-gone-interviewer-anew")


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "Kandidat 0's camera or microphone could not be started. They are being shown what to do. You can"
            " wait, or end the interview. Their browser blocks the camera and microphone for this page.",
        ),
        (
            "sv",
            "Kameran eller mikrofonen kunde inte startas för Kandidat 0. Hen får veta vad hen kan göra. Du kan"
            " vänta eller avsluta intervjun. Hens webbläsare blockerar kameran och mikrofonen för den här sidan.",
        ),
    ],
)
async def test_the_interviewer_is_told_when_the_candidates_camera_would_not_start(
    new_page, base_url, db, language, said
):
    """The candidate's browser refuses the camera at Join: their page says what to do, and
    the interviewer, who would otherwise only wait, is told why they do not come. Their Join
    again brings them into the call, and the words go."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [candidate_token], [interviewer_token] = await tokens(db, event)
    interviewer = await open_meeting(
        await new_page(extra_http_headers={"Accept-Language": language}), interviewer_token
    )
    candidate = await open_candidate(new_page, base_url, candidate_token, language)
    await candidate.add_init_script(REFUSED_CAMERA % {"error": "NotAllowedError"})
    await candidate.reload()
    await candidate.wait_for_function("!!window.candidatePage")
    await called_in_and_joining(candidate, interviewer, language)
    await told(interviewer, said)
    assert await interviewer.is_visible("#end")
    # The candidate's page is out of the call: the interviewer's sound does not play on in
    # it unseen (the refusal came after it had joined the room and subscribed to them).
    await candidate.wait_for_timeout(2000)
    assert await candidate.evaluate(
        "document.querySelector('[data-phase=interview] [data-call-remote]').srcObject === null"
    )
    assert await candidate.is_hidden("[data-phase=interview] [data-call-sound]")
    # Nothing measured: no "Connection: checking…" beside the refusal.
    assert await candidate.is_hidden("[data-phase=interview] [data-call-quality]")
    await assert_accessible(interviewer)
    await shot(interviewer, f"other-camera-refused-interviewer-{language}")
    # Allowed now, and Join again: in the call, the words gone.
    await candidate.evaluate("window.refuseCamera = false")
    await candidate.locator("[data-rejoin-button]").click()
    await interviewer.wait_for_function(REMOTE_PLAYING, timeout=20000)
    await interviewer.wait_for_function(f"document.querySelector('{STATUS}').textContent === ''")
