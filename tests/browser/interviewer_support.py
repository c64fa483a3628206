"""What the interviewer-side browser tests share: an event under way with a job, questions
and attributes; the meeting web signed in; candidates checked in over their own sockets;
screenshots when SNABB_SHOTS names a folder."""

from __future__ import annotations

import asyncio
import os
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from tests.accounts import log_in_browser, make_user
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.integration.channel_support import (
    INTERVIEWER_CODE,
    new_client,
    recording,
    sign_in_candidate,
)
from tests.integration.live_support import LiveEvent, make_live_event

QUESTIONS = ["Berätta om ett projekt du är stolt över", "Varför söker du just det här jobbet?"]
ATTRIBUTES = ["Samarbetsförmåga", "Kommunikation"]
JOB = "Vi söker en utvecklare.\n\nDu bygger webbsidor med oss."


async def eventually(read, expected, timeout: float = 5.0):
    """Poll `read()` until it returns `expected` (saves go out a moment after typing)."""
    for _ in range(int(timeout * 10)):
        if (value := await read()) == expected:
            return
        await asyncio.sleep(0.1)
    assert value == expected


async def make_meeting_event(
    db, *, interviewers: int = 1, candidates: int = 3, **options
) -> tuple[LiveEvent, list[str], list[str]]:
    """The event and the interviewers' and candidates' link tokens."""
    event = await make_live_event(db, interviewers=interviewers, candidates=candidates, **options)
    await db.execute("UPDATE event SET job_description = $2 WHERE id = $1", event.id, JOB)
    for table, texts in (("event_question", QUESTIONS), ("event_attribute", ATTRIBUTES)):
        await db.executemany(
            f"INSERT INTO {table} (event_id, position, text) VALUES ($1, $2, $3)",
            [(event.id, n, text) for n, text in enumerate(texts, start=1)],
        )
    interviewer_tokens = [
        await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", i)
        for i in event.interviewers
    ]
    candidate_tokens = [
        await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", c) for c in event.candidates
    ]
    return event, interviewer_tokens, candidate_tokens


async def open_meeting(page, token: str):
    """The meeting web behind the interviewer's code, connected. The page's errors go to
    stdout, which pytest shows when a test fails."""
    page.on("pageerror", lambda error: print("page error:", error))
    page.on(
        "console",
        lambda message: (
            message.type in ("error", "warning") and print("console:", message.type, message.text)
        ),
    )
    await page.goto(f"/i/{token}")
    await page.fill("#code", INTERVIEWER_CODE)
    await page.locator("form.pin-form button[type=submit]").click()
    await page.wait_for_selector('#connection[data-status="open"]')
    return page


@asynccontextmanager
async def checked_in(base_url: str, tokens: list[str]):
    """Candidates signed in with their PIN and checked in over a socket each, in this order;
    yields their recorders (kept open, so nobody turns away)."""
    async with AsyncExitStack() as stack:
        recorders = []
        for token in tokens:
            http = await stack.enter_async_context(new_client())
            await sign_in_candidate(http, base_url, token)
            recorder = await stack.enter_async_context(recording(http, f"{base_url}/c/{token}/ws"))
            reply = await recorder.request({"ok"}, type="check_in")
            assert reply["type"] == "ok", reply
            recorders.append(recorder)
        yield recorders


@asynccontextmanager
async def first_in_interview(new_page, db, base_url: str, *, candidates: int = 2):
    """The meeting web (in English) of an event with `candidates` checked in, the first of them
    called in by Next and in the interview; yields (event, page, recorders, interview id)."""
    event, (token,), tokens = await make_meeting_event(db, candidates=candidates)
    async with checked_in(base_url, tokens) as recorders:
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await page.wait_for_function(f"document.querySelectorAll('#queue li').length === {candidates}")
        await page.get_by_role("button", name="Next candidate").click()
        await recorders[0].wait_for(lambda m: m["type"] == "offer")
        interview = (await recorders[0].request({"ticket"}, type="accept"))["interview"]
        await page.wait_for_selector("#interview:not([hidden])")
        yield event, page, recorders, interview


async def logged_in_page(
    new_page, db, organization_id: int, *, language: str = "en", viewport: str = "desktop"
):
    """A browser logged in as a new user of the organization; returns (page, user)."""
    user = await make_user(db, organization_id=organization_id, language=language)
    page = await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language})
    await log_in_browser(page, user["email"])
    return page, user


async def look(page, name: str) -> None:
    """axe's WCAG 2.1 AA check of the page as it is now, and its screenshot."""
    await assert_accessible(page)
    await shot(page, name)


async def look_in_swedish_on_a_phone(page, shown, name: str) -> None:
    """`look` at the page again at 390 px in Swedish, once `shown` (a locator) is: the page's
    scripts redraw their texts on the switch, with no reload."""
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.get_by_role("link", name="Svenska").click()
    await shown.wait_for()
    await look(page, name)


async def shot(page, name: str) -> None:
    folder = os.environ.get("SNABB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
