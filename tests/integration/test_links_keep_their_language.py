"""A page reached from a mailed link opens in the language the person chose, whatever the
browser's own: the meeting link of an interviewer with an account (the account's), and the
candidate's erasure receipt (the one page they are told to save or print) like the pages
before it. The language switch still wins."""

from __future__ import annotations

import re

from aiohttp import ClientSession, CookieJar

from tests.accounts import log_in, make_user
from tests.candidate_support import make_event
from tests.forms import csrf_of
from tests.integration.channel_support import sign_in_interviewer
from tests.integration.erasure_support import candidate_with_everything
from tests.integration.live_support import make_live_event
from tests.integration.test_candidate_erasure import enter_pin


def language_of(page: str) -> str:
    return re.search(r'<html lang="(\w+)"', page)[1]


async def test_the_interviewer_link_opens_in_the_language_of_their_account(db, base_url, app_server):
    """An interviewer with an account: the language they chose for it (their mails' too). One
    without: as the browser asks (their mail was in the event's language, not their choice)."""
    event = await make_live_event(db, interviewers=3, candidates=0)
    tokens = {}
    for interviewer_id, language in zip(event.interviewers, ("sv", "en", None), strict=True):
        user_id = None
        if language is not None:
            organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
            user_id = (await make_user(db, organization_id=organization, language=language))["id"]
        tokens[language] = await db.fetchval(
            "UPDATE event_interviewer SET user_id = $2 WHERE id = $1 RETURNING access_token",
            interviewer_id,
            user_id,
        )
    for chosen, browser in (("sv", "en"), ("en", "sv"), (None, "en"), (None, "sv")):
        async with ClientSession(
            cookie_jar=CookieJar(unsafe=True), headers={"Accept-Language": browser}
        ) as http:
            _, csrf, page = await csrf_of(http, f"{base_url}/i/{tokens[chosen]}")
            assert language_of(page) == (chosen or browser)
            # A wrong code's answer too.
            async with http.post(
                f"{base_url}/i/{tokens[chosen]}", data={"csrf_token": csrf, "code": "12"}
            ) as response:
                assert response.status == 422
                assert language_of(await response.text()) == (chosen or browser)
        # The switch (its cookie) wins.
        async with ClientSession(headers={"Accept-Language": "sv"}, cookies={"lang": "en"}) as http:
            async with http.get(f"{base_url}/i/{tokens[chosen]}") as response:
                assert language_of(await response.text()) == "en"


async def test_the_erasure_receipt_is_in_the_language_of_the_pages_before_it(
    db, base_url, settings, app_server
):
    person = await candidate_with_everything(db, base_url, settings, await make_event(db))  # Swedish
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), headers={"Accept-Language": "en"}) as phone:
        assert await enter_pin(phone, person.link, person.pin) == 303
        _, csrf, confirm = await csrf_of(phone, f"{person.link}/erase")
        assert language_of(confirm) == "sv"
        async with phone.post(f"{person.link}/erase", data={"csrf_token": csrf}) as response:
            receipt = await response.text()
    assert response.status == 200 and language_of(receipt) == "sv"
    assert "Dina uppgifter är raderade" in receipt


async def test_an_accounts_summary_and_roster_follow_the_account(db, base_url, app_server):
    """Let in with the code, an interviewer with an account: their summary page, and the
    order of the names in the list of candidates (Å after Z in Swedish), follow the
    account's language as the meeting web does. Logged in, the first visit takes the link as
    the account's, in its language (logging in sets the language switch's cookie)."""
    event = await make_live_event(db, interviewers=1, candidates=2)
    for candidate_id, name in zip(event.candidates, ("Åsa Åberg", "Zara Zetterlund"), strict=True):
        await db.execute("UPDATE candidate SET name = $2 WHERE id = $1", candidate_id, name)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    user = await make_user(db, organization_id=organization, language="sv")
    token = await db.fetchval(
        "UPDATE event_interviewer SET email = $2 WHERE id = $1 RETURNING access_token",
        event.interviewers[0],
        user["email"],
    )
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), headers={"Accept-Language": "en"}) as http:
        await log_in(http, base_url, user["email"])
        async with http.get(f"{base_url}/i/{token}") as response:
            assert response.status == 200 and language_of(await response.text()) == "sv"
    assert (
        await db.fetchval("SELECT user_id FROM event_interviewer WHERE id = $1", event.interviewers[0])
        == user["id"]
    )
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), headers={"Accept-Language": "en"}) as http:
        assert await sign_in_interviewer(http, base_url, token) == 303
        async with http.get(f"{base_url}/i/{token}/summary") as response:
            assert response.status == 200 and language_of(await response.text()) == "sv"
        async with http.get(f"{base_url}/i/{token}/roster") as response:
            listed = (await response.json())["candidates"]
        assert [row["name"] for row in listed] == ["Zara Zetterlund", "Åsa Åberg"]
