"""Registration through the invite link, over real HTTP against the real stack."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import asyncpg
import pytest
from aiohttp import ClientSession, CookieJar
from yarl import URL

from app.candidates import erasure
from app.candidates import registration as candidate_registration
from app.candidates import queries as candidate_queries
from app.candidates.rules import Registration
from app.events.tokens import calendar_uid
from app.i18n import Renderer
from app.mail import Mailer
from tests import factories
from tests.candidate_support import link_and_pin, make_event, register
from tests.forms import csrf_of
from tests.mails import calendar_event, caught, read_mails, text_of, unique_email, wait_for_mail


async def test_the_invite_page_tells_a_candidate_what_they_need_to_know(http, base_url, db, settings):
    event = await make_event(db, title="Truckförare till Borås")
    async with http.get(
        f"{base_url}/r/{event['invite_token']}", headers={"Accept-Language": "sv"}
    ) as response:
        page = await response.text()
    assert response.status == 200
    organization = await db.fetchval("SELECT name FROM organization WHERE id = $1", event["organization_id"])
    for text in (
        "Truckförare till Borås",
        organization,
        "Du plockar och packar.",
        "Heltid, dagtid.",
        "(svensk tid)",
        "10 minuter",
        "Chrome, Edge, Firefox eller Safari",
        "kamera och en mikrofon",
        'name="name"',
        'name="email"',
        'name="phone"',
        'name="language"',
        'name="consent"',
        f"{settings.candidates.retention_days} dagar",
    ):
        assert text in page, text
    async with http.get(
        f"{base_url}/r/{event['invite_token']}", headers={"Accept-Language": "en"}
    ) as response:
        page = await response.text()
    for text in (
        "(Swedish time, CE",
        "10 minutes",
        "A camera and a microphone",
        f"{settings.candidates.retention_days} days after the event",
    ):
        assert text in page, text
    # The employer's own words stay in the event's language on an English page, and say so
    # (screen readers read them with a Swedish voice).
    assert '<h1 lang="sv">Truckförare till Borås</h1>' in page
    assert '<p class="prewrap" lang="sv">Du plockar och packar.' in page


async def test_registering_gives_a_confirmation_page_and_a_mail_with_link_pin_and_calendar(
    http, base_url, db, settings
):
    event = await make_event(db)
    email = unique_email("kandidat")
    status, page = await register(
        http,
        base_url,
        event["invite_token"],
        name="Kim Kandidat",
        email=email,
        phone="070-123 45 67",
        language="en",
    )
    assert status == 200, page
    # In the language chosen in the form (the browser asked for Swedish and chose none).
    assert email in page and "spam" in page and "10 minutes" in page
    row = await db.fetchrow("SELECT * FROM candidate WHERE event_id = $1", event["id"])
    assert (row["name"], row["email"], row["phone"], row["language"]) == (
        "Kim Kandidat",
        email,
        "070-123 45 67",
        "en",
    )
    assert row["consented_at"] is not None and len(row["pin"]) == 6

    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    assert "Your registration" in str(mail["Subject"])  # the language the candidate chose
    link, pin = link_and_pin(mail)
    assert link == f"{settings.app.public_url}/c/{row['access_token']}" and pin == row["pin"]
    assert "(Swedish time, CE" in text_of(mail)
    # When to come and for how long (the event is days away: check-in is not open yet).
    assert "Duration: 60 minutes; you are called when an interviewer is free" in text_of(mail)
    assert "Check-in opens 30 minutes before the start" in text_of(mail)
    entry = calendar_event(mail)
    assert str(entry["UID"]) == calendar_uid(event["id"], event["calendar_key"], "candidate", row["id"])
    assert int(entry["SEQUENCE"]) == 0
    assert link in str(entry["DESCRIPTION"]) and pin not in str(entry["DESCRIPTION"])
    assert entry.decoded("DTSTART") == event["starts_at"]


async def test_one_who_registers_with_check_in_open_is_told_it_is_open_now(http, base_url, db, settings):
    event = await make_event(db, starts_in=dt.timedelta(minutes=10))
    email = unique_email("sen")
    status, _ = await register(http, base_url, event["invite_token"], name="Sen Anmälan", email=email)
    assert status == 200
    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    assert "Incheckningen är öppen nu: öppna din personliga länk" in text_of(mail)
    assert "Längd: 60 minuter" in text_of(mail)


async def test_bad_input_comes_back_in_the_users_language_with_the_input_kept(http, base_url, db):
    event = await make_event(db)
    status, page = await register(
        http,
        base_url,
        event["invite_token"],
        name="Behåll Mig",
        email="inte-en-adress",
        phone="ring mig",
        consent=False,
    )
    assert status == 422
    assert 'value="Behåll Mig"' in page and 'value="inte-en-adress"' in page
    assert 'value="ring mig"' in page and 'aria-invalid="true"' in page
    for message in (
        "Rätta till följande",
        "Skriv en e-postadress som namn@exempel.se.",
        "Skriv ett telefonnummer",
        "Kryssa i rutan",
    ):
        assert message in page, message
    status, page = await register(
        http, base_url, event["invite_token"], name="", email="a@example.se", accept_language="en"
    )
    assert status == 422 and "Enter your name." in page and 'value="a@example.se"' in page
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 0


async def test_the_same_address_twice_takes_one_seat_and_gets_the_mail_again(http, base_url, db, settings):
    event = await make_event(db, capacity=2)
    email = unique_email("tva-ganger")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    status, page = await register(
        http, base_url, event["invite_token"], name="Annat Namn", email=email.upper()
    )
    assert status == 200 and "behåller din plats" in page
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 1
    first, second = sorted(
        await wait_for_mail(settings.mail.catcher_dir, email, count=2),
        key=lambda mail: "igen" in text_of(mail),
    )
    assert link_and_pin(first) == link_and_pin(second)
    assert "Kim Kandidat" in text_of(second)  # the registration as it was, not the new name


async def test_an_address_registered_already_is_answered_before_its_link_is_sent_again(
    http, base_url, db, settings
):
    """The answer to an address registered already does not wait for its link to be sent
    again: it did, and took twice as long as a new registration's, so a stranger timing the
    answers could tell who had registered. Shown with the registration's row held by another
    transaction: the answer comes all the same, the mail once the row is free."""
    event = await make_event(db, capacity=5)
    email = unique_email("redan")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    await wait_for_mail(settings.mail.catcher_dir, email)
    candidate_id = await db.fetchval("SELECT id FROM candidate WHERE email = $1", email)
    holder = await asyncpg.connect(settings.database.url.get_secret_value())
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM candidate WHERE id = $1 FOR UPDATE", candidate_id)
            async with asyncio.timeout(15):  # it would wait for the row as long as it is held
                status, page = await register(http, base_url, event["invite_token"], email=email)
            assert status == 200 and "behåller din plats" in page
            assert len(caught(settings.mail.catcher_dir, email)) == 1
    finally:
        await holder.close()
    again = await wait_for_mail(settings.mail.catcher_dir, email, count=2)
    assert len({link_and_pin(mail) for mail in again}) == 1
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 1


async def test_a_registration_cancelled_after_its_answer_stays_cancelled(http, base_url, db, settings):
    """The work after a registered address's answer only sends its link: a registration
    cancelled meanwhile (by its candidate, or removed by the employer) is not made again, and
    nothing is sent to it. Shown with the registration's row held by the cancelling
    transaction while the form is answered."""
    event = await make_event(db, capacity=5)
    email = unique_email("avbokad")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    await wait_for_mail(settings.mail.catcher_dir, email)
    candidate_id = await db.fetchval("SELECT id FROM candidate WHERE email = $1", email)
    canceller = await asyncpg_connect(settings)
    try:
        async with canceller.transaction():
            await canceller.execute("SELECT 1 FROM candidate WHERE id = $1 FOR UPDATE", candidate_id)
            async with asyncio.timeout(15):
                status, page = await register(http, base_url, event["invite_token"], email=email)
            assert status == 200 and "behåller din plats" in page
            await canceller.execute("UPDATE candidate SET cancelled_at = now() WHERE id = $1", candidate_id)
    finally:
        await canceller.close()
    await asyncio.sleep(1)  # the work after the answer, waiting for the row, has run by now
    assert (
        await db.fetchval("SELECT count(*) FROM candidate WHERE email = $1 AND cancelled_at IS NULL", email)
        == 0
    )
    assert len(caught(settings.mail.catcher_dir, email)) == 1


async def test_an_invitation_closed_after_a_registered_addresss_answer_still_sends_its_link(db, settings):
    """The answer said the link goes again; the invite link closed before it went: it goes,
    as it would from the closed invitation's own form."""
    event = await make_event(db, capacity=5)
    mailer = Mailer(settings, Renderer())
    email = unique_email("stangd")
    registration = Registration("Kim Kandidat", email, "", "sv")
    token = event["invite_token"]
    connection = await asyncpg_connect(settings)
    try:
        for expected in (candidate_registration.REGISTERED, candidate_registration.ALREADY):
            outcome = await candidate_registration.register(
                connection, mailer, settings.app.public_url, token, registration
            )
            assert outcome is not None and outcome.result == expected
        await db.execute("UPDATE event SET invite_open = false WHERE id = $1", event["id"])
        await candidate_registration.send_link_again(
            connection, mailer, settings.app.public_url, token, email
        )
    finally:
        await connection.close()
    first, again = await wait_for_mail(settings.mail.catcher_dir, email, count=2)
    assert link_and_pin(first) == link_and_pin(again)


