"""An account disabled while its live views are open (the colleagues page, or the operator's
`scripts/provision disable-user`): those views close at once, in whichever process holds
them, instead of going on being sent who waits until they happen to reconnect."""

from __future__ import annotations

import asyncio

import pytest

from app.provision import set_disabled
from tests.accounts import PASSWORD, log_in, make_user
from tests.forms import post_form
from tests.integration.channel_support import new_client, recording, second_instance, sign_in_interviewer
from tests.integration.live_support import make_live_event
from tests.mails import link_in, text_of, wait_for_mail


async def closed(page, timeout: float = 10) -> None:
    for _ in range(int(timeout * 10)):
        if page.ws.closed:
            break
        await asyncio.sleep(0.1)
    assert page.ws.closed and page.ws.close_code == 1008


async def test_a_disabled_colleagues_open_live_view_closes_at_once(app_server, base_url, db, settings):
    event = await make_live_event(db)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    admin = await make_user(db, organization_id=organization, name="Ansvarig")
    leaver = await make_user(db, organization_id=organization, name="Lämnar Snart")
    staying = await make_user(db, organization_id=organization, name="Stannar Kvar")
    async with (
        new_client() as admin_http,
        new_client() as leaver_http,
        new_client() as staying_http,
        second_instance(settings) as other_url,
    ):
        await log_in(admin_http, base_url, admin["email"])
        await log_in(leaver_http, other_url, leaver["email"])
        await log_in(staying_http, other_url, staying["email"])
        socket = f"{other_url}/events/{event.id}/live/ws"
        async with recording(leaver_http, socket) as theirs, recording(staying_http, socket) as ours:
            for page in (theirs, ours):
                await page.wait_for(lambda m: m["type"] == "state")
            status, _, _ = await post_form(
                admin_http,
                base_url,
                f"/account/colleagues/{leaver['id']}/disable",
                {},
                form_page=f"/account/colleagues/{leaver['id']}/disable",
            )
            assert status == 303
            await closed(theirs)
            # Nobody else's view of the event is touched.
            await asyncio.sleep(0.3)
            assert not ours.ws.closed


async def test_the_operators_disable_user_closes_them_too(app_server, base_url, db):
    event = await make_live_event(db)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    leaver = await make_user(db, organization_id=organization)
    async with new_client() as http:
        await log_in(http, base_url, leaver["email"])
        async with recording(http, f"{base_url}/events/{event.id}/live/ws") as theirs:
            await theirs.wait_for(lambda m: m["type"] == "state")
            await set_disabled(db, leaver["email"], True)
            await closed(theirs)


async def test_a_new_password_closes_the_other_browsers_views_and_a_log_out_this_ones(
    app_server, base_url, db
):
    """A new password ends the account's other sessions, and with them their open live
    views; a log-out ends this browser's session and its views. Each leaves the rest open."""
    event = await make_live_event(db)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    user = await make_user(db, organization_id=organization)
    socket = f"{base_url}/events/{event.id}/live/ws"
    async with new_client() as here, new_client() as elsewhere:
        await log_in(here, base_url, user["email"])
        await log_in(elsewhere, base_url, user["email"])
        async with recording(here, socket) as ours, recording(elsewhere, socket) as theirs:
            for page in (ours, theirs):
                await page.wait_for(lambda m: m["type"] == "state")
            new = "ett-annat-långt-lösenord-7"
            status, _, _ = await post_form(
                here,
                base_url,
                "/account/password",
                {"current_password": PASSWORD, "password": new, "password_confirm": new},
                form_page="/account",
            )
            assert status == 303
            await closed(theirs)
            await asyncio.sleep(0.3)
            assert not ours.ws.closed
            status, _, _ = await post_form(here, base_url, "/logout", {}, form_page="/account")
            assert status == 303
            await closed(ours)


