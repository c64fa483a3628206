"""The meeting web once the event is over (its clock ran out, or the organizer's *End the
event now*): what can no longer be used goes, rather than stay on the page disabled: Next,
Pause, the message to everyone waiting, the lobby's keyboard shortcuts (no interview is to
come), and Next's in the list of an interview still going on. A keyboard user on one of them
goes on from the heading of its part of the page."""

from __future__ import annotations

import pytest

from tests.browser.interviewer_support import first_in_interview, look, make_meeting_event, open_meeting

pytestmark = pytest.mark.browser

OVER = {
    "en": "The event is over: no more candidates are called in.",
    "sv": "Intervjutillfället är slut: inga fler kandidater kallas in.",
}
NEXT = {"en": "Next candidate", "sv": "Nästa kandidat"}
END = {"en": "End interview", "sv": "Avsluta intervjun"}


async def listed(page, place: str) -> str:
    return await page.locator(f"#shortcuts-{place} dl").text_content() or ""


async def test_once_the_clock_ends_the_event_next_pause_and_the_message_go(new_page, db):
    event, (token,), _candidates = await make_meeting_event(db, candidates=1)
    await db.execute(
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes, secs => -8)"
        " WHERE id = $1",
        event.id,
    )
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
    assert NEXT["en"] in await listed(page, "lobby")
    await page.locator("#next").focus()
    await page.locator("#rotation", has_text=OVER["en"]).wait_for()
    for gone in ("#next", "#pause", "#message-form", "#shortcuts-lobby"):
        assert await page.locator(gone).is_hidden(), gone
    # The keyboard user was on Next: on the lobby's heading now, not the page's body.
    assert await page.evaluate("document.activeElement.id") == "lobby-heading"
    # The messages sent stay to read, under their heading.
    assert await page.locator("#message-heading").is_visible()
    assert await page.locator("#messages-empty").is_visible()
    await look(page, "meeting-over-en-desktop")


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_event_ended_now_while_a_message_is_written(new_page, db, settings, language):
    from app.events.workflow import end_event_now

    event, (token,), _candidates = await make_meeting_event(db, candidates=1)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": language}), token)
    await page.locator("#message-text").fill("Vi börjar snart")
    async with db.transaction():  # as the organizer's page does it: the event's row held
        await db.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event.id)
        assert await end_event_now(db, event.id, settings.live)
    await page.locator("#rotation", has_text=OVER[language]).wait_for()
    await page.locator("#message-form").wait_for(state="hidden")
    assert await page.locator("#next").is_hidden()
    assert await page.locator("#pause").is_hidden()
    assert await page.locator("#shortcuts-lobby").is_hidden()
    assert await page.evaluate("document.activeElement.id") == "message-heading"
    assert NEXT[language] not in await listed(page, "interview")
    # The switch of language draws the lists again, still without Next.
    other = "en" if language == "sv" else "sv"
    await page.locator(f"a[hreflang={other}]").click()
    await page.locator("#rotation", has_text=OVER[other]).wait_for()
    assert NEXT[other] not in await listed(page, "interview")
    assert END[other] in await listed(page, "interview")


async def test_the_lobbys_shortcuts_go_from_under_the_keyboard_user(new_page, db):
    event, (token,), _candidates = await make_meeting_event(db, candidates=1)
    await db.execute(
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes, secs => -8)"
        " WHERE id = $1",
        event.id,
    )
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
    await page.locator("#shortcuts-lobby summary").focus()
    await page.keyboard.press("Enter")  # opened: the list is read
    assert NEXT["en"] in await listed(page, "lobby")
    await page.locator("#shortcuts-lobby").wait_for(state="hidden")
    assert await page.evaluate("document.activeElement.id") == "lobby-heading"


async def test_the_event_ended_during_an_interview_lists_no_next_there(new_page, db, base_url, settings):
    from app.events.workflow import end_event_now

    async with first_in_interview(new_page, db, base_url) as (event, page, _recorders, _interview):
        assert NEXT["en"] in await listed(page, "interview")
        async with db.transaction():
            await db.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event.id)
            assert await end_event_now(db, event.id, settings.live)
        await page.locator("#interview-event-over").filter(has_text="The event is over").wait_for()
        assert NEXT["en"] not in await listed(page, "interview")
        assert END["en"] in await listed(page, "interview")