async def test_a_registered_address_on_the_long_way_gets_its_link_once(
    http, base_url, db, settings, monkeypatch
):
    """The event changed between the read and the lock: the long way finds the address
    registered. It answers ALREADY without sending (the view sends after the answer): it
    sent too, and the link went twice."""
    event = await make_event(db, capacity=5, title="Lagerarbetare")
    email = unique_email("lang-vag")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    at_once = candidate_queries.take_seat_at_once

    async def changed_meanwhile(connection, *args, **kwargs):
        await db.execute("UPDATE event SET title = title || '.' WHERE id = $1", event["id"])
        return await at_once(connection, *args, **kwargs)

    monkeypatch.setattr(candidate_queries, "take_seat_at_once", changed_meanwhile)
    status, page = await register(http, base_url, event["invite_token"], email=email)
    assert status == 200 and "behåller din plats" in page
    await wait_for_mail(settings.mail.catcher_dir, email, count=2)
    await asyncio.sleep(1)  # a third would have come by now
    assert len(caught(settings.mail.catcher_dir, email)) == 2


async def test_the_reminder_is_promised_only_to_those_it_will_reach(http, base_url, db, settings):
    """Reminders go to those registered before the reminder time (app/candidates/reminders.py):
    someone registering on the day was promised one that never came."""
    hours = settings.candidates.reminder_hours
    promise = "Du får en påminnelse via e-post"
    early = await make_event(db, starts_in=dt.timedelta(hours=hours + 2))
    status, page = await register(http, base_url, early["invite_token"], email=unique_email())
    assert status == 200 and promise in page
    late = await make_event(db, starts_in=dt.timedelta(hours=hours - 2))
    status, page = await register(http, base_url, late["invite_token"], email=unique_email())
    assert status == 200 and promise not in page and "Titta i din e-post" in page


