"""The shared call view (live/_call.html + call-view.js) on its own: two browsers in one room."""

from __future__ import annotations

import datetime as dt

import pytest

from app.i18n import Renderer
from app.keys import JANUS
from app.tickets import mint_ticket

pytestmark = pytest.mark.browser

REMOTE_PLAYING = """() => {
  const v = document.querySelector('[data-call-remote]');
  return !!v && v.videoWidth > 0 && v.readyState >= 2;
}"""


async def open_call(new_page, ticket, language="en"):
    """A browser with nothing but the call view, joined with `ticket`."""
    page = await new_page(viewport={"width": 1280, "height": 900})
    await page.goto("/test-pages/call.html")
    await start_call(page, ticket, language)
    return page


async def start_call(page, ticket, language="en"):
    markup = Renderer().render(language, "live/_call.html", {})
    await page.evaluate("(html) => { document.querySelector('main').innerHTML = html; }", markup)
    await page.evaluate("(ticket) => window.startCall(ticket)", ticket)


async def two_in_a_call(app_server, settings, new_page):
    """An interviewer's and a candidate's call view in one room, each playing the other's
    video: (tickets, pages)."""
    room = await app_server[JANUS].create_private_room(participants=2)
    tickets = [
        mint_ticket(settings, room, index, role, role, subject=f"test:{role}")
        for index, role in enumerate(["interviewer", "candidate"])
    ]
    pages = [await open_call(new_page, ticket) for ticket in tickets]
    for page in pages:
        await page.wait_for_function(REMOTE_PLAYING, timeout=20000)
    return tickets, pages


async def test_call_view_shows_both_videos_and_its_controls(app_server, settings, new_page):
    tickets, pages = await two_in_a_call(app_server, settings, new_page)
    for page in pages:
        await page.wait_for_function("window.callLog.some(e => e.type === 'remote-video')")
        assert not [e for e in await page.evaluate("window.callLog") if e["type"] == "failed"]
        assert await page.is_hidden("[data-call-waiting]")
    # The other side reloads and joins again: the video comes back, no "connecting" left over.
    await pages[0].reload()
    await start_call(pages[0], tickets[0])
    page = pages[1]
    await page.wait_for_function(
        """() => window.callLog.filter(e => e.type === 'remote-video')
                                    .length === 2""",
        timeout=20000,
    )
    await page.wait_for_function(REMOTE_PLAYING, timeout=20000)
    assert await page.is_hidden("[data-call-waiting]")
    assert await page.text_content("[data-call-status]") == ""
    # The connection quality comes from getStats within a few seconds, in words.
    await page.wait_for_function(
        "document.querySelector('[data-call-quality]').dataset.level !== 'unknown'", timeout=15000
    )
    assert await page.text_content("[data-call-quality-text]") in (
        "Connection: good",
        "Connection: fair",
        "Connection: poor",
    )
    # Microphone and camera switches.
    await page.click("[data-call-mic]")
    assert await page.text_content("[data-call-mic]") == "Unmute microphone"
    assert (
        await page.evaluate(
            "document.querySelector('[data-call-self]').srcObject.getAudioTracks()[0].enabled"
        )
        is False
    )
    await page.click("[data-call-camera]")
    assert await page.text_content("[data-call-camera]") == "Turn camera on"
    assert await page.is_visible("[data-call-self-off]")
    await page.click("[data-call-camera]")
    assert await page.is_hidden("[data-call-self-off]")
    # The countdown by the server's clock (here: the page's clock is 10 minutes behind it).
    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=10)
    times = {
        "endsAt": (now + dt.timedelta(seconds=90)).isoformat(),
        "warningAt": (now + dt.timedelta(seconds=30)).isoformat(),
        "now": now.isoformat(),
    }
    await page.evaluate("(t) => window.callView.setTimes(t)", times)
    assert await page.text_content("[role=timer]") in ("01:30", "01:29")
    assert await page.is_hidden("[data-call-warning]")
    times["warningAt"] = (now - dt.timedelta(seconds=1)).isoformat()
    await page.evaluate("(t) => window.callView.setTimes(t)", times)
    assert await page.text_content("[data-call-warning]") == "The interview ends soon. Time to round off."
    await page.screenshot(path="/tmp/shots-candidate-web/call-view-en-desktop.png")
    # Leave, asked once more (it ends the interview for good): staying keeps the call.
    await page.click("[data-call-leave]")
    assert await page.evaluate("document.activeElement.dataset.callLeaveNo === ''")
    await page.keyboard.press("Shift+Tab")  # to "Yes, leave": Escape stays from there too
    assert await page.evaluate("document.activeElement.dataset.callLeaveYes === ''")
    await page.keyboard.press("Escape")
    assert await page.evaluate("document.activeElement.dataset.callLeave === ''")
    assert await page.is_visible("[data-call-mic]") and await page.is_hidden("[data-call-leave-yes]")
    # Leave: the call is gone, the other side sees it (here no interview ends with it, as a
    # closed tab's would not: once, on the status line, not again on the stage).
    await page.click("[data-call-leave]")
    await page.click("[data-call-leave-yes]")
    assert {"type": "left", "detail": None} in await page.evaluate("window.callLog")
    assert await page.is_hidden("[data-call]")
    await pages[0].wait_for_function(
        "document.querySelector('[data-call-status]').textContent.startsWith(\"The interviewer's connection\")",
        timeout=10000,
    )
    assert await pages[0].is_hidden("[data-call-waiting]")
