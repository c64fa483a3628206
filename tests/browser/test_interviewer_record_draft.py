"""The interviewer's notes typed while their saves do not get through (the connection is
down) are kept in the tab (web/static/js/live/interviewer-record.js, the draft in
sessionStorage): a reload, which is what people do when the page says it is reconnecting,
brings them back into the form and saves them; nothing typed is lost."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.browser.interviewer_support import checked_in, make_meeting_event, open_meeting

pytestmark = pytest.mark.browser


async def test_notes_whose_save_never_arrived_come_back_after_a_reload_and_are_saved(new_page, db, base_url):
    _event, (token,), tokens = await make_meeting_event(db, candidates=1)
    held: list[str] = []
    hold = {"on": True}

    async def relay(socket):
        server = socket.connect_to_server()
        server.on_message(socket.send)

        def outgoing(message):
            if '"type":"save"' in message and hold["on"]:
                held.append(message)  # lost on the way, as on a dead connection
            else:
                server.send(message)

        socket.on_message(outgoing)

    async with checked_in(base_url, tokens) as (candidate,):
        page = await new_page(extra_http_headers={"Accept-Language": "en"})
        await page.route_web_socket(f"**/i/{token}/ws", relay)
        await open_meeting(page, token)
        await page.wait_for_selector("#queue li")
        await page.get_by_role("button", name="Next candidate").click()
        await candidate.wait_for(lambda m: m["type"] == "offer")
        interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
        await page.wait_for_selector("#interview:not([hidden])")

        await page.get_by_label("Notes", exact=True).fill("Stark på databaser")
        await page.locator('input[name="rating-1"][value="5"]').check()
        await page.wait_for_selector("#save-status:text-is('Saving…')")
        assert held, "the save was sent"
        row = await db.fetchrow("SELECT notes, record_version FROM interview WHERE id = $1", interview)
        assert (row["notes"], row["record_version"]) in ((None, 0), ("", 0))

        # Reloaded with the save still unanswered: the page asks first; leave anyway.
        hold["on"] = False
        page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await page.reload()
        await page.wait_for_selector('#connection[data-status="open"]')
        await page.wait_for_selector("#interview:not([hidden])")
        notes = page.get_by_label("Notes", exact=True)
        assert await notes.input_value() == "Stark på databaser"
        assert await page.locator('input[name="rating-1"][value="5"]').is_checked()
        await page.wait_for_selector("#save-status:text-is('Saved')")
        assert (
            await db.fetchval("SELECT notes FROM interview WHERE id = $1", interview) == "Stark på databaser"
        )
        rating = await db.fetchval(
            "SELECT rating FROM interview_rating WHERE interview_id = $1 AND position = 1", interview
        )
        assert rating == 5
        # Saved: the tab keeps no draft any more.
        assert await page.evaluate("sessionStorage.getItem('snabb-record-draft')") is None


async def test_a_save_the_service_could_not_take_is_tried_again_by_itself(new_page, db, stack, base_url):
    """A save answered `unavailable` (here: its row held by another transaction past the
    statement time-out, as a database that hangs does) is sent again by the page itself once
    the service can take it: before, it waited for the next key pressed or the interview's end
    while the page said "Not saved" beside "Connected"."""
    _event, (token,), tokens = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, tokens) as (candidate,):
        page = await new_page(extra_http_headers={"Accept-Language": "en"})
        await open_meeting(page, token)
        await page.wait_for_selector("#queue li")
        await page.get_by_role("button", name="Next candidate").click()
        await candidate.wait_for(lambda m: m["type"] == "offer")
        interview = (await candidate.request({"ticket"}, type="accept"))["interview"]
        await page.wait_for_selector("#interview:not([hidden])")

        holder = await asyncpg.connect(stack.environ["DATABASE_URL"])
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT 1 FROM interview WHERE id = $1 FOR UPDATE", interview)
        try:
            await page.get_by_label("Notes", exact=True).fill("Svarade lugnt")
            await page.wait_for_function(
                "document.querySelector('#save-status').textContent.startsWith('Not saved')",
                timeout=30000,
            )
        finally:
            await transaction.rollback()
            await holder.close()
        # Nothing typed since: the page tries again by itself.
        await page.wait_for_selector("#save-status:text-is('Saved')", timeout=30000)
        assert await db.fetchval("SELECT notes FROM interview WHERE id = $1", interview) == "Svarade lugnt"
