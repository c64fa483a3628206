"""The interviewers' meeting web (/i/{token} signed in): the lobby's queue, Next, Pick,
Pause, the message to everyone waiting, Withdraw; the interview's record saved as typed,
Extend and End; keyboard alone; axe in both languages at desktop and phone width."""

from __future__ import annotations

import asyncio
import re
from contextlib import asynccontextmanager

import pytest

from app.live import queue as live_queue
from tests.browser.axe import VIEWPORTS
from tests.browser.interviewer_support import (
    ATTRIBUTES,
    QUESTIONS,
    checked_in,
    eventually,
    first_in_interview,
    logged_in_page,
    look,
    look_in_swedish_on_a_phone,
    make_meeting_event,
    open_meeting,
)
from tests.integration.live_support import until_a_statement_waits_for_a_lock

pytestmark = pytest.mark.browser


async def test_lobby_queue_next_pick_pause_message_withdraw(new_page, db, base_url):
    event, (token,), candidates = await make_meeting_event(db, candidates=4)
    async with checked_in(base_url, candidates[:3]) as recorders:
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        queue = page.locator("#queue li")
        await page.wait_for_function("document.querySelectorAll('#queue li').length === 3")
        assert [n.strip() for n in await queue.locator(".name").all_inner_texts()] == [
            "Kandidat 0",
            "Kandidat 1",
            "Kandidat 2",
        ]
        first = await queue.first.locator(".waited").inner_text()
        await page.wait_for_timeout(2100)
        assert await queue.first.locator(".waited").inner_text() != first  # ticks by itself
        assert await page.locator("#checked-in-count").inner_text() == "3 of 4 checked in"
        # The registered candidates, read over HTTP (not in the state): all four here.
        await page.wait_for_function("document.querySelectorAll('#candidates tr').length === 4")
        rows = await page.locator("#candidates tr").all_inner_texts()
        assert any("Kandidat 3" in row and "No" in row for row in rows)

        await page.get_by_role("button", name="Pause").click()
        await page.wait_for_selector("#rotation.paused")
        await page.get_by_role("button", name="Resume").click()
        await page.wait_for_selector("#rotation:not(.paused)")

        await page.get_by_role("button", name="Send message").click()
        assert await page.locator("#message-error").inner_text() == "Write a message first."
        assert await page.get_attribute("#message-text", "aria-invalid") == "true"
        await page.get_by_label("Message", exact=True).fill("Vi börjar om två minuter")
        await page.get_by_role("button", name="Send message").click()
        await page.wait_for_selector("#messages li")
        await recorders[0].wait_for(
            lambda m: (
                m["type"] == "state" and any(x["text"] == "Vi börjar om två minuter" for x in m["messages"])
            )
        )

        # Pick the second in line, then withdraw: they keep their place.
        await page.locator("#queue").get_by_role("button", name="Pick Kandidat 1").click()
        await page.wait_for_selector("#own-offer:not([hidden])")
        assert "Kandidat 1" in await page.locator("#own-offer-text").inner_text()
        assert await page.locator("#next").is_disabled()
        await recorders[1].wait_for(lambda m: m["type"] == "offer")
        await page.get_by_role("button", name="Withdraw offer").click()
        await page.wait_for_selector("#own-offer", state="hidden")
        await page.wait_for_function("document.querySelectorAll('#queue li').length === 3")
        assert "withdrawn" in await page.locator("#lobby-status").inner_text()

        # Next: the longest waiting; they accept, the interview opens with its side panel.
        await page.get_by_role("button", name="Next candidate").click()
        offer = await recorders[0].wait_for(lambda m: m["type"] == "offer")
        assert (await recorders[0].request({"ticket"}, type="accept"))["type"] == "ticket"
        await page.wait_for_selector("#interview:not([hidden])")
        assert await page.locator("#interview-heading").inner_text() == "Interview with Kandidat 0"
        assert await page.locator("#lobby").is_hidden()
        await page.get_by_label(QUESTIONS[1]).check()
        await page.get_by_role("group", name=ATTRIBUTES[0]).get_by_label("4").check()
        await page.get_by_label("Notes", exact=True).fill("Stark kandidat")
        await page.wait_for_selector("#save-status:text('Saved')")
        row = await db.fetchrow("SELECT * FROM interview WHERE id = $1", offer["interview"])
        assert row["notes"] == "Stark kandidat" and row["questions_covered"] == [2]
        assert (
            await db.fetchval(
                "SELECT rating FROM interview_rating WHERE interview_id = $1", offer["interview"]
            )
            == 4
        )

        before = row["ends_at"]
        await page.get_by_role("button", name="Extend by 2 minutes").click()

        async def extended_by():
            ends_at = await db.fetchval("SELECT ends_at FROM interview WHERE id = $1", offer["interview"])
            return (ends_at - before).total_seconds()

        await eventually(extended_by, 120)
        await page.locator("[data-call-extended]").filter(has_text="Extended by 2 minutes.").wait_for()

        # End: back to the lobby, Next ready, the notes still open and saved to that interview.
        await page.get_by_role("button", name="End interview").click()
        await page.get_by_role("button", name="Yes, end it").click()
        await page.wait_for_selector("#lobby:not([hidden])")
        await page.wait_for_function("document.activeElement.id === 'next'")
        assert await page.locator("#lobby #record").is_visible()
        assert "(ended)" in await page.locator("#record-heading").inner_text()
        await page.get_by_label("Notes", exact=True).fill("Stark kandidat, ring tillbaka")
        await eventually(
            lambda: db.fetchval("SELECT notes FROM interview WHERE id = $1", offer["interview"]),
            "Stark kandidat, ring tillbaka",
        )
        # A reload keeps what was written.
        await page.reload()
        await page.wait_for_selector('#connection[data-status="open"]')
        assert await page.get_by_label("Notes", exact=True).input_value() == "Stark kandidat, ring tillbaka"
        assert await page.get_by_label(QUESTIONS[1]).is_checked()