async def test_a_full_event_says_so_and_takes_nobody_more(http, base_url, db):
    event = await make_event(db, capacity=1)
    assert (await register(http, base_url, event["invite_token"], email=unique_email()))[0] == 200
    async with http.get(f"{base_url}/r/{event['invite_token']}") as response:
        page = await response.text()
    assert "Alla platser är tagna" in page and 'name="consent"' not in page
    status, page = await register_without_reload(http, base_url, event["invite_token"])
    assert status == 409 and "Alla platser är tagna" in page
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 1


@pytest.mark.parametrize("why", ["full", "closed"])
async def test_a_full_or_closed_invitation_answers_alike_whoever_is_registered(
    http, base_url, db, settings, why
):
    """Posted to a full event, or with its invite link closed, a registered address and any
    other got different answers (the "registered" page against 409 "full"): anyone with the
    public invite link could tell who had registered. Now both get the page that says so,
    and that a registered address had its link sent again, which it has, after the answer:
    with the registration's row held by another transaction, the answer comes all the same
    (before, the registered address's answer took the row, and took longer)."""
    event = await make_event(db, capacity=1 if why == "full" else 5)
    email = unique_email("redan")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    await wait_for_mail(settings.mail.catcher_dir, email)
    if why == "closed":
        await db.execute("UPDATE event SET invite_open = false WHERE id = $1", event["id"])
    answers = []
    holder = await asyncpg.connect(settings.database.url.get_secret_value())
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM candidate WHERE email = $1 FOR UPDATE", email)
            for address in (email, unique_email("okand")):
                async with asyncio.timeout(15):  # it would wait for the row as long as it is held
                    status, page = await register_without_reload(
                        http, base_url, event["invite_token"], address
                    )
                answers.append((status, page.replace(address, "ADDRESS")))
                assert f"Om {address} är anmäld" in page
    finally:
        await holder.close()
    assert answers[0] == answers[1]
    assert answers[0][0] == 409
    mails = await wait_for_mail(settings.mail.catcher_dir, email, count=2)
    assert len({link_and_pin(mail) for mail in mails}) == 1  # the same link, sent again
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 1


