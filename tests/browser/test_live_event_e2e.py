"""A whole event day end to end in headless Chromium: 2 interviewers and 4 candidates, each in
a browser context of their own, driving the real pages (the meeting web, the candidate's
page). Every candidate checks in and is interviewed exactly once, both sides of every
interview see each other's video, every candidate answers the interest question, the
interviewers tick questions, rate and write notes, and the database holds exactly that.

Meanwhile every HTTP response body and WebSocket frame a candidate's browser receives is kept:
none may contain a question, an attribute, a rating or a note. And one interviewer switches
language during a call: the texts change, the remote video keeps playing.
"""

from __future__ import annotations

import asyncio
import json
import secrets

import pytest

from tests.browser.interviewer_support import make_meeting_event, open_meeting, shot
from tests.integration.channel_support import CANDIDATE_PIN

pytestmark = pytest.mark.browser

REMOTE_PLAYING = """(selector) => {
  const video = document.querySelector(selector);
  return !!video && video.videoWidth > 0 && video.readyState >= 2;
}"""
INTERVIEWER_VIDEO = "#interview [data-call-remote]"
CANDIDATE_VIDEO = "[data-phase=interview] [data-call-remote]"
# Keys of the interviewer's record: never in anything a candidate's browser gets.
RECORD_KEYS = ('"notes"', '"ratings"', '"rating"', '"questions_covered"', '"questions"', '"attributes"')


