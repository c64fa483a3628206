"""A Janus killed in the middle of a call, with real pages on both sides (README.md "Media
server failure"). With a second Janus running the call moves to it and video comes back on
both sides; with none, both people and the organizer are told, the countdown stands still,
and the call comes back by itself when Janus is up again. Frames are counted on each side
with requestVideoFrameCallback, only those of the stream that arrived after the kill."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from contextlib import AsyncExitStack, asynccontextmanager

import pytest

from tests.accounts import log_in_browser, make_user
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.interviewer_support import make_meeting_event, open_meeting, shot
from tests.integration.channel_support import CANDIDATE_PIN
from tests.integration.conftest import own_janus  # noqa: F401  (a fixture)
from tests.integration.failover_support import failover_app, kill
from tests.stopping import freeze

pytestmark = pytest.mark.browser

INTERVIEWER_VIDEO = "#interview [data-call-remote]"
CANDIDATE_VIDEO = "[data-phase=interview] [data-call-remote]"
# Counts the frames shown of any stream but the one playing when `mark` was called.
COUNT_FRAMES = """(selector) => {
  const video = document.querySelector(selector);
  window.failover = { old: video.srcObject, frames: 0 };
  const tick = () => {
    if (video.srcObject && video.srcObject !== window.failover.old) window.failover.frames += 1;
    video.requestVideoFrameCallback(tick);
  };
  video.requestVideoFrameCallback(tick);
}"""
NEW_FRAMES = "() => window.failover.frames"


class People:
    """Browser contexts of this test's own, on the test's own application."""

    def __init__(self, browser, csp_watch, url: str, stack: AsyncExitStack):
        self.browser, self.csp_watch, self.url, self.stack = browser, csp_watch, url, stack

    async def page(self, language: str, viewport: str = "desktop"):
        context = await self.browser.new_context(
            base_url=self.url,
            permissions=["camera", "microphone"],
            viewport=VIEWPORTS[viewport],
            extra_http_headers={"Accept-Language": language},
        )
        self.stack.push_async_callback(context.close)
        await self.csp_watch.attach(context)
        await context.add_cookies([{"name": "lang", "value": language, "url": self.url}])
        page = self.csp_watch.page(await context.new_page())
        page.on("pageerror", lambda error: print("page error:", error))
        return page

    async def candidate(self, token: str, language: str):
        page = await self.page(language)
        await page.goto(f"/c/{token}")
        await page.fill("#pin", CANDIDATE_PIN)
        await page.locator("form.pin-form button[type=submit]").click()
        await page.wait_for_function("!!window.candidatePage")
        return page

    async def organizer(self, db, event_id: int, language: str):
        organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event_id)
        user = await make_user(db, organization_id=organization, language=language)
        page = await self.page(language)
        await log_in_browser(page, user["email"])
        await page.goto(f"/events/{event_id}/live")
        await page.wait_for_selector('#connection[data-status="open"]')
        return page


async def call_under_way(people: People, db, *, interviewer_language="en", candidate_language="sv"):
    event, interviewer_tokens, candidate_tokens = await make_meeting_event(db, interviewers=1, candidates=1)
    interviewer = await open_meeting(await people.page(interviewer_language), interviewer_tokens[0])
    candidate = await people.candidate(candidate_tokens[0], candidate_language)
    await candidate.locator("[data-checkin]").click()
    await candidate.wait_for_function("document.body.dataset.livePhase === 'waiting'")
    await interviewer.locator("#next").click()
    await candidate.wait_for_function("document.body.dataset.livePhase === 'offer'")
    await candidate.locator("[data-join]").click()
    await interviewer.wait_for_selector("#interview:not([hidden])")
    for page, video in ((interviewer, INTERVIEWER_VIDEO), (candidate, CANDIDATE_VIDEO)):
        await page.wait_for_function(
            f"""() => {{
            const video = document.querySelector({video!r});
            return !!video && video.videoWidth > 0 && video.readyState >= 2; }}""",
            timeout=60000,
        )
    return event, interviewer, candidate


@asynccontextmanager
async def call_on_the_only_janus(settings, db, solo_janus, browser, csp_watch, organizer_language: str):
    """A call under way on the test's own Janus, the only one the app knows, with the
    organizer's live view open: (the interviewer's page, the candidate's, the organizer's),
    new frames counted on both sides."""
    solo_settings, _ = solo_janus
    async with (
        failover_app(settings, solo_settings.janus.servers) as (_app, url, _),
        AsyncExitStack() as stack,
    ):
        people = People(browser, csp_watch, url, stack)
        event, interviewer, candidate = await call_under_way(people, db)
        organizer = await people.organizer(db, event.id, organizer_language)
        await count_new_frames(interviewer, candidate)
        yield interviewer, candidate, organizer


async def end_call(interviewer) -> None:
    await interviewer.locator("#end").click()
    await interviewer.locator("#end-yes").click()
    await interviewer.wait_for_selector("#lobby:not([hidden])", timeout=60000)


async def count_new_frames(interviewer, candidate) -> None:
    await interviewer.evaluate(COUNT_FRAMES, INTERVIEWER_VIDEO)
    await candidate.evaluate(COUNT_FRAMES, CANDIDATE_VIDEO)


async def until_video_again(pages, since: float, frames: int = 10) -> str:
    """Until every page has shown `frames` frames of a new stream; says when (seconds from
    `since`) the first new frame came on both sides and when the `frames`th did."""
    deadline = time.monotonic() + 90
    first = None
    while True:
        counts = [await page.evaluate(NEW_FRAMES) for page in pages]
        if first is None and all(counts):
            first = time.monotonic() - since
        if all(count >= frames for count in counts):
            return f"first frames {first:.2f} s, {frames} frames {time.monotonic() - since:.2f} s"
        assert time.monotonic() < deadline, f"no new video: frames {counts}"
        await asyncio.sleep(0.05)


async def until_visible(pages, selector: str, since: float) -> float:
    deadline = time.monotonic() + 90
    while True:
        shown = [await page.locator(selector).is_visible() for page in pages]
        if all(shown):
            return time.monotonic() - since
        assert time.monotonic() < deadline, f"{selector} not shown: {shown}"
        await asyncio.sleep(0.05)


async def test_janus_killed_with_a_second_running_video_comes_back_on_both_sides(
    app_server,
    settings,
    db,
    own_janus,  # noqa: F811
    browser,
    csp_watch,
):
    solo_settings, solo = own_janus
    servers = [solo_settings.janus.servers[0], *settings.janus.servers]
    async with failover_app(settings, servers) as (_app, url, _), AsyncExitStack() as stack:
        people = People(browser, csp_watch, url, stack)
        _event, interviewer, candidate = await call_under_way(people, db)
        interview = await db.fetchrow(
            "SELECT id, janus_server FROM interview WHERE state = 'active' AND janus_server = 'solo'"
        )
        assert interview is not None  # equal loads: the first configured server
        await count_new_frames(interviewer, candidate)

        killed = kill(solo)
        print("kill → video again on both sides:", await until_video_again((interviewer, candidate), killed))
        assert (
            await db.fetchval("SELECT janus_server FROM interview WHERE id = $1", interview["id"])
            == settings.janus.servers[0].name
        )
        for page in (interviewer, candidate):
            assert not await page.locator("[data-call-outage]").is_visible()
        await end_call(interviewer)
    assert csp_watch.violations == []


async def test_janus_killed_with_none_left_everyone_is_told_and_the_call_resumes(
    app_server,
    settings,
    db,
    own_janus,  # noqa: F811
    browser,
    csp_watch,
):
    solo = own_janus[1]
    async with call_on_the_only_janus(settings, db, own_janus, browser, csp_watch, "sv") as (
        interviewer,
        candidate,
        organizer,
    ):
        killed = kill(solo)
        seconds = await until_visible((interviewer, candidate), "[data-call-outage]", killed)
        print(f"kill → both told: {seconds:.2f} s")
        await organizer.wait_for_selector("#media-state:not([hidden])", timeout=60000)
        assert "Videotjänsten fungerar inte" in await candidate.locator("[data-call-outage]").inner_text()
        assert "video service is down" in await interviewer.locator("[data-call-outage]").inner_text()
        assert "Videotjänsten fungerar inte" in await organizer.locator("#media-state").inner_text()
        assert "Pausad med" in await organizer.locator("#interviewers").inner_text()
        # The countdown stands still: the server stopped the clock.
        timers = [await page.locator("[data-call-timer]").inner_text() for page in (interviewer, candidate)]
        await asyncio.sleep(2.5)
        assert [
            await page.locator("[data-call-timer]").inner_text() for page in (interviewer, candidate)
        ] == timers
        assert timers[0] != "--:--"
        # Past the seconds after which a lost connection reads as "no connection from this
        # network": the outage notice speaks, and the call's status line blames nobody's
        # connection beside it.
        await asyncio.sleep(max(0.0, killed + 8 - time.monotonic()))
        for page in (interviewer, candidate):
            said = await page.locator("[data-call-status]").inner_text()
            assert not any(
                word in said.lower() for word in ("network", "nätverk", "connection", "anslutning")
            ), said
            # Nor the quality beside it: "Connection: poor" measured the service's absence.
            assert await page.locator("[data-call-quality]").is_hidden()
        for page in (interviewer, candidate, organizer):
            await assert_accessible(page)
        await shot(candidate, "failover-outage-candidate-sv-desktop")
        await shot(interviewer, "failover-outage-interviewer-en-desktop")
        await shot(organizer, "failover-outage-organizer-sv-desktop")
        await candidate.set_viewport_size(VIEWPORTS["phone"])
        await shot(candidate, "failover-outage-candidate-sv-phone")

        solo.start()
        restarted = time.monotonic()
        print(
            "restart → video again on both sides:",
            await until_video_again((interviewer, candidate), restarted),
        )
        for page in (interviewer, candidate):
            assert not await page.locator("[data-call-outage]").is_visible()
            assert await page.locator("[data-call-quality]").is_visible()  # measured again
        await organizer.wait_for_selector("#media-state", state="hidden", timeout=60000)
        # The clock runs again from where it stood.
        await asyncio.sleep(1.5)
        running = await interviewer.locator("[data-call-timer]").inner_text()
        assert running != timers[0]
        await end_call(interviewer)
    assert csp_watch.violations == []


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


async def test_janus_hung_and_answering_again_the_call_and_its_clock_come_back(
    app_server,
    settings,
    db,
    own_janus,  # noqa: F811
    browser,
    csp_watch,
):
    """A Janus that hangs (SIGSTOP) for 20 s and then answers again still has the room: the
    notice goes on both pages and the organizer's, the clocks run on from where they stood,
    and the video comes back, whether or not a page's Janus session lived through it."""
    solo = own_janus[1]
    async with (
        call_on_the_only_janus(settings, db, own_janus, browser, csp_watch, "en") as (
            interviewer,
            candidate,
            organizer,
        ),
        AsyncExitStack() as stack,
    ):
        freeze(solo.process.pid)
        stack.callback(os.kill, solo.process.pid, signal.SIGCONT)  # also when the test fails
        frozen = time.monotonic()
        print(
            f"freeze → both told: {await until_visible((interviewer, candidate), '[data-call-outage]', frozen):.2f} s"
        )
        await organizer.wait_for_selector("#media-state:not([hidden])", timeout=60000)
        stopped = [await page.locator("[data-call-timer]").inner_text() for page in (interviewer, candidate)]
        await asyncio.sleep(max(0.0, frozen + 20 - time.monotonic()))
        assert [
            await page.locator("[data-call-timer]").inner_text() for page in (interviewer, candidate)
        ] == stopped

        os.kill(solo.process.pid, signal.SIGCONT)
        thawed = time.monotonic()
        for page in (interviewer, candidate):
            await page.wait_for_selector("[data-call-outage]", state="hidden", timeout=30000)
        print(f"thaw → notice gone on both sides: {time.monotonic() - thawed:.2f} s")
        await organizer.wait_for_selector("#media-state", state="hidden", timeout=30000)
        print("thaw → video again on both sides:", await until_video_again((interviewer, candidate), thawed))
        # The clocks run again, on from where they stood (not from where they would be had
        # they run through the hang).
        timer = "[data-call-timer]"
        lefts = [_seconds(await page.locator(timer).inner_text()) for page in (interviewer, candidate)]
        await asyncio.sleep(1.5)
        for page, was, left in zip((interviewer, candidate), stopped, lefts):
            assert _seconds(was) - 15 < left <= _seconds(was), (was, left)
            assert _seconds(await page.locator(timer).inner_text()) < left  # running
            assert await page.locator("[data-call-quality]").is_visible()
        for page in (interviewer, candidate, organizer):
            await assert_accessible(page)
        for name, page in (("interviewer-en", interviewer), ("candidate-sv", candidate)):
            await shot(page, f"hang-over-{name}-desktop")
            await page.set_viewport_size(VIEWPORTS["phone"])
            await shot(page, f"hang-over-{name}-phone")
        await shot(organizer, "hang-over-organizer-en-desktop")
        await end_call(interviewer)
    assert csp_watch.violations == []