async def test_a_registered_candidate_gets_the_link_again_when_the_form_is_not_shown(
    http, base_url, db, settings
):
    event = await make_event(db, capacity=1)
    email = unique_email("tappade")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    _, csrf, page = await csrf_of(http, f"{base_url}/r/{event['invite_token']}")
    assert "Har du redan anmält dig och tappat bort mejlet?" in page
    for address in (email, unique_email("okand")):
        async with http.post(
            f"{base_url}/r/{event['invite_token']}/resend", data={"csrf_token": csrf, "email": address}
        ) as response:
            page = await response.text()
        # The same answer whether or not the address is registered: it tells nobody who is.
        assert response.status == 200 and f"Om {address} är anmäld" in page
    first, second = await wait_for_mail(settings.mail.catcher_dir, email, count=2)
    assert link_and_pin(first) == link_and_pin(second)
    async with http.post(
        f"{base_url}/r/{event['invite_token']}/resend", data={"csrf_token": csrf, "email": "fel"}
    ) as response:
        assert response.status == 422 and 'value="fel"' in await response.text()
    # The answer's address loaded again (its language switch, a reload) shows it again
    # (tests/integration/test_registration_answer.py); in another browser, the invitation.
    async with http.get(f"{base_url}/r/{event['invite_token']}/resend", allow_redirects=False) as response:
        assert response.status == 200 and f"Om {address} är anmäld" in await response.text()
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        async with other.get(
            f"{base_url}/r/{event['invite_token']}/resend", allow_redirects=False
        ) as response:
            assert response.status == 303 and response.headers["Location"] == f"/r/{event['invite_token']}"


async def test_send_my_link_again_keeps_the_language_the_invitation_was_linked_in(
    http, base_url, db, settings
):
    """An invitation opened from a link that names a language (a cancelled registration's
    Register again) posts it along: the answer of Send my link again, and its error, are in
    it too, not in the event's or the browser's."""
    event = await make_event(db, capacity=1)  # Swedish
    assert (await register(http, base_url, event["invite_token"], email=unique_email("full")))[0] == 200
    invitation = f"{base_url}/r/{event['invite_token']}"
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), headers={"Accept-Language": "sv"}) as browser:
        _, csrf, page = await csrf_of(browser, f"{invitation}?lang=en")
        assert '<html lang="en"' in page and "Already registered and lost your mail?" in page
        action = re.search(r'<form method="post" action="([^"]+/resend[^"]*)"', page)[1]
        assert action == f"/r/{event['invite_token']}/resend?lang=en"
        async with browser.post(base_url + action, data={"csrf_token": csrf, "email": "fel"}) as response:
            assert response.status == 422 and '<html lang="en"' in await response.text()
        address = unique_email("annan")
        async with browser.post(base_url + action, data={"csrf_token": csrf, "email": address}) as response:
            page = await response.text()
        assert response.status == 200 and '<html lang="en"' in page and address in page
        # Without the link's language, the event's (and this browser's): Swedish, as before.
        _, csrf, page = await csrf_of(browser, invitation)
        assert '<html lang="sv"' in page and f'action="/r/{event["invite_token"]}/resend"' in page


async def test_send_my_link_again_answers_before_it_looks_the_address_up(http, base_url, db, settings):
    """The lookup and the mail come after the answer: done before it, the answer took longer
    for a registered address than for any other, and timing it told who had registered.
    Shown here with the registration's row held by another transaction: the answer comes all
    the same, and the mail once the row is free."""
    event = await make_event(db, capacity=1)
    email = unique_email("vantar")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    await wait_for_mail(settings.mail.catcher_dir, email)
    candidate_id = await db.fetchval("SELECT id FROM candidate WHERE email = $1", email)
    _, csrf, _ = await csrf_of(http, f"{base_url}/r/{event['invite_token']}")
    holder = await asyncpg.connect(settings.database.url.get_secret_value())
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM candidate WHERE id = $1 FOR UPDATE", candidate_id)
            async with asyncio.timeout(15):  # it would wait for the row as long as it is held
                async with http.post(
                    f"{base_url}/r/{event['invite_token']}/resend", data={"csrf_token": csrf, "email": email}
                ) as response:
                    assert response.status == 200 and f"Om {email} är anmäld" in await response.text()
            assert len(caught(settings.mail.catcher_dir, email)) == 1
    finally:
        await holder.close()
    await wait_for_mail(settings.mail.catcher_dir, email, count=2)