async def test_a_password_reset_by_mail_closes_every_open_live_view_of_the_account(
    app_server, base_url, db, settings
):
    """Whoever reset the password by the mailed link proved the mailbox, not a session: every
    browser's live views of the account close (the organizer's view, and the meeting page
    let in as the account), as its sessions end, instead of going on showing names."""
    event = await make_live_event(db, interviewers=1)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    user = await make_user(db, organization_id=organization)
    (interviewer,) = event.interviewers
    await db.execute("UPDATE event_interviewer SET user_id = $2 WHERE id = $1", interviewer, user["id"])
    token = await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", interviewer)
    async with new_client() as logged_in, new_client() as resetting, second_instance(settings) as other_url:
        await log_in(logged_in, base_url, user["email"])
        async with (
            recording(logged_in, f"{other_url}/events/{event.id}/live/ws") as view,
            recording(logged_in, f"{other_url}/i/{token}/ws") as meeting,
        ):
            for page in (view, meeting):
                await page.wait_for(lambda m: m["type"] == "state")
            await post_form(resetting, base_url, "/password/forgot", {"email": user["email"]})
            [mail] = await wait_for_mail(settings.mail.catcher_dir, user["email"])
            link = link_in(text_of(mail), base_url, "/password/reset/")
            new = "ett helt nytt lösenord"
            status, _, _ = await post_form(
                resetting, base_url, link[len(base_url) :], {"password": new, "password_confirm": new}
            )
            assert status == 303
            await meeting.wait_for(lambda m: m["type"] == "signed_out")  # the page is told why
            for page in (view, meeting):
                await closed(page)


@pytest.mark.parametrize("state", ["live", "finished"])  # after the event, for the notes, too
async def test_a_log_out_closes_the_meeting_page_let_in_as_the_account_not_one_let_in_by_code(
    app_server, base_url, db, settings, state
):
    """An interviewer's meeting page is let in either as the link's account or with the
    code. One let in as the account ends with the account's session (a shared computer
    logged out keeps no names of candidates on screen), in whichever process holds it; one
    let in with the code on another device stays."""
    event = await make_live_event(db, interviewers=1, state=state)
    (interviewer,) = event.interviewers
    # The interviewer's account is of another organization: it is closed all the same.
    user = await make_user(db, name="Intervjuare Med Konto")
    await db.execute("UPDATE event_interviewer SET user_id = $2 WHERE id = $1", interviewer, user["id"])
    token = await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", interviewer)
    async with new_client() as account, new_client() as by_code, second_instance(settings) as other_url:
        await log_in(account, base_url, user["email"])
        await sign_in_interviewer(by_code, other_url, token)
        async with (
            recording(account, f"{other_url}/i/{token}/ws") as ours,
            recording(by_code, f"{other_url}/i/{token}/ws") as theirs,
        ):
            for page in (ours, theirs):
                await page.wait_for(lambda m: m["type"] == "state")
            status, _, _ = await post_form(account, base_url, "/logout", {}, form_page="/account")
            assert status == 303
            await ours.wait_for(lambda m: m["type"] == "signed_out")  # the page is told why
            await closed(ours)
            await asyncio.sleep(0.3)
            assert not theirs.ws.closed
            assert not any(m["type"] == "signed_out" for m in theirs.messages)
        # Asked again, the page is refused: the link's page asks for the code, and says why.
        async with account.get(f"{base_url}/i/{token}/ws") as asked:
            assert asked.status == 403
        async with account.get(f"{base_url}/i/{token}?signed_out") as page:  # (the account's Swedish)
            text = await page.text()
            assert 'id="signed-out"' in text and "Du är inte längre inloggad på ditt konto" in text
            assert 'name="code"' in text
        async with account.get(f"{base_url}/i/{token}") as page:
            assert 'id="signed-out"' not in await page.text()
        # Said only when it is so: not to a browser logged in (as another account), nor
        # once the event is gone.
        async with new_client() as someone:
            await log_in(someone, base_url, (await make_user(db))["email"])
            async with someone.get(f"{base_url}/i/{token}?signed_out") as page:
                assert 'id="signed-out"' not in await page.text()
        await db.execute("UPDATE event SET deleted_at = now() WHERE id = $1", event.id)
        async with account.get(f"{base_url}/i/{token}?signed_out") as page:
            assert 'id="signed-out"' not in await page.text()
