"""An interviewer taken off an event (the employer's edit) while their page is open: what the
page still sends is refused as `unknown_interviewer` and changes nothing. A message to the
queue failed in the database and was answered `server_error` ("our bug"); a pause was
answered `ok` and did nothing."""

from __future__ import annotations

from tests.integration.channel_support import new_client, recording, sign_in_interviewer
from tests.integration.live_support import make_live_event


async def test_what_a_page_sends_after_its_interviewer_was_taken_off_is_refused(base_url, db, app_server):
    event = await make_live_event(db, interviewers=2, candidates=1)
    gone = event.interviewers[1]
    token = await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", gone)
    async with new_client() as http:
        assert await sign_in_interviewer(http, base_url, token) == 303
        async with recording(http, f"{base_url}/i/{token}/ws") as page:
            await page.wait_for(lambda m: m["type"] == "state")
            await db.execute("DELETE FROM event_interviewer WHERE id = $1", gone)
            for sent in (
                {"type": "message", "text": "Vi börjar snart"},
                {"type": "pause"},
                {"type": "next"},
                {"type": "call_here", "mark": "m1"},
                {"type": "call_here", "mark": "m2", "since": ["m1"]},
            ):
                refused = await page.request({"error"}, **sent)
                assert refused["code"] == "unknown_interviewer", sent
    assert await db.fetchval("SELECT count(*) FROM live_message WHERE event_id = $1", event.id) == 0
    assert await db.fetchval("SELECT count(*) FROM interviewer_presence WHERE interviewer_id = $1", gone) == 0