async def test_a_pick_taken_by_another_interviewer_leaves_the_focus_in_the_list(new_page, db, base_url):
    """The focused Pick went with its row when another interviewer took that candidate, and
    the focus fell to the page's body (WCAG 2.4.3): the next row's Pick takes it, or the
    list's heading when none is left; in the roster, its heading."""
    _event, tokens, candidates = await make_meeting_event(db, interviewers=2, candidates=2)
    async with checked_in(base_url, candidates):
        mine = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), tokens[0])
        other = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), tokens[1])
        for page in (mine, other):
            await page.wait_for_function("document.querySelectorAll('#queue li').length === 2")
        await mine.locator("#queue button[data-candidate]").first.focus()
        await other.locator("#queue button[data-candidate]").first.click()
        await mine.wait_for_function("document.querySelectorAll('#queue li').length === 1")
        assert await mine.evaluate("document.activeElement.matches('#queue button[data-candidate]')")
        await other.get_by_role("button", name="Withdraw").wait_for()
        await other.get_by_role("button", name="Withdraw").click()  # back in the queue: two rows
        await mine.wait_for_function("document.querySelectorAll('#queue li').length === 2")
        # In the roster: the row stays (its status changes) and its Pick goes.
        pick = mine.locator("#candidates button.pick").first
        await pick.wait_for()
        await pick.focus()
        taken = await pick.get_attribute("data-candidate")
        await other.locator(f'#queue button[data-candidate="{taken}"]').click()
        await mine.wait_for_function(
            f"!document.querySelector('#candidates button[data-candidate=\"{taken}\"]')"
        )
        assert await mine.evaluate("document.activeElement.id") == "candidates-heading"


async def test_keyboard_alone(new_page, db, base_url):
    _event, (token,), candidates = await make_meeting_event(db, candidates=2)
    async with checked_in(base_url, candidates) as recorders:
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "sv"}), token)
        await page.wait_for_function("document.querySelectorAll('#queue li').length === 2")

        async def tab_to(selector: str, limit: int = 40) -> None:
            for _ in range(limit):
                await page.keyboard.press("Tab")
                if await page.evaluate(f"document.activeElement.matches({selector!r})"):
                    return
            raise AssertionError(f"Tab never reached {selector}")

        await tab_to('#queue button[data-candidate]:not([aria-label$="0"])')
        assert (
            await page.evaluate("document.activeElement.getAttribute('aria-label')") == "Kalla in Kandidat 1"
        )
        await page.keyboard.press("Enter")
        await recorders[1].wait_for(lambda m: m["type"] == "offer")
        # The focus on the offer's banner: Enter pressed again by habit takes nothing back.
        await page.wait_for_function("document.activeElement.id === 'own-offer'")
        await page.keyboard.press("Enter")
        await page.wait_for_timeout(300)
        assert await page.locator("#own-offer").is_visible()
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == "withdraw"
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#own-offer", state="hidden")
        await tab_to("#message-text")
        await page.keyboard.type("Hej alla")
        await tab_to("#message-form button")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#messages li")
        await tab_to("#pause")
        await page.keyboard.press("Space")
        await page.wait_for_selector("#rotation.paused")

        # The interview: tick a question, rate with the arrow keys, write, extend, end.
        await tab_to("#next")
        await page.keyboard.press("Enter")
        await recorders[0].wait_for(lambda m: m["type"] == "offer")
        await recorders[0].request({"ticket"}, type="accept")
        await page.wait_for_function("document.activeElement.id === 'interview-heading'")
        # The call's own texts are in the page's language from the start.
        assert await page.locator("[data-call-mic]").inner_text() == "Stäng av mikrofonen"
        await tab_to("#extend")
        await page.keyboard.press("Enter")
        await tab_to("#record input[name=question]")
        await page.keyboard.press("Space")
        await tab_to("#record input[name=rating-1]")
        await page.keyboard.press("ArrowRight")  # radios: the arrows choose
        await tab_to("#notes")
        await page.keyboard.type("Tangentbord")
        await page.wait_for_selector("#save-status:text-is('Sparat')")
        # Shown, not read out: saved after every pause in typing, said each time it talked
        # over the candidate. A failure is said (and the "Saved" after it).
        assert await page.locator("#save-status").get_attribute("aria-live") == "off"
        assert await page.locator("#record input[name=question]").first.is_checked()
        assert await page.locator("#record input[name=rating-1]:checked").count() == 1
        # The ends of the scale have their meaning in their names (a screen reader said "1").
        scale = page.locator("#record fieldset.rating").first
        assert await scale.get_by_role("radio", name="1 (svag)").count() == 1
        assert await scale.get_by_role("radio", name="5 (stark)").count() == 1
        await page.keyboard.press("Shift+Tab")
        for _ in range(40):  # back up to End
            if await page.evaluate("document.activeElement.id === 'end'"):
                break
            await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Enter")
        # Asked once more, the question focused (a held Enter does not answer it): Tab, Enter.
        await page.wait_for_function("document.activeElement.id === 'end-question'")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await page.wait_for_function("document.activeElement.id === 'next'")
        # The notes after a reload: "Saved" shown, not read out again as if it were news.
        await page.reload()
        await page.wait_for_selector("#save-status:text-is('Sparat')")
        assert await page.locator("#save-status").get_attribute("aria-live") == "off"


