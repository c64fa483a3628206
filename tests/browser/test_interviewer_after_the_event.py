"""The meeting web once the event is over (its clock ran out, or the organizer's *End the
event now*): what can no longer be used goes, rather than stay on the page disabled: Next,
Pause, the form of the message to everyone waiting, the lobby's keyboard shortcuts (no
interview is to come), and Next's in the list of an interview still going on. A keyboard
user on one of them goes on from the lobby's heading. The messages sent stay, under a
heading that says what they were (the day's record); none sent, nothing of their part is
left."""

from __future__ import annotations

import pytest

from tests.browser.interviewer_support import first_in_interview, look, make_meeting_event, open_meeting

pytestmark = pytest.mark.browser

OVER = {
    "en": "The event is over: no more candidates are called in.",
    "sv": "Intervjutillfället är slut: inga fler kandidater kallas in.",
}
NEXT = {"en": "Next candidate", "sv": "Nästa kandidat"}
SENT = {"en": "Message sent to everyone waiting.", "sv": "Meddelandet skickades till alla som väntar."}
END = {"en": "End interview", "sv": "Avsluta intervjun"}


# What goes once the event is over.
GONE = ("#next", "#pause", "#message-form", "#shortcuts-lobby")
# The heading over the messages sent once the event is over, by its English name.
SENT_HEADING = {"en": "Messages sent to those waiting"}


async def meeting_of_an_event_ending_soon(new_page, db):
    """The meeting web (in English) of an event whose time runs out in a few seconds, open
    before then: the page sees the end come by the clock."""
    event, (token,), _candidates = await make_meeting_event(db, candidates=1)
    await db.execute(
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes, secs => -8)"
        " WHERE id = $1",
        event.id,
    )
    return await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)


async def listed(page, place: str) -> str:
    return await page.locator(f"#shortcuts-{place} dl").text_content() or ""


async def test_once_the_clock_ends_the_event_next_pause_and_the_message_go(new_page, db):
    page = await meeting_of_an_event_ending_soon(new_page, db)
    assert NEXT["en"] in await listed(page, "lobby")
    await page.locator("#next").focus()
    await page.locator("#rotation", has_text=OVER["en"]).wait_for()
    for gone in GONE:
        assert await page.locator(gone).is_hidden(), gone
    # The keyboard user was on Next: on the lobby's heading now, not the page's body.
    assert await page.evaluate("document.activeElement.id") == "lobby-heading"
    # None was sent: nothing of the message's part is left, no heading over nothing.
    for gone in ("#message-section", "#message-heading", "#messages-empty", "text=Sent messages"):
        assert await page.locator(gone).is_hidden(), gone
    await look(page, "meeting-over-en-desktop")
    # Loaded again after the end, the same: no form, nothing of the message's part.
    await page.reload()
    await page.locator("#rotation", has_text=OVER["en"]).wait_for()
    for gone in (*GONE, "#message-section"):
        assert await page.locator(gone).is_hidden(), gone


async def the_messages_sent_stay(page, language: str, texts: list[str]) -> None:
    """The messages sent listed under the heading that says what they were, without the form
    and without "Sent messages" under it (the heading says it)."""
    assert await page.locator("#message-section").is_visible()
    assert await page.locator("#message-form").is_hidden()
    assert await page.locator("#messages-sent-heading").is_hidden()
    assert await page.locator("#messages-empty").is_hidden()
    assert await page.locator("#message-title-open").is_hidden()
    assert await page.locator("#message-title-over").is_visible()
    if language in SENT_HEADING:
        heading = page.get_by_role("heading", level=3, name=SENT_HEADING[language], exact=True)
        assert await heading.get_attribute("id") == "message-heading"
    assert await page.locator("#messages li .text").all_inner_texts() == texts


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_event_ended_now_while_a_message_is_written(new_page, db, settings, language):
    from app.events.workflow import end_event_now

    event, (token,), _candidates = await make_meeting_event(db, candidates=1)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": language}), token)
    await page.locator("#message-text").fill("Fem minuters paus")
    await page.locator("#message-form button[type=submit]").click()
    await page.locator("#messages li", has_text="Fem minuters paus").wait_for()
    assert await page.locator("#lobby-status").text_content() == SENT[language]
    await page.locator("#message-text").fill("Vi börjar snart")
    async with db.transaction():  # as the organizer's page does it: the event's row held
        await db.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event.id)
        assert await end_event_now(db, event.id, settings.live)
    await page.locator("#rotation", has_text=OVER[language]).wait_for()
    await page.locator("#message-form").wait_for(state="hidden")
    for gone in GONE:
        assert await page.locator(gone).is_hidden(), gone
    # The keyboard user was writing the message, its form now gone: on its part's heading,
    # which stays over the message sent before (the day's record), not the page's top.
    assert await page.evaluate("document.activeElement.id") == "message-heading"
    await the_messages_sent_stay(page, language, ["Fem minuters paus"])
    # The status line's "sent" goes, of a form no longer there.
    assert await page.locator("#lobby-status").text_content() == ""
    assert NEXT[language] not in await listed(page, "interview")
    # The switch of language draws the lists again, still without Next.
    other = "en" if language == "sv" else "sv"
    await page.locator(f"a[hreflang={other}]").click()
    await page.locator("#rotation", has_text=OVER[other]).wait_for()
    assert NEXT[other] not in await listed(page, "interview")
    assert END[other] in await listed(page, "interview")
    await the_messages_sent_stay(page, other, ["Fem minuters paus"])
    await look(page, f"meeting-over-messages-{other}-desktop")
    # Loaded again after the end: the same from the page's first state, no form on the way.
    await page.reload()
    await page.locator("#messages li", has_text="Fem minuters paus").wait_for()
    await the_messages_sent_stay(page, other, ["Fem minuters paus"])


async def test_the_lobbys_shortcuts_go_from_under_the_keyboard_user(new_page, db):
    page = await meeting_of_an_event_ending_soon(new_page, db)
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