async def test_confirmations_are_not_re_sent_without_limit(http, base_url, db, settings):
    event = await make_event(db)
    email = unique_email("ofta")
    for _ in range(6):
        assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    await wait_for_mail(settings.mail.catcher_dir, email, count=4)
    await asyncio.sleep(1.5)
    assert len([m for m in read_mails(settings.mail.catcher_dir) if email in str(m["To"])]) == 4


async def register_without_reload(
    http, base_url: str, token: str, email: str | None = None
) -> tuple[int, str]:
    """A form loaded before the event filled up (or closed), sent afterwards: the CSRF
    token of this browser comes from another page, as the event's page shows no form now."""
    _, csrf, _ = await csrf_of(http, f"{base_url}/login")
    async with http.post(
        f"{base_url}/r/{token}",
        data={
            "csrf_token": csrf,
            "name": "Sen Kandidat",
            "email": email or unique_email("sen"),
            "language": "sv",
            "consent": "yes",
        },
    ) as response:
        return response.status, await response.text()


async def test_drafts_cancelled_finished_and_closed_events_say_so(http, base_url, db):
    cases = {
        "inte öppet för anmälan än": await make_event(db, state="draft"),
        "har ställts in": await make_event(db, state="cancelled"),
        "är över": await make_event(db, starts_in=-dt.timedelta(hours=3)),
        "Anmälan till det här intervjutillfället är stängd": await make_event(db, invite_open=False),
    }
    deleted = await make_event(db)
    await db.execute("UPDATE event SET deleted_at = now() WHERE id = $1", deleted["id"])
    cases["har ställts in."] = deleted
    for text, event in cases.items():
        async with http.get(f"{base_url}/r/{event['invite_token']}") as response:
            page = await response.text()
        assert response.status == 200 and text in page, text
        assert 'name="consent"' not in page
        status, page = await register_without_reload(http, base_url, event["invite_token"])
        assert status == 409 and text in page, text
        assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 0
    # Over: what the event was, not how the day will go nor what to bring to it.
    async with http.get(f"{base_url}/r/{cases['är över']['invite_token']}") as response:
        page = await response.text()
    assert "60 minuter" in page and "du blir kallad" not in page and "Det här behöver du" not in page
    async with http.get(f"{base_url}/r/{cases['inte öppet för anmälan än']['invite_token']}") as response:
        page = await response.text()
    assert "du blir kallad när en intervjuare är ledig" in page and "Det här behöver du" in page


@pytest.mark.parametrize("ended", ["finished", "cancelled", "deleted"])
async def test_an_ended_events_invitation_answers_a_registered_address_as_it_answers_anyone(
    http, base_url, db, settings, ended
):
    """The invite link of an event over, cancelled or deleted is still public in its job ad:
    a registered address took the long way, under the registration's row lock, and its
    answer was a millisecond slower than anyone else's, which told who had applied. Shown
    with that row held by another transaction: the answer comes all the same, and says what
    it says to everyone."""
    event = await make_event(db, capacity=5)
    email = unique_email("over")
    assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    change = {
        "finished": "UPDATE event SET state = 'finished' WHERE id = $1",
        "cancelled": "UPDATE event SET state = 'cancelled' WHERE id = $1",
        "deleted": "UPDATE event SET deleted_at = now() WHERE id = $1",
    }[ended]
    await db.execute(change, event["id"])
    _, anyone = await register_without_reload(http, base_url, event["invite_token"])
    candidate_id = await db.fetchval("SELECT id FROM candidate WHERE email = $1", email)
    holder = await asyncpg_connect(settings)
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM candidate WHERE id = $1 FOR UPDATE", candidate_id)
            async with asyncio.timeout(15):  # it would wait for the row as long as it is held
                status, page = await register_without_reload(http, base_url, event["invite_token"], email)
    finally:
        await holder.close()
    assert status == 409
    assert without_csrf(page) == without_csrf(anyone)


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