async def test_language_switch_redraws_without_reload(new_page, db, base_url):
    _event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates):
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "sv"}), token)
        await page.wait_for_selector("#queue li")
        await page.evaluate("window.marker = 'same page'")
        assert await page.locator("#next").inner_text() == "Nästa kandidat"
        await page.get_by_role("link", name="English").click()
        await page.wait_for_function("document.documentElement.lang === 'en'")
        assert await page.evaluate("window.marker") == "same page"
        assert await page.locator("#next").inner_text() == "Next candidate"
        assert await page.locator("#queue button").get_attribute("aria-label") == "Pick Kandidat 0"
        assert (
            await page.locator("#rotation").inner_text()
            == "You are taking candidates: the waiting times the candidates see count you in."
        )
        assert await page.locator("#connection").inner_text() == "Connected."


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_meeting_web_meets_wcag_aa(new_page, db, base_url, language, viewport):
    _event, (token,), candidates = await make_meeting_event(db, candidates=3)
    async with checked_in(base_url, candidates) as recorders:
        page = await open_meeting(
            await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language}),
            token,
        )
        await page.fill("#message-text", "Välkomna!")
        await page.locator("#message-form button").click()
        await page.wait_for_selector("#messages li")
        await page.wait_for_function("document.querySelectorAll('#queue li').length === 3")
        await look(page, f"lobby-{language}-{viewport}")
        await page.locator("#next").click()
        await page.wait_for_selector("#own-offer:not([hidden])")
        await look(page, f"lobby-offer-{language}-{viewport}")
        await recorders[0].wait_for(lambda m: m["type"] == "offer")
        await recorders[0].request({"ticket"}, type="accept")
        await page.wait_for_selector("#interview:not([hidden])")
        await page.locator("#record input[type=checkbox]").first.check()
        await page.wait_for_selector("#save-status:not(:empty)")
        await look(page, f"interview-{language}-{viewport}")
        await page.locator("#end").click()
        await page.locator("#end-yes").click()  # asked once more
        await page.wait_for_selector("#lobby:not([hidden])")
        await look(page, f"lobby-after-{language}-{viewport}")


async def test_organizer_who_interviews_opens_the_meeting_web_from_the_event_page(new_page, db, base_url):
    event, _tokens, _candidates = await make_meeting_event(db, interviewers=2, candidates=1)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    page, user = await logged_in_page(new_page, db, organization)
    await page.goto(f"/events/{event.id}")
    assert await page.locator("#open-meeting-web").count() == 0  # not an interviewer of it
    await db.execute(
        "UPDATE event_interviewer SET user_id = $1 WHERE id = $2", user["id"], event.interviewers[1]
    )
    await page.goto(f"/events/{event.id}")
    await page.get_by_role("link", name="Open the meeting web").click()
    await page.wait_for_selector('#connection[data-status="open"]')  # no code asked
    assert await page.locator("h1").inner_text() == "Livetillfälle"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_refusals_and_reconnecting_are_put_into_words(new_page, db, language, viewport):
    # Over by the clock, though nothing has marked it finished yet: the page no longer offers
    # Next, but a page whose clock is behind the server's would send it, and the server
    # refuses it.
    _event, (token,), _candidates = await make_meeting_event(db, candidates=1, starts_in_minutes=-121)
    page = await open_meeting(
        await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language}), token
    )
    await page.evaluate("window.meeting.request({ type: 'next' })")
    expected = {"sv": "Intervjutillfället är inte öppet nu.", "en": "The event is not open now."}
    await page.wait_for_selector(f"#problem:text-is('{expected[language]}')")
    await look(page, f"lobby-refused-{language}-{viewport}")
    # The socket drops: the page says so, reconnects by itself and clears nothing it needs.
    await page.evaluate("window.meeting.channel.ws.close()")
    await page.wait_for_selector('#connection[data-status="reconnecting"]')
    reconnecting = {"sv": "Anslutningen bröts. Ansluter igen …", "en": "Connection lost. Reconnecting…"}
    assert await page.locator("#connection").inner_text() == reconnecting[language]
    # The call is told too (web/static/js/live/call-status.js), in the same step as the line
    # above: seen together, or the page is back already.
    assert await page.evaluate(
        """window.meeting.interview.call.serviceLost
           || document.querySelector('#connection').dataset.status === 'open'"""
    )
    await page.wait_for_selector('#connection[data-status="open"]')
    assert await page.evaluate("window.meeting.interview.call.serviceLost") is False
    # The refusal was about the page before the drop: the state that comes now replaces it.
    assert await page.locator("#problem").inner_text() == ""


