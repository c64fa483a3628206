"""Guessing a personal link's PIN or meeting code (README "Limits on guessing"): guessers
from many addresses get at most `limits.unknown_per_hour` tries an hour on a link, the
person's own device is never locked out by them, and the organizer sees a closed link and
opens it again or re-issues it."""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import asynccontextmanager

from aiohttp import ClientSession, CookieJar, TCPConnector

from app import throttle
from app.application import create_app
from app.guessing import policy_of
from app.localstack.processes import free_port
from app.settings import load_settings
from tests.accounts import log_in, make_user
from tests.candidate_support import link_and_pin, make_event, register
from tests.forms import csrf_from
from tests.integration.live_support import make_live_event
from tests.mails import text_of, unique_email, wait_for_mail
from tests.serving import serving

CLOSED_PIN = "stängd för nya enheter"


def browser(address: str = "127.0.0.1") -> ClientSession:
    """A browser whose connections come from `address`: any 127.x.y.z is a real loopback
    source address on Linux, so the app sees that many different clients."""
    return ClientSession(connector=TCPConnector(local_addr=(address, 0)), cookie_jar=CookieJar(unsafe=True))


async def enter(http: ClientSession, url: str, field: str, value: str):
    """POST a PIN or code. The form is gone while a browser must wait, so the CSRF token
    comes from the log-in page (the anonymous token is the same site-wide)."""
    base = re.sub(r"/[ci]/[^/]+$", "", url)
    csrf = await csrf_from(http, f"{base}/login")
    async with http.post(url, data={"csrf_token": csrf, field: value}, allow_redirects=False) as response:
        return response.status, await response.text(), response.headers


def forget_session(http: ClientSession) -> None:
    """As when the 60-day link session has run out: the device cookie stays."""
    http.cookie_jar.clear(lambda cookie: cookie.key.endswith("_session"))


async def guess_from_three_addresses(link: str, wrong: str, second: int, third: int) -> None:
    """Three wrong entries, each from an address of its own: enough to close a link in an
    application with `unknown_in_a_row=3`."""
    for number in range(3):
        async with browser(f"127.{second}.{third}.{number + 1}") as guesser:
            status, page, _ = await enter(guesser, link, "pin" if "/c/" in link else "code", wrong)
    assert status == 429 and "stängd för nya enheter" in page


@asynccontextmanager
async def own_app(stack, **limits):
    environ = dict(
        stack.environ,
        SNABB_APP_PORT=str(free_port()),
        **{f"SNABB_LIMITS_{key.upper()}": str(value) for key, value in limits.items()},
    )
    settings = load_settings(environ)
    async with serving(create_app(settings), settings.app.port) as base_url:
        yield base_url


async def registration(http, base_url, db, settings, organization_id=None):
    event = await make_event(db, organization_id=organization_id)
    email = unique_email("gissad")
    status, _ = await register(http, base_url, event["invite_token"], email=email)
    assert status == 200
    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    link, pin = link_and_pin(mail)
    row = await db.fetchrow("SELECT * FROM candidate WHERE email = $1", email)
    return event, row, link, pin


async def test_guessers_from_many_addresses_get_at_most_the_hourly_cap_and_the_owner_gets_in(
    http, base_url, db, settings
):
    _, row, link, pin = await registration(http, base_url, db, settings)
    wrong = "000000" if pin != "000000" else "111111"
    async with browser() as phone:
        assert (await enter(phone, link, "pin", pin))[0] == 303
        forget_session(phone)
        statuses = []
        for number in range(1, 41):  # forty guessers, each at an address of its own
            async with browser(f"127.42.{number}.{number + 1}") as guesser:
                status, _, _ = await enter(guesser, link, "pin", wrong)
                statuses.append(status)
        cap = settings.limits.unknown_per_hour
        # Compared: the first `cap` (the last of them already says to wait); then nothing.
        assert statuses == [422] * (cap - 1) + [429] * (40 - cap + 1)
        counted = await db.fetchrow(
            """
            SELECT in_a_row, cardinality(recent) AS recent FROM guess_secret
            WHERE scope = 'pin' AND subject = $1""",
            str(row["id"]),
        )
        assert dict(counted) == {"in_a_row": cap, "recent": cap}
        # A new device is not heard either, the right PIN included; it is told how long.
        async with browser("127.42.99.1") as new_phone:
            status, page, headers = await enter(new_phone, link, "pin", pin)
        assert status == 429 and "vänta 60 minuter" in page
        assert 3500 < int(headers["Retry-After"]) <= 3600
        # The candidate's own phone is known: its right PIN works all the same.
        status, _, _ = await enter(phone, link, "pin", pin)
        assert status == 303
    # The figure the README gives: 10 an hour, a 6-digit PIN in 5.7 years on average.
    policy = policy_of(settings.limits)
    assert throttle.guesses_per_hour_bound(policy) == cap == 10
    assert 5.6 < throttle.mean_years_to_guess(10**6, policy) < 5.8


