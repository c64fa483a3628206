"""An event day with Firefox and Chromium on both sides, on a network addressed like a
deployment's (tests/netns.py): the candidate in Firefox and the interviewer in Chromium, and
at the same time the other way round. Each candidate does the device check, checks in, gets
the offer and joins; both sides of each interview see each other's video (frames advancing);
both Firefox pages switch language during the call and the video keeps playing; the
interviewers keep their record, end the interview, and the candidates answer the interest
question. The database holds exactly that.

Firefox gets no loopback or mDNS exceptions here: it gathers its candidates on the
namespace's network as it would on a real one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_asyncio

from tests.browser.firefox import Firefox, windows
from tests.browser.interviewer_support import make_meeting_event
from tests.integration.channel_support import CANDIDATE_PIN, INTERVIEWER_CODE
from tests.netns import KEEP_PEER_CONNECTIONS, SERVER_ADDRESS

pytestmark = pytest.mark.browser

INTERVIEWER_VIDEO = "#interview [data-call-remote]"
CANDIDATE_VIDEO = "[data-phase=interview] [data-call-remote]"
# The frames the element has shown since first asked (requestVideoFrameCallback: both
# engines; Firefox's getVideoPlaybackQuality counts none for a MediaStream), and its size.
VIDEO_STATE = """(selector) => {
  const video = document.querySelector(selector);
  if (!video || !video.srcObject) return null;
  if (video.framesShown === undefined) {
    video.framesShown = 0;
    const count = () => { video.framesShown += 1; video.requestVideoFrameCallback(count); };
    video.requestVideoFrameCallback(count);
  }
  return {width: video.videoWidth, height: video.videoHeight, paused: video.paused,
          frames: video.framesShown, time: video.currentTime};
}"""
FRAMES_SINCE = """([selector, before]) => {
  const video = document.querySelector(selector);
  return !!video && !video.paused && video.videoWidth > 0 && video.framesShown >= before + 10;
}"""


@pytest_asyncio.fixture(scope="session")
async def netns_firefox(netns_stack):
    """Firefox inside the namespace. Its address there is plain HTTP: it counts as a secure
    origin, as HTTPS does in a deployment (else no camera), like Chromium's in conftest.py.
    A page so marked that posts a form to its own plain-HTTP address would get Firefox's
    "sent over an insecure connection" prompt, which a deployment (HTTPS to HTTPS) never
    shows and which blocks the page while it waits for an answer: not asked here."""
    browser = await Firefox.launch(
        prefs={
            "dom.securecontext.allowlist": SERVER_ADDRESS,
            "security.warn_submit_secure_to_insecure": False,
        },
        wrap=netns_stack.namespace.exec_argv,
    )
    try:
        yield browser
    finally:
        await browser.close()


async def shot(page, name: str) -> None:
    """A screenshot to look at when SNABB_SHOTS names a folder; a slow one (a loaded
    machine) is reported, not fatal: it is not what the test checks."""
    folder = os.environ.get("SNABB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        try:
            await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001
            print(f"screenshot {name}: {error}")


async def open_meeting(page, token: str) -> None:
    await page.goto(f"/i/{token}")
    await page.fill("#code", INTERVIEWER_CODE)
    await page.click("form.pin-form button[type=submit]")
    await page.wait_for_selector('#connection[data-status="open"]')


async def open_candidate(page, token: str) -> None:
    """The personal page behind the PIN, the device check passed (camera picture and the
    microphone heard), checked in."""
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.click("form.pin-form button[type=submit]")
    await page.wait_for_function("!!window.candidatePage")
    await page.click("[data-device-start]")
    await page.wait_for_function(
        "document.querySelector('[data-device-video]').videoWidth > 0", timeout=15000
    )
    await page.wait_for_function("document.querySelector('#mic-level').value > 0", timeout=15000)
    await page.click("[data-checkin]")
    await phase(page, "waiting")


async def phase(page, name: str, timeout: float = 20000) -> None:
    await page.wait_for_function(f"document.body.dataset.livePhase === {name!r}", timeout=timeout)


async def video_playing(page, selector: str, timeout: float = 30000) -> dict:
    """Waits until the video shows frames and 10 more have come since; returns its state."""
    await page.wait_for_function(
        f"""() => {{
        const v = document.querySelector({selector!r});
        return !!v && v.videoWidth > 0 && v.readyState >= 2; }}""",
        timeout=timeout,
    )
    first = await page.evaluate(VIDEO_STATE, selector)
    await page.wait_for_function(FRAMES_SINCE, arg=[selector, first["frames"]], timeout=timeout)
    return await page.evaluate(VIDEO_STATE, selector)


async def switch_language(page, selector: str, to: str, *, texts: dict[str, str]) -> None:
    """The language link during the call: new texts, the same stream still playing."""
    await page.evaluate(f"""() => {{
        const video = document.querySelector({selector!r});
        window.streamBefore = video.srcObject; window.notReloaded = true; }}""")
    before = await page.evaluate(VIDEO_STATE, selector)
    await page.click(f".language-switch a[hreflang={to}]")
    await page.wait_for_function(f"document.documentElement.lang === {to!r}")
    for text_selector, text in texts.items():
        assert (
            await page.evaluate("(s) => document.querySelector(s).textContent.trim()", text_selector) == text
        )
    await page.wait_for_function(FRAMES_SINCE, arg=[selector, before["frames"]], timeout=10000)
    assert await page.evaluate(f"""() => window.notReloaded
        && document.querySelector({selector!r}).srcObject === window.streamBefore""")


async def interview(interviewer, candidate, *, name: str, note: str, rating: int, switches: dict) -> dict:
    """Next, the offer, Join, video both ways, the language switches, the record, End, and
    the interest answer. Returns the received video sizes: {side: state}."""
    await interviewer.click("#next")
    await phase(candidate, "offer")
    await shot(candidate, f"{name}-candidate-offer")
    await candidate.click("[data-join]")
    await phase(candidate, "interview")
    await interviewer.wait_for_selector("#interview:not([hidden])")
    seen = {
        "interviewer": await video_playing(interviewer, INTERVIEWER_VIDEO),
        "candidate": await video_playing(candidate, CANDIDATE_VIDEO),
    }
    await shot(interviewer, f"{name}-interviewer-call")
    await shot(candidate, f"{name}-candidate-call")
    for page, selector, to, texts in switches.get("pages", []):
        await switch_language(page, selector, to, texts=texts)
    await interviewer.check('#record input[name="question"][value="1"]')
    await interviewer.check(f'#record input[name="rating-1"][value="{rating}"]')
    await interviewer.fill("#notes", note)
    await interviewer.wait_for_function(
        "document.querySelector('#save-status').textContent.trim() !== ''", timeout=15000
    )
    await interviewer.click("#end")
    await interviewer.click("#end-yes")
    await interviewer.wait_for_selector("#lobby:not([hidden])")
    await phase(candidate, "feedback")
    await candidate.check("#interest-yes")
    await candidate.click("[data-feedback-form] button[type=submit]")
    await phase(candidate, "thanks")
    return seen


async def test_firefox_and_chromium_interview_each_other(netns, netns_page, netns_firefox):
    event, interviewer_tokens, candidate_tokens = await netns.run(
        make_meeting_event(netns.db, interviewers=2, candidates=2)
    )
    base = netns.base_url

    async with windows(netns_firefox, base) as firefox_window:

        def cookie(language):
            return [{"name": "lang", "value": language, "url": base}]

        # Interviewer 0 in Chromium (Swedish) meets candidate 0 in Firefox (Swedish);
        # interviewer 1 in Firefox (English) meets candidate 1 in Chromium (English).
        chromium_interviewer = await netns_page(viewport={"width": 1100, "height": 900})
        await chromium_interviewer.context.add_cookies(cookie("sv"))
        firefox_interviewer = await firefox_window(
            viewport={"width": 1100, "height": 900},
            cookies=cookie("en"),
            init_scripts=[KEEP_PEER_CONNECTIONS],
        )
        firefox_candidate = await firefox_window(
            viewport={"width": 900, "height": 800}, cookies=cookie("sv"), init_scripts=[KEEP_PEER_CONNECTIONS]
        )
        chromium_candidate = await netns_page(viewport={"width": 900, "height": 800})
        await chromium_candidate.context.add_cookies(cookie("en"))

        await open_meeting(chromium_interviewer, interviewer_tokens[0])
        await open_meeting(firefox_interviewer, interviewer_tokens[1])
        await open_candidate(firefox_candidate, candidate_tokens[0])  # first in the queue
        await open_candidate(chromium_candidate, candidate_tokens[1])
        await shot(firefox_candidate, "firefox-candidate-waiting")

        # One interview after the other (two at once starve a 2-core CI machine): the queue's
        # order decides who meets whom.
        try:
            first = await interview(
                chromium_interviewer,
                firefox_candidate,
                name="chromium-meets-firefox",
                note="Anteckning om Firefox-kandidaten",
                rating=4,
                switches={
                    "pages": [
                        (
                            firefox_candidate,
                            CANDIDATE_VIDEO,
                            "en",
                            {"#interview-heading": "Your interview", "[data-call-leave]": "Leave the call"},
                        )
                    ]
                },
            )
            second = await interview(
                firefox_interviewer,
                chromium_candidate,
                name="firefox-meets-chromium",
                note="Notes on the Chromium candidate",
                rating=2,
                switches={
                    "pages": [(firefox_interviewer, INTERVIEWER_VIDEO, "sv", {"#end": "Avsluta intervjun"})]
                },
            )
        except BaseException as error:
            print("failed:", repr(error))
            for name, page in (
                ("chromium-interviewer", chromium_interviewer),
                ("firefox-interviewer", firefox_interviewer),
                ("firefox-candidate", firefox_candidate),
                ("chromium-candidate", chromium_candidate),
            ):
                await shot(page, f"failed-{name}")
            raise
        print(
            "received video: Chromium interviewer <- Firefox candidate",
            first["interviewer"],
            "; Firefox candidate <- Chromium interviewer",
            first["candidate"],
            "; Firefox interviewer <- Chromium candidate",
            second["interviewer"],
            "; Chromium candidate <- Firefox interviewer",
            second["candidate"],
        )

    rows = await netns.run(
        netns.db.fetch(
            """
        SELECT i.candidate_id, i.interviewer_id, i.state, i.notes, i.questions_covered,
               f.interested FROM interview i
        LEFT JOIN interview_feedback f ON f.interview_id = i.id
        WHERE i.event_id = $1 ORDER BY i.candidate_id""",
            event.id,
        )
    )
    assert [
        (r["candidate_id"], r["interviewer_id"], r["state"], r["interested"], r["questions_covered"])
        for r in rows
    ] == [
        (event.candidates[0], event.interviewers[0], "ended", True, [1]),
        (event.candidates[1], event.interviewers[1], "ended", True, [1]),
    ]
    assert [r["notes"] for r in rows] == [
        "Anteckning om Firefox-kandidaten",
        "Notes on the Chromium candidate",
    ]