async def test_the_meeting_web_left_open_links_the_summary_once_the_event_has_finished(new_page, db):
    """The help promises it: the link was drawn only by the server, so a page open since
    before the end showed it only after a reload."""
    event, (token,), _candidates = await make_meeting_event(db, candidates=1)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
    assert await page.locator("#event-finished").is_hidden()
    await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", event.id)
    await live_queue.notify(db, event.id, "event_state")
    await page.get_by_role("link", name="Summary of the interviews").wait_for()
    assert (
        await page.locator("#event-finished").inner_text()
        == "The event has finished. Summary of the interviews"
    )


async def test_a_finished_event_sends_no_more_candidates(new_page, db):
    _event, (token,), _candidates = await make_meeting_event(db, candidates=1, state="finished")
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
    await page.wait_for_selector("#rotation:text-is('The event is over: no more candidates are called in.')")
    assert await page.locator("#next").is_hidden()


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_before_check_in_opens_the_lobby_says_when_it_does(new_page, db, language):
    """An interviewer looking in days ahead (to see who registered) was shown Next, "You are
    in the rotation" and a connected lobby, as if the event were on: Next only said nobody
    was waiting. It says when check-in opens, and Next waits for it."""
    event, (token,), _candidates = await make_meeting_event(db, candidates=1, state="published")
    await db.execute(
        "UPDATE event SET starts_at = (date_trunc('day', now() AT TIME ZONE 'Europe/Stockholm')"
        " + interval '2 days 10 hours') AT TIME ZONE 'Europe/Stockholm' WHERE id = $1",
        event.id,
    )
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": language}), token)
    note = page.locator("#checkin-opens")
    await note.wait_for()
    opens = {"en": "Check-in opens ", "sv": "Incheckningen öppnar "}[language]
    assert (await note.inner_text()).startswith(opens)
    assert {"en": "08:30", "sv": "08.30"}[
        language
    ] in await note.inner_text() or "09:30" in await note.inner_text()
    assert await page.locator("#next").is_disabled()
    assert await page.locator("#rotation").inner_text() == ""
    # Nobody can be waiting to read a message yet.
    assert await page.locator("#message-section").is_hidden()
    one = {"en": "1 registered candidate.", "sv": "1 anmäld kandidat."}[language]  # not "1 … candidates"
    await page.locator("#roster-status").filter(has_text=one).wait_for()
    await look(page, f"lobby-before-checkin-{language}")
    # Check-in opens (the state moves to live): Next comes on, the note goes.
    await db.execute("UPDATE event SET state = 'live', starts_at = now() WHERE id = $1", event.id)
    from app.live import queue

    await queue.notify(db, event.id, "event_state")
    await note.wait_for(state="hidden")
    await page.wait_for_function("!document.querySelector('#next').disabled")
    await page.locator("#message-section").wait_for()


async def test_the_meeting_web_turns_over_when_the_events_time_runs_out(new_page, db):
    """No reload, no state needed: the end comes by the clock (the event's state follows
    only once no interview of it is still going)."""
    event, (token,), _candidates = await make_meeting_event(db, candidates=1)
    await db.execute(
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes, secs => -3)"
        " WHERE id = $1",
        event.id,
    )
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
    assert await page.locator("#next").is_enabled()
    await page.wait_for_selector("#rotation:text-is('The event is over: no more candidates are called in.')")
    # Gone, not left disabled (tests/browser/test_interviewer_after_the_event.py).
    assert await page.locator("#next").is_hidden()
    assert await page.locator("#pause").is_hidden()


async def test_an_interview_ending_after_the_event_does_not_offer_a_next(new_page, db, base_url):
    """An interview that goes on past the event's end: when it ends, the status line does
    not suggest calling in the next candidate (Next is off), and the waits of those still
    checked in stop at the end instead of ticking on."""
    from app.live import queue

    async with first_in_interview(new_page, db, base_url) as (event, page, _recorders, _interview):
        await db.execute(
            "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes) WHERE id = $1",
            event.id,
        )
        await queue.notify(db, event.id, "event_state")
        # The lobby is out of sight during the interview, drawn all the same.
        over = "The event is over: no more candidates are called in."
        await page.wait_for_function(f"document.querySelector('#rotation').textContent === '{over}'")
        waited = page.locator("#queue li .waited")
        before = await waited.text_content()
        await page.wait_for_timeout(2500)
        assert await waited.text_content() == before
        await page.get_by_role("button", name="End interview").click()
        await page.get_by_role("button", name="Yes, end it").click()
        said = "The interview with Kandidat 0 has ended. The event is over too. Finish your notes below."
        await page.wait_for_selector(f"#lobby-status:text-is('{said}')")
        assert await page.locator("#next").is_disabled()