async def test_unknown_links_and_requests_without_csrf(http, base_url, db):
    for token in ("no-such-token", "x" * 101, "ab%00cd", "%C3%A5%C3%A4", "a.b"):
        async with http.get(f"{base_url}/r/{token}", headers={"Accept": "text/html"}) as response:
            assert response.status == 404
    event = await make_event(db)
    async with http.post(
        f"{base_url}/r/{event['invite_token']}",
        data={"name": "Ingen Token", "email": unique_email(), "consent": "yes"},
    ) as response:
        assert response.status == 403
    async with http.post(
        f"{base_url}/r/{event['invite_token']}",
        data=b"\xff\xfe",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    ) as response:
        assert response.status in (400, 403)
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 0


async def test_a_hundred_registrations_at_once_leave_exactly_the_capacity(base_url, db, settings):
    event = await make_event(db, capacity=30)
    url = f"{base_url}/r/{event['invite_token']}"
    sessions = [ClientSession(cookie_jar=CookieJar(unsafe=True)) for _ in range(100)]
    try:
        tokens = await asyncio.gather(*(csrf_of(session, url) for session in sessions))

        async def post(number: int, session: ClientSession, csrf: str):
            async with session.post(
                url,
                data={
                    "csrf_token": csrf,
                    "name": f"Kandidat {number}",
                    "email": f"samtidig-{event['id']}-{number}@example.se",
                    "language": "sv",
                    "consent": "yes",
                },
            ) as response:
                return response.status, await response.text()

        results = await asyncio.gather(
            *(
                post(number, session, csrf)
                for number, (session, (_, csrf, _)) in enumerate(zip(sessions, tokens, strict=True))
            )
        )
    finally:
        await asyncio.gather(*(session.close() for session in sessions))
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 30 and statuses.count(409) == 70, statuses
    assert all("Alla platser är tagna" in page for status, page in results if status == 409)
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 30
    assert await db.fetchval("SELECT registered_count($1)", event["id"]) == 30
    assert (
        await db.fetchval(
            """SELECT count(*) FROM mail_outbox
                                WHERE template = 'candidate_registration'
                                  AND to_address LIKE $1""",
            f"samtidig-{event['id']}-%",
        )
        == 30
    )


async def test_a_cancelled_or_erased_registration_frees_its_seat_for_the_next(http, base_url, db):
    """The count a registration reads (kept by triggers, migration 0039, not counted under
    the lock) follows every change of a registration: a seat given back is taken again."""
    event = await make_event(db, capacity=2)
    first, second, third, fourth = (unique_email(f"plats{n}") for n in range(4))
    for email in (first, second):
        assert (await register(http, base_url, event["invite_token"], email=email))[0] == 200
    status, _ = await register_without_reload(http, base_url, event["invite_token"])
    assert status == 409

    async def registered() -> tuple[int, int]:
        kept = await db.fetchval("SELECT registered_count($1)", event["id"])
        counted = await db.fetchval(
            """SELECT count(*) FROM candidate
                WHERE event_id = $1 AND cancelled_at IS NULL AND erased_at IS NULL""",
            event["id"],
        )
        return kept, counted

    assert await registered() == (2, 2)
    first_id = await db.fetchval("SELECT id FROM candidate WHERE email = $1", first)
    assert await candidate_queries.cancel(db, first_id, "candidate")
    assert await registered() == (1, 1)
    assert (await register(http, base_url, event["invite_token"], email=third))[0] == 200
    assert await registered() == (2, 2)
    second_id = await db.fetchval("SELECT id FROM candidate WHERE email = $1", second)
    async with db.transaction():
        assert await erasure.erase_candidate(db, second_id, "employer") is not None
    assert await registered() == (1, 1)
    # A statement changing many rows at once (as retention does) counts each change once.
    await db.execute("UPDATE candidate SET reminder_sent_at = now() WHERE event_id = $1", event["id"])
    assert await registered() == (1, 1)
    assert (await register(http, base_url, event["invite_token"], email=fourth))[0] == 200
    assert await registered() == (2, 2)
    added = await db.fetchval(
        """INSERT INTO candidate (event_id, name, email, access_token, pin)
           VALUES ($1, 'Direkt', $2, $3, '123456') RETURNING id""",
        event["id"],
        unique_email("direkt"),
        f"direkt-{event['id']}",
    )
    assert await registered() == (3, 3)
    await db.execute("DELETE FROM candidate WHERE id = $1", added)
    assert await registered() == (2, 2)


