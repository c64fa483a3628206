"""A personal link replaced by a new one ("New link and PIN", "New link and code"): the old
link stops working at once, also on a page open with it now. Its live socket, which was
checked only when it opened, is closed (1008) in whichever process holds it, so a leaked
link keeps no queue and no call."""

from __future__ import annotations

import asyncio

from tests.accounts import log_in, make_user
from tests.forms import post_form
from tests.integration.channel_support import (
    new_client,
    recording,
    second_instance,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event
from tests.integration.test_organizer_live_disabled import closed


async def token_of(db, table: str, row_id: int) -> str:
    return await db.fetchval(f"SELECT access_token FROM {table} WHERE id = $1", row_id)


async def test_a_replaced_link_closes_the_pages_open_on_it(app_server, base_url, db, settings):
    event = await make_live_event(db, interviewers=2, candidates=2)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    employer = await make_user(db, organization_id=organization)
    candidate, other_candidate = event.candidates
    interviewer, other_interviewer = event.interviewers
    async with (
        new_client() as employer_http,
        new_client() as candidate_http,
        new_client() as interviewer_http,
        second_instance(settings) as other_url,
    ):
        await log_in(employer_http, base_url, employer["email"])
        tokens = {}
        for http, table, person, sign_in in (
            (candidate_http, "candidate", candidate, sign_in_candidate),
            (candidate_http, "candidate", other_candidate, sign_in_candidate),
            (interviewer_http, "event_interviewer", interviewer, sign_in_interviewer),
            (interviewer_http, "event_interviewer", other_interviewer, sign_in_interviewer),
        ):
            tokens[table, person] = await token_of(db, table, person)
            await sign_in(http, other_url, tokens[table, person])
        their_link, our_link = tokens["candidate", candidate], tokens["candidate", other_candidate]
        their_code, our_code = (
            tokens["event_interviewer", interviewer],
            tokens["event_interviewer", other_interviewer],
        )
        async with (
            recording(candidate_http, f"{other_url}/c/{their_link}/ws") as theirs,
            recording(candidate_http, f"{other_url}/c/{our_link}/ws") as ours,
            recording(interviewer_http, f"{other_url}/i/{their_code}/ws") as their_lobby,
            recording(interviewer_http, f"{other_url}/i/{our_code}/ws") as our_lobby,
        ):
            for page in (theirs, ours, their_lobby, our_lobby):
                await page.wait_for(lambda m: m["type"] == "state")
            for path in (
                f"/events/{event.id}/candidates/{candidate}/reissue",
                f"/events/{event.id}/interviewers/{interviewer}/reissue",
            ):
                status, _, _ = await post_form(
                    employer_http, base_url, path, {}, form_page=f"/events/{event.id}"
                )
                assert status == 303, path
            await closed(theirs)
            await closed(their_lobby)
            # The old links are gone; nobody else's page is touched.
            for path in (
                f"/c/{their_link}",
                f"/i/{their_code}",
            ):
                async with candidate_http.get(
                    f"{base_url}{path}", headers={"Accept": "text/html"}
                ) as response:
                    assert response.status == 404, path
                    # Where a page closed by it lands: the newest mail holds the new link.
                    assert "bara de senaste" in await response.text() or path.startswith("/c/")
            await asyncio.sleep(0.3)
            assert not ours.ws.closed and not our_lobby.ws.closed