async def test_the_event_ended_early_during_an_interview_says_so_and_offers_no_extend(
    new_page, db, base_url, settings
):
    """The organizer's *End the event now* while an interviewer is in a call: the lobby, which
    says the event is over, is hidden then, so the interview says it; the call goes on to its
    end and no further (Extend goes, and the server refuses it: `event_over`)."""
    from app.events.workflow import end_event_now

    async with first_in_interview(new_page, db, base_url) as (event, page, _recorders, _interview):
        extend = page.locator("#extend")
        await extend.focus()
        async with db.transaction():  # as the organizer's page does it: the event's row held
            await db.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event.id)
            assert await end_event_now(db, event.id, settings.live)
        said = (
            "The event is over: no one else is called in. This interview goes on to its end"
            " and can no longer be extended."
        )
        await page.wait_for_selector(f"#interview-event-over:text-is('{said}')")
        assert await extend.is_hidden()
        # The keyboard user on Extend goes on from End.
        assert await page.evaluate("document.activeElement.id") == "end"
        await look(page, "interview-event-over-en-desktop")
        # Asked whether to end, and answered No: End comes back, Extend does not.
        await page.get_by_role("button", name="End interview").click()
        await page.get_by_role("button", name="No, go on").click()
        assert await extend.is_hidden()
        assert await page.locator("#interview").get_by_role("button", name="End interview").is_visible()


async def test_extend_pressed_as_the_event_is_being_ended_is_refused_on_the_page(
    new_page, db, base_url, settings
):
    """The interviewer presses Extend while the organizer's *End the event now* is being
    committed: the press waits for the end and is refused, the interview keeps its end, and
    the page says once that the event is over (the line beside End and the refusal are the
    same news) and offers no Extend."""
    from app.events.workflow import end_event_now

    async with first_in_interview(new_page, db, base_url) as (event, page, _recorders, interview):
        planned = await db.fetchval("SELECT ends_at FROM interview WHERE id = $1", interview)
        async with db.transaction():  # as the organizer's page does it: the event's row held
            await db.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event.id)
            assert await end_event_now(db, event.id, settings.live)
            await page.locator("#extend").click()
            # The press waits for the end's lock (the statement of extend_interview).
            await until_a_statement_waits_for_a_lock(db, "open_event", "the press of Extend")
        said = (
            "The event is over: no one else is called in. This interview goes on to its end"
            " and can no longer be extended."
        )
        await page.wait_for_selector(f"#interview-event-over:text-is('{said}')")
        assert await page.locator("#extend").is_hidden()
        assert await db.fetchval("SELECT ends_at FROM interview WHERE id = $1", interview) == planned
        # The refusal comes within milliseconds of the end's commit, before or after the
        # state that says the event is over: either way the page says it once, beside End.
        await page.wait_for_timeout(500)
        assert await page.locator("#problem").inner_text() == ""
        assert await page.get_by_text("can no longer be extended").count() == 1
        await look(page, "interview-extend-refused-at-the-end-en-desktop")
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.get_by_role("link", name="Svenska").click()
        await page.wait_for_selector("#interview-event-over:text-matches('kan inte längre förlängas')")
        await look(page, "interview-extend-refused-at-the-end-sv-phone")


async def test_once_over_nobody_is_waiting_paused_for_or_told(new_page, db, base_url):
    """A candidate still checked in when the event ends is not "waiting" in the list (nobody
    calls them any more) and cannot be picked; there is no rotation to pause and nobody in
    a queue to read a message."""
    event, (token,), candidates = await make_meeting_event(db, candidates=2)
    async with checked_in(base_url, candidates[:1]):
        await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", event.id)
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await page.wait_for_selector(
            "#rotation:text-is('The event is over: no more candidates are called in.')"
        )
        rows = page.locator("#candidates tr")
        row = rows.filter(has_text="Not interviewed")
        await row.wait_for()
        assert await row.get_by_role("button").count() == 0
        # Who never came is said as the employer's list says it, not "Not checked in" (yet).
        await rows.filter(has_text="Never checked in").wait_for()
        assert await rows.count() == 2
        # The list of those waiting says the same, and offers no Pick either.
        assert await page.locator("#queue li").count() == 1
        assert await page.locator("#queue").get_by_role("button").count() == 0
        assert await page.locator("#queue-more").inner_text() == (
            "Not interviewed: nobody is called in after the end."
        )
        # Headed as what they are now, with no wait running on.
        heading = page.get_by_role("heading", name="Still waiting at the end (1)")
        assert await heading.is_visible()
        assert await page.get_by_role("heading", name=re.compile(r"^Waiting")).count() == 0
        assert await page.locator("#queue li .waited").is_hidden()
        await look(page, "lobby-over-not-interviewed-en-desktop")
        shown = page.locator("#queue-title-over").filter(has_text="slutet")
        await look_in_swedish_on_a_phone(page, shown, "lobby-over-not-interviewed-sv-phone")
        await page.get_by_role("link", name="English").click()
        assert await page.locator("#pause").is_hidden()
        assert await page.get_by_label("Message", exact=True).is_hidden()
        assert await page.get_by_role("button", name="Send message").is_hidden()
        # None was sent: no heading over an empty list of them either.
        assert await page.locator("#message-section").is_hidden()


