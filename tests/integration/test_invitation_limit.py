"""Interviewer invitations an organization may have mailed within a day
(app/events/rules.py INVITATIONS_PER_DAY): a signed-up account must not make the service mail
any number of addresses of its choosing. Past it, a save, a publication or a new meeting link
that would mail more is refused whole: nothing saved, nobody mailed, and the page says why."""

from __future__ import annotations

import secrets

from app.events.rules import INVITATIONS_PER_DAY
from tests import factories
from tests.forms import csrf_from, edit_form_of, post_form
from tests.integration.test_events import create_event, event_form
from tests.mails import unique_email

REFUSED = "inbjudningar till intervjuare skickade inom ett dygn"


async def invited_today(db, organization_id: int, count: int) -> None:
    """`count` interviewers of an earlier event of the organization, mailed today."""
    event = await factories.make_event(db, organization_id=organization_id)
    await db.executemany(
        """INSERT INTO event_interviewer (event_id, email, name, access_token, access_code, invited_at)
           VALUES ($1, $2, '', $3, '123456', now())""",
        [
            (event["id"], f"i{n}-{secrets.token_hex(3)}@example.se", secrets.token_urlsafe(16))
            for n in range(count)
        ],
    )


async def outbox(db, addresses: list[str]) -> int:
    return await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = ANY($1::text[])", addresses)


async def test_past_the_days_invitations_nothing_more_is_saved_or_mailed(employer, base_url, db):
    http, user = employer
    await invited_today(db, user["organization_id"], INVITATIONS_PER_DAY - 1)
    two = [unique_email("anna"), unique_email("bo")]
    before = await db.fetchval(
        "SELECT count(*) FROM event WHERE organization_id = $1", user["organization_id"]
    )

    # Created and published with two interviewers: one over. Refused, nothing saved.
    csrf = await csrf_from(http, f"{base_url}/events/new")
    form = event_form(
        csrf, action="publish", title="För många", interviewer_email=two, interviewer_name=["A", "B"]
    )
    async with http.post(f"{base_url}/events/new", data=form, allow_redirects=False) as response:
        assert response.status == 429
        assert REFUSED in await response.text()
    assert (
        await db.fetchval("SELECT count(*) FROM event WHERE organization_id = $1", user["organization_id"])
        == before
    )
    assert await outbox(db, two) == 0

    # A draft with them saves (nobody is mailed); publishing it is refused, still a draft.
    event_id = await create_event(http, base_url, interviewer_email=two, interviewer_name=["A", "B"])
    status, _, headers = await post_form(
        http, base_url, f"/events/{event_id}/publish", {}, form_page=f"/events/{event_id}"
    )
    assert status == 303 and headers["Location"] == f"/events/{event_id}?notice=invitations_limit"
    async with http.get(f"{base_url}/events/{event_id}?notice=invitations_limit") as response:
        assert REFUSED in await response.text()
    assert await db.fetchval("SELECT state::text FROM event WHERE id = $1", event_id) == "draft"
    assert await outbox(db, two) == 0

    # A published event: adding two interviewers is refused whole, one fits.
    published = await create_event(
        http, base_url, action="publish", interviewer_email=[two[0]], interviewer_name=["A"]
    )
    assert await outbox(db, [two[0]]) == 1
    csrf, version = await edit_form_of(http, f"{base_url}/events/{published}/edit")
    more = [unique_email("cecilia"), unique_email("david")]
    form = event_form(
        csrf, edit_version=version, interviewer_email=[two[0], *more], interviewer_name=["A", "C", "D"]
    )
    async with http.post(f"{base_url}/events/{published}/edit", data=form, allow_redirects=False) as response:
        assert response.status == 429 and REFUSED in await response.text()
    assert await outbox(db, more) == 0
    assert await db.fetchval("SELECT count(*) FROM event_interviewer WHERE event_id = $1", published) == 1

    # A new meeting link mails an invitation too: refused, the old link still works.
    interviewer = await db.fetchrow(
        "SELECT id, access_token FROM event_interviewer WHERE event_id = $1", published
    )
    status, _, headers = await post_form(
        http,
        base_url,
        f"/events/{published}/interviewers/{interviewer['id']}/reissue",
        {},
        form_page=f"/events/{published}",
    )
    assert status == 303 and "interviewers=invitations_limit" in headers["Location"]
    assert (
        await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", interviewer["id"])
        == (interviewer["access_token"])
    )