async def test_guesses_at_the_same_moment_cannot_slip_past_the_count(http, base_url, db, settings):
    _, row, link, pin = await registration(http, base_url, db, settings)
    wrong = "000000" if pin != "000000" else "111111"

    async def guess(number: int) -> int:
        async with browser(f"127.45.{number}.1") as guesser:
            return (await enter(guesser, link, "pin", wrong))[0]

    statuses = await asyncio.gather(*(guess(number) for number in range(1, 31)))
    assert sorted(statuses) == [422] * 9 + [429] * 21
    assert (
        await db.fetchval(
            "SELECT in_a_row FROM guess_secret WHERE scope = 'pin' AND subject = $1", str(row["id"])
        )
        == 10
    )


async def test_only_the_events_own_organization_may_unlock_or_reissue(http, base_url, db, settings):
    event, row, _, _ = await registration(http, base_url, db, settings)
    stranger = await make_user(db)
    await log_in(http, base_url, stranger["email"])
    csrf = await csrf_from(http, f"{base_url}/events")
    for action in ("unlock", "reissue"):
        async with http.post(
            f"{base_url}/events/{event['id']}/candidates/{row['id']}/{action}",
            data={"csrf_token": csrf},
            allow_redirects=False,
        ) as response:
            assert response.status == 404
        async with http.post(
            f"{base_url}/events/{event['id']}/interviewers/x1/{action}",
            data={"csrf_token": csrf},
            allow_redirects=False,
        ) as response:
            assert response.status == 404
    assert (
        await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", row["id"])
        == row["access_token"]
    )


