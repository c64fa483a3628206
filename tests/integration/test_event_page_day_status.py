"""The event page's list of registrations says where each candidate is on the event day (as
the interviewers' list does), not "Signed up" for someone waiting or in a call; and once the
event is over, that those who checked in and were not called were not interviewed, and
those who never checked in did not."""

from __future__ import annotations

import re

from app.live import call_tickets, dispatch, queue
from tests.accounts import log_in, make_user
from tests.integration.live_support import make_live_event, offer_with_room


def statuses(page: str) -> dict[str, str]:
    """Name → the Status cell's text, from the event page's table of registrations."""
    table = page[page.index('class="data candidate-table"') :]
    rows = re.findall(
        r'<td data-label="Name"[^>]*><span class="words">([^<]+)</span></td>.*?<td data-label="Status">\s*([^<]+?)\s*<',
        table,
        flags=re.S,
    )
    return dict(rows)


async def test_the_list_says_where_each_is_on_the_event_day(db, pool, http, base_url, settings):
    event = await make_live_event(db, interviewers=2, candidates=5)
    names = [await db.fetchval("SELECT name FROM candidate WHERE id = $1", c) for c in event.candidates]
    for candidate_id in event.candidates[:4]:
        await queue.check_in(db, candidate_id, settings.live)
    offer = await dispatch.dispatch(pool, event.interviewers[0], settings.live)  # the first called
    await offer_with_room(db, offer, settings.live)
    second = await dispatch.dispatch(pool, event.interviewers[1], settings.live)  # and the second
    await offer_with_room(db, second, settings.live)
    async with pool.acquire() as connection:
        await call_tickets.join_offer(connection, settings, second.candidate_id)  # in the call
    await queue.leave(db, event.candidates[3])
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    await log_in(http, base_url, (await make_user(db, organization_id=organization, language="en"))["email"])

    async def shown() -> dict[str, str]:
        async with http.get(f"{base_url}/events/{event.id}") as response:
            assert response.status == 200
            return statuses(await response.text())

    assert await shown() == {
        names[0]: "Called in, joining",
        names[1]: "In an interview",
        names[2]: "Waiting",
        names[3]: "Left the queue",
        names[4]: "Signed up",  # not checked in
    }
    # Over: nobody more is called; those still checked in were not interviewed.
    await db.execute("UPDATE event SET starts_at = now() - interval '3 hours' WHERE id = $1", event.id)
    after = await shown()
    assert after[names[2]] == "Not interviewed"
    assert after[names[4]] == "Never checked in"  # as the summary says it, not "Signed up"
    # A call under way goes on past the end, and an offer made before it may still be taken.
    assert (after[names[0]], after[names[1]]) == ("Called in, joining", "In an interview")


async def test_interviews_called_before_the_start_make_the_event_in_progress(
    db, pool, http, base_url, settings
):
    """Interviewers may call candidates in from when check-in opens: once they have, the event
    is in progress on its page and in the list, not "Check-in open"."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await db.execute("UPDATE event SET starts_at = now() + interval '10 minutes' WHERE id = $1", event.id)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    await log_in(http, base_url, (await make_user(db, organization_id=organization, language="en"))["email"])

    async def status() -> tuple[str, str]:
        async with http.get(f"{base_url}/events/{event.id}") as response:
            page = await response.text()
        shown = re.search(r"<dt>Status</dt><dd>([^<]+)</dd>", page)
        async with http.get(f"{base_url}/events") as response:
            listing = await response.text()
        start = listing.index(f'href="/events/{event.id}"')
        row = listing[start : listing.index("</tr>", start)]
        listed = re.search(r'data-label="Status">([^<]+)<', row)
        assert shown and listed
        return shown.group(1), listed.group(1)

    assert await status() == ("Check-in open", "Check-in open")
    await queue.check_in(db, event.candidates[0], settings.live)
    offer = await dispatch.dispatch(pool, event.interviewers[0], settings.live)
    await offer_with_room(db, offer, settings.live)
    assert await status() == ("In progress", "In progress")