async def test_an_event_changed_after_it_was_read_is_registered_for_as_it_now_is(db, settings, monkeypatch):
    """The one-statement way (migration 0036) does nothing when the event changed after the
    confirmation was rendered (the mail's row it wrote before the lock goes again); the
    registration then goes the long way and renders again."""
    from app.candidates import queries, registration

    event = await make_event(db, title="Lagerarbetare")
    email = unique_email("andrad")
    at_once = queries.take_seat_at_once
    results = []

    async def changed_meanwhile(connection, *args, **kwargs):
        await db.execute("UPDATE event SET title = 'Truckförare' WHERE id = $1", event["id"])
        results.append(await at_once(connection, *args, **kwargs))
        return results[-1]

    monkeypatch.setattr(queries, "take_seat_at_once", changed_meanwhile)
    connection = await asyncpg_connect(settings)
    try:
        outcome = await registration.register(
            connection,
            Mailer(settings, Renderer()),
            settings.app.public_url,
            event["invite_token"],
            Registration("Kim Kandidat", email, "", "sv"),
        )
    finally:
        await connection.close()
    assert [row["o_fresh"] for row in results] == [False]
    assert outcome.result == "registered" and outcome.event["title"] == "Truckförare"
    subjects = await db.fetch("SELECT subject FROM mail_outbox WHERE to_address = $1", email)
    assert len(subjects) == 1 and "Truckförare" in subjects[0]["subject"]
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE email = $1", email) == 1


async def asyncpg_connect(settings):
    import asyncpg

    return await asyncpg.connect(settings.database.url.get_secret_value())


async def test_a_browser_in_neither_language_reads_the_invitation_in_the_events(base_url, db):
    """The employer's default language for the event: before, a browser asking for Arabic
    or Polish got the site's default (Swedish) for an English event."""
    event = await factories.make_event(db, language="en")
    url = f"{base_url}/r/{event['invite_token']}"
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as anyone:
        for accept, cookie, expected in (
            ("ar, pl;q=0.8", None, "en"),
            ("sv-SE, en;q=0.5", None, "sv"),  # a language of ours: the browser's
            ("ar", "sv", "sv"),  # chosen with the switch: that
        ):
            anyone.cookie_jar.clear()
            if cookie:
                anyone.cookie_jar.update_cookies({"lang": cookie}, URL(base_url))
            async with anyone.get(url, headers={"Accept-Language": accept}) as response:
                page = await response.text()
            assert f'<html lang="{expected}">' in page, (accept, cookie)
            # …and the language for the mails starts there too.
            assert re.search(f'id="language-{expected}"[^>]* checked', page), (accept, cookie)


@pytest.mark.parametrize(
    "starts_in, words",
    [
        (dt.timedelta(minutes=10), "Incheckningen är öppen nu: öppna din personliga länk"),
        (dt.timedelta(days=2), "På dagen öppnar du din personliga länk"),
    ],
)
async def test_the_registered_page_says_the_next_step_as_of_now(http, base_url, db, starts_in, words):
    """Registered on the day with check-in already open, the next step is now, not "on the
    day"; the calendar entry is the one in the mail (the page has none to add)."""
    event = await make_event(db, starts_in=starts_in)
    status, page = await register(http, base_url, event["invite_token"], email=unique_email("idag"))
    assert status == 200 and words in page
    assert "och en post för din kalender" in page


async def test_bytes_that_are_not_text_are_refused_not_kept_as_replacement_characters(http, base_url, db):
    """A form sent in another encoding (or by a client sending any bytes): the server reads
    undecodable bytes as U+FFFD, which kept would be a name of "Anna����Berg"."""
    event = await make_event(db)
    url = f"{base_url}/r/{event['invite_token']}"
    _, csrf, _ = await csrf_of(http, url)
    email = unique_email("bytes")
    body = (
        f"csrf_token={csrf}&name=Anna%FF%ED%A0%80Berg&email={email}&phone=&language=sv&consent=yes"
    ).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "sv"}
    async with http.post(url, data=body, headers=headers) as response:
        page = await response.text()
    assert (
        response.status == 422
        and "Här finns ett dolt tecken, ofta från inklistrad text: skriv in det igen." in page
    )
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 0