async def test_a_closed_link_keeps_the_known_phone_and_the_organizer_opens_or_replaces_it(
    stack, http, base_url, db, settings, caplog
):
    employer = await make_user(db)
    async with (
        own_app(stack, unknown_in_a_row=3, unknown_per_hour=100) as app_url,
        browser() as phone,
        browser() as organizer,
    ):
        event, row, mailed_link, pin = await registration(
            http, base_url, db, settings, employer["organization_id"]
        )
        link = mailed_link.replace(base_url, app_url)
        assert (await enter(phone, link, "pin", pin))[0] == 303
        forget_session(phone)
        wrong = "000000" if pin != "000000" else "111111"
        with caplog.at_level(logging.WARNING, logger="app.guessing"):
            await guess_from_three_addresses(link, wrong, 43, 0)
        assert f"candidate {row['id']} (event {event['id']}) closed to new devices" in caplog.text
        assert pin not in caplog.text and row["access_token"] not in caplog.text
        async with browser("127.43.1.1") as new_device:
            status, page, headers = await enter(new_device, link, "pin", pin)
            assert status == 429 and CLOSED_PIN in page and "Retry-After" not in headers
            async with new_device.get(link) as response:  # the page says so, without a form
                page = await response.text()
            assert CLOSED_PIN in page and 'name="pin"' not in page

        # The organizer sees the closed link and opens it.
        await log_in(organizer, app_url, employer["email"])
        event_page = f"{app_url}/events/{event['id']}"
        async with organizer.get(event_page) as response:
            page = await response.text()
        assert "Länken är låst för nya enheter: 3 felaktiga försök i rad." in page
        assert "Lås upp" in page and "Ny länk och PIN-kod" in re.sub(r"<[^>]*>", "", page)
        base = f"{app_url}/events/{event['id']}/candidates/{row['id']}"
        async with organizer.post(
            f"{base}/unlock", data={"csrf_token": await csrf_from(organizer, event_page)}
        ) as response:
            assert "öppen för nya enheter igen" in await response.text()
        async with browser("127.43.1.2") as new_device:
            assert (await enter(new_device, link, "pin", pin))[0] == 303

        # Closed again: the known phone gets in all the same, which ends the run.
        await guess_from_three_addresses(link, wrong, 43, 2)
        assert (await enter(phone, link, "pin", pin))[0] == 303
        assert (
            await db.fetchval(
                "SELECT in_a_row FROM guess_secret WHERE scope = 'pin' AND subject = $1", str(row["id"])
            )
            == 0
        )

        # Re-issued: a new link and PIN by mail; the old ones, their sessions and the devices
        # are forgotten.
        [old_session] = [c.value for c in phone.cookie_jar if c.key == "candidate_session"]
        async with organizer.post(
            f"{base}/reissue", data={"csrf_token": await csrf_from(organizer, event_page)}
        ) as response:
            assert "har fått en ny personlig länk och PIN-kod" in await response.text()
        mails = await wait_for_mail(settings.mail.catcher_dir, row["email"], count=2)
        [mail] = [
            m
            for m in mails  # the Maildir keeps no order
            if "de som skickades tidigare fungerar inte längre" in text_of(m)
        ]
        new_link, new_pin = link_and_pin(mail)
        assert new_link != mailed_link
        # Told apart from the first mail in the inbox, and by whom, as everywhere else.
        assert str(mail["Subject"]).startswith("Ny personlig länk och PIN-kod: ")
        assert text_of(mail).count(" har gett dig en ny personlig länk och PIN-kod") == 1
        async with phone.get(link) as response:
            assert response.status == 404
        assert not await db.fetchval(
            "SELECT count(*) FROM known_device WHERE scope = 'pin' AND subject = $1", str(row["id"])
        )
        new_link = new_link.replace(base_url, app_url)
        async with phone.get(new_link) as response:
            assert 'name="pin"' in await response.text()  # the phone must enter the new PIN
        async with (
            browser() as replaying,
            replaying.get(new_link, headers={"Cookie": f"candidate_session={old_session}"}) as response,
        ):
            assert 'name="pin"' in await response.text()  # the old link's session is no key
        assert (await enter(phone, new_link, "pin", new_pin))[0] == 303


async def test_the_organizer_sees_a_closed_meeting_link_and_sends_a_new_one(stack, db, settings):
    live = await make_live_event(db, interviewers=1, candidates=0)
    organization_id = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", live.id)
    employer = await make_user(db, organization_id=organization_id)
    interviewer = await db.fetchrow("SELECT * FROM event_interviewer WHERE id = $1", live.interviewers[0])
    async with own_app(stack, unknown_in_a_row=3, unknown_per_hour=100) as app_url, browser() as organizer:
        link = f"{app_url}/i/{interviewer['access_token']}"
        await guess_from_three_addresses(link, "000000", 44, 0)
        await log_in(organizer, app_url, employer["email"])
        event_page = f"{app_url}/events/{live.id}"
        async with organizer.get(event_page) as response:
            page = await response.text()
        assert "Länken är låst för nya enheter: 3 felaktiga försök i rad." in page
        assert "Ny länk och kod" in page
        async with organizer.post(
            f"{app_url}/events/{live.id}/interviewers/{interviewer['id']}/reissue",
            data={"csrf_token": await csrf_from(organizer, event_page)},
        ) as response:
            assert "har fått en ny möteslänk och kod" in await response.text()
        [mail] = await wait_for_mail(settings.mail.catcher_dir, interviewer["email"])
        body = text_of(mail)
        # Told apart from the first invitation, and why the old link went (a meeting web
        # open with it closes: the interviewer reading this should not wonder).
        assert str(mail["Subject"]).startswith(("Ny möteslänk och kod: ", "New meeting link and code: "))
        assert body.count("the ones sent before no longer work") + body.count("fungerar inte längre") == 1
        token = re.search(r"/i/([A-Za-z0-9_-]+)", body)[1]
        # After its label: a 6-digit run between dashes in the link (base64url) is no code.
        code = re.search(r"(?:Your code|Din kod):\s*([0-9]{6})", body)[1]
        assert token != interviewer["access_token"]
        async with organizer.get(link) as response:
            assert response.status == 404
        async with browser("127.44.1.1") as laptop:
            assert (await enter(laptop, f"{app_url}/i/{token}", "code", code))[0] == 303