@asynccontextmanager
async def one_called_in(new_page, db, base_url):
    """The meeting web (in English) of an event with one candidate, called in by Next."""
    _event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates) as (candidate,):
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await page.wait_for_selector("#queue li")
        await page.get_by_role("button", name="Next candidate").click()
        await candidate.wait_for(lambda m: m["type"] == "offer")
        yield page, candidate


async def test_an_offer_not_taken_up_is_said(new_page, db, base_url):
    async with one_called_in(new_page, db, base_url) as (page, candidate):
        # The candidate hears of the offer at the dispatch's commit, before the interviewer's
        # page has its state: turned down only once the interviewer sees the offer.
        await page.wait_for_selector("#own-offer", state="visible")
        # The focus is on the banner (the page puts it there); when the banner goes, on Next.
        await page.wait_for_function("document.activeElement && document.activeElement.id === 'own-offer'")
        await candidate.request({"ok"}, type="leave")  # turns the offer down
        await page.wait_for_selector("#own-offer", state="hidden")
        # The status line may be drawn from the state after the one that hid the offer. The
        # server says why it ended (`offer_ended`): they left the queue, not a miss.
        said = "Kandidat 0 is no longer in the queue. You can call in the next candidate."
        await page.wait_for_selector(f"#lobby-status:text-is('{said}')", timeout=10000)
        assert await page.locator("#lobby-status").inner_text() == said
        assert await page.locator("#next").is_enabled()
        await page.wait_for_function("document.activeElement && document.activeElement.id === 'next'")


async def test_a_reload_during_the_interview_brings_it_back(new_page, db, base_url):
    async with one_called_in(new_page, db, base_url) as (page, candidate):
        await candidate.request({"ticket"}, type="accept")
        await page.wait_for_selector("#interview:not([hidden])")
        await page.get_by_label(QUESTIONS[0]).check()
        await page.get_by_label("Notes", exact=True).fill("Före omladdningen")
        await page.wait_for_selector("#save-status:text-is('Saved')")
        await page.reload()
        await page.wait_for_selector("#interview:not([hidden])")
        assert await page.get_by_label("Notes", exact=True).input_value() == "Före omladdningen"
        assert await page.get_by_label(QUESTIONS[0]).is_checked()
        assert await page.locator("[data-call]").is_visible()  # the call joins again
        await page.wait_for_function(
            "document.querySelector('[data-call-self]').videoWidth > 0", timeout=10000
        )


async def test_the_call_follows_the_interview_to_a_new_room(new_page, db, base_url):
    """The reconciler moved the interview (room_changed): the page joins with the new ticket."""
    from app.live.queue import notify

    async with one_called_in(new_page, db, base_url) as (page, candidate):
        accepted = await candidate.request({"ticket"}, type="accept")
        await page.wait_for_selector("#interview:not([hidden])")
        await page.evaluate("""() => {
            const call = window.meeting.interview.call;
            window.joins = [];
            const join = call.join.bind(call);
            call.join = (ticket) => { window.joins.push(ticket); return join(ticket); };
        }""")
        await db.execute(
            "UPDATE interview SET room_generation = room_generation + 1 WHERE id = $1", accepted["interview"]
        )
        event_id = await db.fetchval("SELECT event_id FROM interview WHERE id = $1", accepted["interview"])
        await notify(db, event_id, "room_moved", interview=accepted["interview"])
        await page.wait_for_function("window.joins.length === 1")
        await page.wait_for_timeout(300)
        assert await page.evaluate("window.joins.length") == 1  # once, not per state


async def test_a_double_click_sends_each_action_once(new_page, db, base_url):
    """Next and Send message pressed twice before the reply: one offer and one message, and
    no "you already have an offer" error from the second press."""
    event, (token,), candidates = await make_meeting_event(db, candidates=2)
    async with checked_in(base_url, candidates) as recorders:
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await page.wait_for_function("document.querySelectorAll('#queue li').length === 2")
        await page.fill("#message-text", "Välkomna!")
        await page.locator("#message-form button").dblclick()
        await page.locator("#next").dblclick()
        await page.wait_for_selector("#own-offer:not([hidden])")
        await recorders[0].wait_for(lambda m: m["type"] == "offer")
        await page.wait_for_selector("#messages li")
        assert await db.fetchval("SELECT count(*) FROM interview WHERE event_id = $1", event.id) == 1
        assert await db.fetchval("SELECT count(*) FROM live_message WHERE event_id = $1", event.id) == 1
        assert await page.locator("#problem").inner_text() == ""


