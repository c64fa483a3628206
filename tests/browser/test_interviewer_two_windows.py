"""One interviewer with the meeting web open twice (the mail link clicked again, a phone
beside the laptop): each window saves its whole record form, and neither may replace what
the other saved without the interviewer seeing it."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest

from tests.browser.interviewer_support import checked_in, eventually, make_meeting_event, open_meeting

pytestmark = pytest.mark.browser


@asynccontextmanager
async def two_windows_in_interview(new_page, db, base_url, prepare_phone=None):
    """The laptop's and the phone's meeting web of one interviewer, both open in the lobby
    when the laptop calls in the candidate, both showing the interview; yields (laptop,
    phone, interview id). `prepare_phone(page, token)` runs before the phone's page opens."""
    event, (token,), tokens = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, tokens) as (candidate,):
        laptop = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "en"}), token)
        phone = await new_page(extra_http_headers={"Accept-Language": "en"})
        if prepare_phone:
            await prepare_phone(phone, token)
        await open_meeting(phone, token)
        await laptop.wait_for_function("document.querySelectorAll('#queue li').length === 1")
        await laptop.get_by_role("button", name="Next candidate").click()
        await candidate.wait_for(lambda m: m["type"] == "offer")
        interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
        for page in (laptop, phone):
            await page.wait_for_selector("#interview:not([hidden])")
        yield laptop, phone, interview


async def test_a_window_that_started_with_an_empty_form_takes_the_others_notes(new_page, db, base_url):
    """The phone's form started empty; a rating ticked there must not empty the notes typed
    on the laptop (the whole form is saved): the phone shows them first."""
    async with two_windows_in_interview(new_page, db, base_url) as (laptop, phone, interview):
        await laptop.get_by_label("Notes", exact=True).fill("Skrivet på laptopen")
        await laptop.wait_for_selector("#save-status:text-is('Saved')")
        phone_notes = phone.get_by_label("Notes", exact=True)
        await eventually(phone_notes.input_value, "Skrivet på laptopen")
        await phone.wait_for_selector(
            "#save-status:text-is('Updated with what was saved in another window.')"
        )

        await phone.locator('input[name="rating-1"][value="4"]').check()
        await phone.wait_for_selector("#save-status:text-is('Saved')")
        row = await db.fetchrow("SELECT notes, record_version FROM interview WHERE id = $1", interview)
        assert (row["notes"], row["record_version"]) == ("Skrivet på laptopen", 2)
        rating = await db.fetchval("SELECT rating FROM interview_rating WHERE interview_id = $1", interview)
        assert rating == 4
        # And the laptop shows the phone's rating beside its own notes.
        await laptop.wait_for_selector('input[name="rating-1"][value="4"]:checked')
        assert await laptop.get_by_label("Notes", exact=True).input_value() == "Skrivet på laptopen"
        assert await laptop.locator("#record-unsaved").is_hidden()


@asynccontextmanager
async def phone_with_kept_notes(new_page, db, base_url):
    """The phone's save leaves while the laptop's goes through first: the server refuses the
    phone's (it is based on the record before the laptop's save), and the phone shows what
    was saved, with its own notes kept in sight beside it. Yields (laptop, phone, interview)."""
    held: list = []
    hold = {"on": True}

    async def prepare_phone(page, token):
        async def relay(socket):
            server = socket.connect_to_server()
            server.on_message(socket.send)

            def outgoing(message):
                if '"type":"save"' in message and hold["on"]:
                    held.append(lambda: server.send(message))
                else:
                    server.send(message)

            socket.on_message(outgoing)

        await page.route_web_socket(f"**/i/{token}/ws", relay)

    async with two_windows_in_interview(new_page, db, base_url, prepare_phone) as (laptop, phone, interview):
        await phone.get_by_label("Notes", exact=True).fill("Skrivet på telefonen")
        await phone.wait_for_selector("#save-status:text-is('Saving…')")
        await laptop.get_by_label("Notes", exact=True).fill("Skrivet på laptopen")
        await laptop.wait_for_selector("#save-status:text-is('Saved')")
        assert len(held) == 1
        hold["on"] = False
        held.pop()()
        await phone.wait_for_selector("#record-unsaved:not([hidden])")
        yield laptop, phone, interview


async def test_notes_typed_in_two_windows_at_once_are_not_lost_unseen(new_page, db, base_url):
    """The phone's refused save: the phone shows what was saved and keeps its own notes in
    sight, saying why; the laptop's notes stay saved."""
    async with phone_with_kept_notes(new_page, db, base_url) as (laptop, phone, interview):
        assert await phone.get_by_label("Notes", exact=True).input_value() == "Skrivet på laptopen"
        kept = phone.get_by_label("Your notes from this window, not saved")
        assert await kept.input_value() == "Skrivet på telefonen"
        status = await phone.locator("#save-status").inner_text()
        assert status.startswith("Not saved: these notes were changed in another window")
        assert (
            await db.fetchval("SELECT notes FROM interview WHERE id = $1", interview) == "Skrivet på laptopen"
        )

        # Copied into the notes and saved from the new version: saved; the kept notes put away.
        await phone.get_by_label("Notes", exact=True).fill("Skrivet på laptopen\nSkrivet på telefonen")
        await phone.wait_for_selector("#save-status:text-is('Saved')")
        await phone.get_by_role("button", name="Hide").click()
        assert await phone.locator("#record-unsaved").is_hidden()
        notes = await db.fetchval("SELECT notes FROM interview WHERE id = $1", interview)
        assert notes == "Skrivet på laptopen\nSkrivet på telefonen"
        await eventually(laptop.get_by_label("Notes", exact=True).input_value, notes)


async def test_next_waits_for_the_notes_a_refused_save_kept_in_sight(new_page, db, base_url):
    """The interview over, the phone's own notes still beside the record: Next would put the
    next interview's form in their place, so it says so and goes to them instead of calling
    anyone in; put away (Hide), Next calls in as usual."""
    async with phone_with_kept_notes(new_page, db, base_url) as (laptop, phone, interview):
        await laptop.get_by_role("button", name="End interview").click()
        await laptop.get_by_role("button", name="Yes, end it").click()
        await phone.wait_for_selector("#lobby:not([hidden])")
        await phone.get_by_role("button", name="Next candidate").click()
        await phone.wait_for_selector(
            "#lobby-status:has-text('Your notes from this window on Kandidat 0 were not saved.')"
        )
        assert await phone.evaluate("document.activeElement.id") == "record-unsaved-notes"
        called = (
            "SELECT count(*) FROM interview WHERE event_id = (SELECT event_id FROM interview WHERE id = $1)"
        )
        assert await db.fetchval(called, interview) == 1  # nobody called in
        kept = phone.get_by_label("Your notes from this window, not saved")
        assert await kept.input_value() == "Skrivet på telefonen"

        await phone.get_by_role("button", name="Hide").click()
        await phone.get_by_role("button", name="Next candidate").click()
        await phone.wait_for_selector("#lobby-status:text-is('Nobody is waiting right now.')")