class Received:
    """Everything one candidate's browser receives: response bodies and socket frames."""

    def __init__(self, page):
        self.bodies: list[tuple[str, str, str]] = []  # (url, content type, text)
        self.frames: list[tuple[str, str]] = []  # (socket URL, text): ours and Janus's
        self._reading: set[asyncio.Task] = set()
        page.on("response", self._response)
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: self._frame(ws.url, payload)))

    def _frame(self, url: str, payload) -> None:
        self.frames.append((url, payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

    def _response(self, response) -> None:
        task = asyncio.ensure_future(self._read(response))
        self._reading.add(task)
        task.add_done_callback(self._reading.discard)

    async def _read(self, response) -> None:
        try:
            body = await response.body()
        except Exception:  # redirects and aborted requests have no body
            return
        self.bodies.append(
            (response.url, response.headers.get("content-type", ""), body.decode("utf-8", "replace"))
        )

    async def settled(self) -> None:
        while self._reading:
            await asyncio.gather(*list(self._reading), return_exceptions=True)


async def open_candidate(new_page, base_url, token: str, language: str):
    page = await new_page(viewport={"width": 900, "height": 800})
    received = Received(page)
    await page.context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.locator("form.pin-form button[type=submit]").click()
    await page.wait_for_function("!!window.candidatePage")
    return page, received


async def phase(page, name: str, timeout: float = 15000) -> None:
    await page.wait_for_function(f"document.body.dataset.livePhase === {name!r}", timeout=timeout)


async def both_see_each_other(interviewer, candidate) -> None:
    await interviewer.wait_for_function(REMOTE_PLAYING, arg=INTERVIEWER_VIDEO, timeout=20000)
    await candidate.wait_for_function(REMOTE_PLAYING, arg=CANDIDATE_VIDEO, timeout=20000)
    for page, selector in ((interviewer, INTERVIEWER_VIDEO), (candidate, CANDIDATE_VIDEO)):
        assert await page.evaluate(f"document.querySelector({selector!r}).videoWidth") > 0


async def switch_language_during_the_call(page) -> None:
    """Swedish → English on the interviewer's side: texts change, the same remote stream
    keeps playing, the page is not reloaded."""
    assert await page.locator("#end").inner_text() == "Avsluta intervjun"
    before = await page.evaluate(f"""() => {{
        const video = document.querySelector({INTERVIEWER_VIDEO!r});
        window.streamBefore = video.srcObject; window.notReloaded = true;
        return video.currentTime; }}""")
    await page.get_by_role("link", name="English").click()
    await page.wait_for_function("document.documentElement.lang === 'en'")
    assert await page.locator("#end").inner_text() == "End interview"
    assert (await page.locator("#interview-heading").inner_text()).startswith("Interview with")
    assert await page.locator("[data-call-timer]").is_visible()
    await page.wait_for_function(
        f"""(before) => {{
        const video = document.querySelector({INTERVIEWER_VIDEO!r});
        return window.notReloaded && video.srcObject === window.streamBefore
            && !video.paused && video.videoWidth > 0 && video.currentTime > before + 0.5; }}""",
        arg=before,
        timeout=5000,
    )


async def interview(
    interviewer,
    candidate,
    *,
    note: str,
    question: str,
    attribute: str,
    rating: int,
    interested: bool,
    switch_language: bool = False,
) -> None:
    """Next on the interviewer's side, Join on the candidate's, the record, End, the answer."""
    await interviewer.locator("#next").click()
    await phase(candidate, "offer")
    await candidate.locator("[data-join]").click()
    await interviewer.wait_for_selector("#interview:not([hidden])")
    await both_see_each_other(interviewer, candidate)
    if switch_language:
        await shot(interviewer, "e2e-interviewer-call-sv-desktop")
        await shot(candidate, "e2e-candidate-call-desktop")
        await switch_language_during_the_call(interviewer)
        await shot(interviewer, "e2e-interviewer-call-en-desktop")
    await interviewer.get_by_label(question).check()
    await interviewer.locator(
        f'#record fieldset:has(legend:text-is("{attribute}")) input[value="{rating}"]'
    ).check()
    await interviewer.locator("#notes").fill(note)
    await interviewer.locator("#end").click()
    # Asked once more, in place: the question has the focus, Escape goes back.
    assert await interviewer.evaluate("document.activeElement.id") == "end-question"
    await interviewer.keyboard.press("Escape")
    assert await interviewer.evaluate("document.activeElement.id") == "end"
    assert await interviewer.locator("#end-question").is_hidden()
    await interviewer.locator("#end").click()
    await interviewer.locator("#end-yes").click()
    await interviewer.wait_for_selector("#lobby:not([hidden])")
    await phase(candidate, "feedback")
    await candidate.locator("#interest-yes" if interested else "#interest-no").check()
    await candidate.locator("[data-feedback-form] button[type=submit]").click()
    await phase(candidate, "thanks")


def assert_nothing_secret(received: Received, secrets_: list[str]) -> None:
    for url, kind, text in received.bodies:
        for secret in secrets_:
            assert secret not in text, f"{secret!r} in {url}"
        if "json" in kind and "/texts/" not in url:
            for key in RECORD_KEYS:
                assert key not in text, f"{key} in {url}"
    channel = [text for url, text in received.frames if "/c/" in url and url.endswith("/ws")]
    assert channel and len(channel) < len(received.frames), "both sockets recorded"
    for url, frame in received.frames:
        for secret in secrets_:
            assert secret not in frame, f"{secret!r} in a frame of {url}"
        for key in RECORD_KEYS:
            assert key not in frame, f"{key} in a frame of {url}: {frame}"
    for frame in channel:  # the candidate's own channel: only the candidate's fields
        message = json.loads(frame)
        assert set(message) <= {
            "type",
            "now",
            "event",
            "queue",
            "offer",
            "interview",
            "feedback_open",
            "messages",
            "for",
            "code",
            "ticket",
            "join",  # the ticket's own join info (what POST /api/join answers for it)
            "janus",  # `prepared`: the way to the own Janus server (no room in it)
            "expires_at",
            # the shared `queue` message: places and waits, nobody named (PROTOCOL.md)
            "v",
            "prev",
            "left",
            "joined",
            "wait",
        }, frame
        assert "join" not in message or message["join"]["role"] == "candidate", frame
        if "janus" in message:
            assert set(message["janus"]) == {"janus_url", "janus_token", "ice_servers", "opaque_id"}, frame
            assert message["janus"]["opaque_id"].split(":")[2] == "candidate", frame
        if message["type"] == "queue":
            assert all(isinstance(place, int) for place in message["left"] + message["joined"]), frame
            assert set(message["wait"]) == {"free_in", "average"}, frame


async def test_a_whole_event(new_page, db, base_url):
    marker = secrets.token_hex(3)
    event, interviewer_tokens, candidate_tokens = await make_meeting_event(db, interviewers=2, candidates=4)
    # Texts unique to this run, so finding one anywhere means it leaked.
    questions = [f"Fråga {n} om dig {marker}" for n in (1, 2)]
    attributes = [f"Egenskap {n} {marker}" for n in (1, 2)]
    for table, texts in (("event_question", questions), ("event_attribute", attributes)):
        await db.executemany(
            f"UPDATE {table} SET text = $3 WHERE event_id = $1 AND position = $2",
            [(event.id, n, text) for n, text in enumerate(texts, start=1)],
        )
    notes = [f"Anteckning om kandidat {n} {marker}" for n in range(4)]

    interviewers, control = [], None
    for token, language in zip(interviewer_tokens, ("sv", "en")):
        page = await new_page(viewport={"width": 1100, "height": 900})
        control = control or Received(page)  # the same recording sees them on this side
        await page.context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
        interviewers.append(await open_meeting(page, token))
    candidates = [
        await open_candidate(new_page, base_url, token, language)
        for token, language in zip(candidate_tokens, ("sv", "en", "en", "sv"))
    ]
    for page, _received in candidates:  # in this order: the queue's order
        await page.locator("[data-checkin]").click()
        await phase(page, "waiting")
    await interviewers[0].wait_for_function("document.querySelectorAll('#queue li').length === 4")

    for round_ in range(2):
        jobs = []
        for side in range(2):
            n = 2 * round_ + side
            jobs.append(
                interview(
                    interviewers[side],
                    candidates[n][0],
                    note=notes[n],
                    question=questions[n % 2],
                    attribute=attributes[side],
                    rating=n + 1,
                    interested=n != 3,
                    switch_language=(round_, side) == (0, 0),
                )
            )
        # Interviewer 0 calls in first so the queue's order decides who meets whom.
        first = asyncio.ensure_future(jobs[0])
        await candidates[2 * round_][0].wait_for_function(
            "document.body.dataset.livePhase !== 'waiting'", timeout=15000
        )
        await asyncio.gather(first, jobs[1])

    rows = await db.fetch(
        """
        SELECT i.*, f.interested FROM interview i
        LEFT JOIN interview_feedback f ON f.interview_id = i.id
        WHERE i.event_id = $1 ORDER BY i.candidate_id""",
        event.id,
    )
    assert [r["candidate_id"] for r in rows] == event.candidates  # each exactly once
    for n, row in enumerate(rows):
        assert row["state"] == "ended" and row["started_at"] is not None
        assert row["end_reason"] == "interviewer"
        assert row["interviewer_id"] == event.interviewers[n % 2]
        assert row["notes"] == notes[n]
        assert row["questions_covered"] == [n % 2 + 1]
        ratings = await db.fetch(
            "SELECT position, rating FROM interview_rating WHERE interview_id = $1", row["id"]
        )
        assert [(r["position"], r["rating"]) for r in ratings] == [(n % 2 + 1, n + 1)]
        assert row["interested"] is (n != 3)
    assert {
        r["state"] for r in await db.fetch("SELECT state FROM queue_entry WHERE event_id = $1", event.id)
    } == {"done"}

    await control.settled()
    seen = " ".join(text for _url, _kind, text in control.bodies)
    assert questions[0] in seen and attributes[0] in seen
    for _page, received in candidates:
        await received.settled()
        assert_nothing_secret(received, questions + attributes + notes)