async def test_notes_not_yet_saved_survive_a_reload_and_are_saved_after_it(new_page, db, base_url):
    """Notes typed while saves do not get through (the connection down), then a reload, as
    people do when the page says it is reconnecting: the page asks before it goes, and the
    next one fills the notes back in and saves them."""
    async with one_called_in(new_page, db, base_url) as (page, candidate):
        interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
        await page.wait_for_selector("#interview:not([hidden])")
        token = page.url.rstrip("/").rsplit("/", 1)[-1]
        saves = {"through": False}

        async def relay(socket):
            server = socket.connect_to_server()
            server.on_message(socket.send)
            socket.on_message(lambda m: ('"type":"save"' not in m or saves["through"]) and server.send(m))

        await page.route_web_socket(f"**/i/{token}/ws", relay)
        await page.reload()
        await page.wait_for_selector("#interview:not([hidden])")
        asked: list[str] = []
        page.on("dialog", lambda dialog: (asked.append(dialog.type), asyncio.ensure_future(dialog.accept())))
        await page.get_by_label("Notes", exact=True).fill("Skrivet när det inte gick att spara")
        await page.wait_for_selector("#save-status:text-is('Saving…')")
        saves["through"] = True
        await page.reload()
        assert asked == ["beforeunload"]
        await page.wait_for_selector("#interview:not([hidden])")
        assert (
            await page.get_by_label("Notes", exact=True).input_value()
            == "Skrivet när det inte gick att spara"
        )
        await page.wait_for_selector("#save-status:text-is('Saved')")
        notes = await db.fetchval("SELECT notes FROM interview WHERE id = $1", interview)
        assert notes == "Skrivet när det inte gick att spara"


async def end_by_time(db, rooms, interview: int) -> None:
    """What the sweeper does when the time box is up (it is off in the tests)."""
    from app.live.dispatch import close_room
    from app.live.interviews import end_due_interviews

    await db.execute("UPDATE interview SET ends_at = now() WHERE id = $1", interview)
    for room in await end_due_interviews(db):
        await close_room(rooms, room.server, room.room_id, room.secret)


@pytest.mark.parametrize("ended_by", ["candidate", "time"])
async def test_an_end_not_pressed_here_leaves_the_typing_in_the_notes(
    new_page, db, base_url, app_server, ended_by
):
    """An interview ended by the candidate or by the clock while the interviewer types notes:
    the lobby comes back with the focus and the caret where they were, so the next Space
    goes into the notes and does not call in the next candidate. The status line says it."""
    from app.keys import JANUS

    async with first_in_interview(new_page, db, base_url) as (event, page, recorders, interview):
        notes = page.get_by_label("Notes", exact=True)
        await notes.click()
        await page.keyboard.type("Stark kandidat")
        for _ in range(3):
            await page.keyboard.press("ArrowLeft")  # the caret in the middle: "Stark kandi|dat"
        if ended_by == "candidate":
            await recorders[0].request({"ok"}, type="leave")
        else:
            await end_by_time(db, app_server[JANUS], interview)
        await page.wait_for_selector("#lobby:not([hidden])")
        # Why it ended, and what now.
        said = {
            "candidate": "Kandidat 0 left the interview.",
            "time": "The time for the interview with Kandidat 0 ran out.",
        }[ended_by] + " Finish your notes below, or call in the next candidate."
        await page.wait_for_selector(f"#lobby-status:text-is('{said}')")
        await page.wait_for_timeout(300)  # a focus moved later by the page would show by now
        assert await page.evaluate("document.activeElement.id") == "notes"
        assert await page.evaluate("document.activeElement.selectionStart") == len("Stark kandi")
        await page.keyboard.type(" ja")
        await page.keyboard.press("Space")
        await page.keyboard.press("Enter")
        assert await notes.input_value() == "Stark kandi ja \ndat"
        await page.wait_for_timeout(500)
        assert await page.locator("#own-offer").is_hidden()
        assert await db.fetchval("SELECT count(*) FROM interview WHERE event_id = $1", event.id) == 1
        await eventually(
            lambda: db.fetchval("SELECT notes FROM interview WHERE id = $1", interview),
            "Stark kandi ja \ndat",
        )


async def test_an_end_by_time_with_the_focus_on_a_control_of_the_call_goes_on_from_the_notes(
    new_page, db, base_url, app_server
):
    """Extend focused when the time runs out: it goes away with the call, and the keyboard
    goes on from the heading of the notes still to finish, not from Next."""
    from app.keys import JANUS

    async with one_called_in(new_page, db, base_url) as (page, candidate):
        interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
        await page.wait_for_selector("#interview:not([hidden])")
        await page.locator("#extend").focus()
        await end_by_time(db, app_server[JANUS], interview)
        await page.wait_for_selector("#lobby:not([hidden])")
        await page.wait_for_function("document.activeElement.id === 'record-heading'")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.name") == "question"


async def test_a_refusal_goes_when_the_own_interview_changes(new_page, db, base_url, app_server):
    """Extend once the time is up is refused; the alert goes when the interview ends (here by
    the sweeper), since it no longer tells what is so."""
    from app.keys import JANUS

    async with one_called_in(new_page, db, base_url) as (page, candidate):
        interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
        await page.wait_for_selector("#interview:not([hidden])")
        await db.execute("UPDATE interview SET ends_at = now() WHERE id = $1", interview)
        await page.get_by_role("button", name="Extend by 2 minutes").click()
        await page.wait_for_selector("#problem:text-is('You have no interview going on now.')")
        await end_by_time(db, app_server[JANUS], interview)
        await page.wait_for_selector("#lobby:not([hidden])")
        await page.wait_for_function("document.querySelector('#problem').textContent === ''")


async def test_extended_to_the_limit_extend_goes_and_the_interview_says_why(new_page, db, base_url, settings):
    """Extend stayed on the page at the limit, to be refused when pressed once more."""
    async with first_in_interview(new_page, db, base_url) as (_event, page, _recorders, interview):
        limit, step = settings.live.extend_limit_minutes, settings.live.extend_minutes
        await db.execute("UPDATE interview SET extended_minutes = $2 WHERE id = $1", interview, limit - step)
        extend = page.locator("#extend")
        await extend.focus()
        await page.keyboard.press("Enter")
        await page.wait_for_selector(
            "#interview-event-over:text-is('This interview has been extended as far as it can be.')"
        )
        assert await extend.is_hidden()
        assert await page.evaluate("document.activeElement.id") == "end"  # the keyboard goes on from End
        # Asked whether to end, and answered No: End comes back, Extend does not.
        await page.get_by_role("button", name="End interview").click()
        await page.get_by_role("button", name="No, go on").click()
        assert await extend.is_hidden()


async def test_nobody_waiting_is_not_said_once_someone_is(new_page, db, base_url):
    event, (token,), candidates = await make_meeting_event(db, candidates=1)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
    await page.get_by_role("button", name="Next candidate").click()
    await page.wait_for_selector("#lobby-status:text-is('Nobody is waiting right now.')")
    async with checked_in(base_url, candidates):
        await page.wait_for_selector("#queue li")
        await page.wait_for_selector("#lobby-status:text-is('')", state="attached")


async def test_an_empty_message_is_not_said_to_be_sent(new_page, db, base_url):
    event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates):
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await page.get_by_label("Message", exact=True).fill("Ten minutes more, sorry!")
        await page.get_by_role("button", name="Send message").click()
        await page.wait_for_selector("#lobby-status:text-is('Message sent to everyone waiting.')")
        await page.get_by_role("button", name="Send message").click()
        await page.wait_for_selector("#message-error:text-is('Write a message first.')")
        assert await page.locator("#lobby-status").inner_text() == ""


async def test_the_code_sign_in_puts_the_focus_on_the_lobby_once(new_page, db):
    """Let in with the code, a keyboard user starts at the lobby's heading (the focus was on
    the body: Tab went through the skip link, the logo and the languages first); its next Tab
    is in the lobby. A reload starts as any page does, and the address keeps no mark of the sign-in."""
    _event, (token,), _candidates = await make_meeting_event(db, candidates=0)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "sv"}), token)
    assert await page.evaluate("document.activeElement.id") == "lobby-heading"
    assert page.url.endswith(f"/i/{token}")
    await page.keyboard.press("Tab")  # on into the lobby, not back to the page's top
    assert await page.evaluate("document.activeElement.closest('#lobby') !== null")
    await page.reload()
    await page.wait_for_selector('#connection[data-status="open"]')
    assert await page.evaluate("document.activeElement === document.body")


async def test_let_in_with_the_code_during_an_interview_the_focus_is_on_the_interview(new_page, base_url, db):
    """Let in on a second device while an interview of theirs goes on, the first state hides
    the lobby whose heading the sign-in gave the focus: the interview's heading takes it (the
    interview's view moves it there as it opens), not the page's body."""
    _event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates) as (candidate,):
        laptop = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await laptop.wait_for_selector("#queue li")
        await laptop.get_by_role("button", name="Next candidate").click()
        await candidate.wait_for(lambda m: m["type"] == "offer")
        await candidate.request({"ticket"}, type="accept")
        await laptop.wait_for_selector("#interview:not([hidden])")
        phone = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await phone.wait_for_selector("#interview:not([hidden])")
        await phone.wait_for_function("document.activeElement.id === 'interview-heading'")


async def test_once_over_an_empty_list_does_not_say_everyone_was_interviewed_when_some_were_away(
    new_page, db, base_url
):
    """The one checked in left their page long before the end: not in the list (nobody
    waits), and not interviewed either, so the empty list does not say everyone was."""
    event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates):
        await db.execute(
            "UPDATE queue_entry SET disconnected_at = now() - interval '1 hour' WHERE candidate_id = $1",
            event.candidates[0],
        )
        await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", event.id)
        page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        await page.wait_for_selector(
            "#rotation:text-is('The event is over: no more candidates are called in.')"
        )
        assert await page.locator("#queue li").count() == 0
        assert await page.locator("#queue-empty-over").is_hidden()
        # It says why it is empty instead.
        await (
            page.locator("#queue-empty-away")
            .get_by_text(
                "Nobody was left in the queue. Some who had checked in were away from their page at the end,"
                " and were not interviewed."
            )
            .wait_for()
        )
        # With nobody away, the same empty list says it (the candidate interviewed instead).
        await db.execute(
            "UPDATE queue_entry SET state = 'done', disconnected_at = NULL WHERE candidate_id = $1",
            event.candidates[0],
        )
        await live_queue.notify(db, event.id, "queue")
        await page.locator("#queue-empty-over").wait_for()
        assert await page.locator("#queue-empty-away").is_hidden()
