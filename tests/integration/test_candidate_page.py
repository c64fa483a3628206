"""The personal link and PIN: the page, PIN locks, calendar, cancelling, language."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
from functools import partial

import icalendar
from aiohttp import ClientSession, CookieJar

from app.events.tokens import calendar_uid
from app.timefmt import format_event_time
from tests import factories
from tests.candidate_support import link_and_pin, make_event, register
from tests.forms import csrf_of
from tests.mails import calendar_event, caught, text_of, unique_email, wait_for_mail


async def registered(http, base_url, db, settings, **event_options):
    """A registration made over HTTP: (event, candidate row, link, PIN from the mail)."""
    event = await make_event(db, **event_options)
    email = unique_email("personlig")
    status, page = await register(http, base_url, event["invite_token"], email=email)
    assert status == 200, page
    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    link, pin = link_and_pin(mail)
    row = await db.fetchrow("SELECT * FROM candidate WHERE email = $1", email)
    return event, row, link, pin


async def enter_pin(http, link: str, pin: str, **headers):
    status, csrf, page = await csrf_of(http, link, **headers)
    assert csrf, page
    async with http.post(
        link, data={"csrf_token": csrf, "pin": pin}, headers=headers, allow_redirects=False
    ) as response:
        return response.status, await response.text(), response.headers


async def cancel_on_this_device(http, link: str, pin: str) -> str:
    """The PIN entered on this device, then *Cancel my registration*: the page after it."""
    await enter_pin(http, link, pin)
    _, csrf, _ = await csrf_of(http, f"{link}/cancel")
    async with http.post(f"{link}/cancel", data={"csrf_token": csrf}) as response:
        assert response.status == 200
        return await response.text()


async def cancelled_in_english(http, base_url, db, settings):
    """A registration in English to a Swedish event, with a phone, cancelled by the candidate
    on this device: (event, candidate row, link)."""
    event, row, link, pin = await registered(http, base_url, db, settings)
    await db.execute("UPDATE candidate SET phone = '070-765 43 21', language = 'en' WHERE id = $1", row["id"])
    await cancel_on_this_device(http, link, pin)
    return event, row, link


async def test_the_mailed_link_and_pin_open_the_page_and_the_device_is_remembered(
    http, base_url, db, settings
):
    event, row, link, pin = await registered(http, base_url, db, settings)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as phone:
        status, _, page = await csrf_of(phone, link)
        assert status == 200 and 'name="pin"' in page and row["email"] not in page
        status, _, headers = await enter_pin(phone, link, f"{pin[:3]} {pin[3:]}")
        assert status == 303 and headers["Location"] == f"/c/{row['access_token']}"
        cookie = headers["Set-Cookie"]
        assert f"Path=/c/{row['access_token']}" in cookie and "HttpOnly" in cookie
        async with phone.get(link) as response:
            page = await response.text()
        assert "Du är anmäld, Kim Kandidat." in page and row["email"] in page
        assert 'name="pin"' not in page and "(svensk tid)" in page
        assert "calendar.ics" in page and "/cancel" in page
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other_device:
        async with other_device.get(link) as response:
            assert 'name="pin"' in await response.text()
    # The cookie is this candidate's only: another candidate's link still asks for the PIN.
    other = await make_event(db)
    await register(http, base_url, other["invite_token"], email=row["email"])
    [_, second] = await wait_for_mail(settings.mail.catcher_dir, row["email"], count=2)
    async with http.get(link_and_pin(second)[0]) as response:
        assert 'name="pin"' in await response.text()


async def test_wrong_pins_make_that_device_wait_a_growing_time_and_the_right_one_works_after(
    http, base_url, db, settings
):
    _, row, link, pin = await registered(http, base_url, db, settings)
    wrong = "000000" if pin != "000000" else "111111"
    free = settings.limits.free_failures
    for attempt in range(1, free):
        status, page, _ = await enter_pin(http, link, wrong)
        assert status == 422 and f"{free - attempt} försök kvar" in page
    status, page, _ = await enter_pin(http, link, "12ab")  # not a PIN at all: not counted
    assert status == 422 and "Skriv de 6 siffrorna" in page
    status, page, headers = await enter_pin(http, link, wrong)
    assert status == 429 and "måste den här enheten vänta 1 sekund" in page
    assert headers["Retry-After"] == "1"
    async with http.get(link) as response:  # the page itself says when to try again
        page = await response.text()
    assert "vänta 1 sekund, till kl." in page and 'name="pin"' not in page
    status, _, _ = await enter_pin_without_form(http, link, pin)
    assert status == 429  # not even the right PIN while this device waits

    await asyncio.sleep(1.2)
    status, _, headers = await enter_pin_without_form(http, link, wrong)
    assert status == 429 and headers["Retry-After"] == "2"  # twice as long now
    await asyncio.sleep(2.2)
    status, _, _ = await enter_pin_without_form(http, link, pin)
    assert status == 303
    async with http.get(link) as response:
        assert "Du är anmäld" in await response.text()
    # The right PIN ends this device's count and the link's run of wrong ones.
    assert not await db.fetchval(
        "SELECT count(*) FROM guess_client WHERE scope = 'pin' AND subject = $1", str(row["id"])
    )
    assert (
        await db.fetchval(
            "SELECT in_a_row FROM guess_secret WHERE scope = 'pin' AND subject = $1", str(row["id"])
        )
        == 0
    )


async def enter_pin_without_form(http, link: str, pin: str):
    _, csrf, _ = await csrf_of(http, link.rsplit("/c/", 1)[0] + "/login")
    async with http.post(link, data={"csrf_token": csrf, "pin": pin}, allow_redirects=False) as response:
        return response.status, await response.text(), response.headers


async def test_add_to_calendar_gives_the_same_entry_as_the_mail(http, base_url, db, settings):
    event, row, link, pin = await registered(http, base_url, db, settings)
    async with http.get(f"{link}/calendar.ics", allow_redirects=False) as response:
        assert response.status == 303  # the PIN first
    await enter_pin(http, link, pin)
    async with http.get(f"{link}/calendar.ics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        assert "attachment" in response.headers["Content-Disposition"]
        calendar = icalendar.Calendar.from_ical(await response.read())
    entry = next(iter(calendar.walk("VEVENT")))
    assert str(entry["UID"]) == calendar_uid(event["id"], event["calendar_key"], "candidate", row["id"])
    assert entry.decoded("DTSTART") == event["starts_at"] and link in str(entry["DESCRIPTION"])
    assert pin not in calendar.to_ical().decode()
    # Named as what it is and with whom, in the language of the page it came from.
    named = await db.fetchrow(
        "SELECT e.title, o.name FROM event e JOIN organization o ON o.id = e.organization_id WHERE e.id = $1",
        event["id"],
    )
    await http.get(f"{base_url}/lang/en")
    async with http.get(f"{link}/calendar.ics") as response:
        english = next(iter(icalendar.Calendar.from_ical(await response.read()).walk("VEVENT")))
    assert str(english["SUMMARY"]) == f"Speed interview: {named['title']} ({named['name']})"
    assert english["UID"] == entry["UID"]


async def test_registered_once_check_in_is_open_the_mail_promises_only_what_the_page_has(
    http, base_url, db, settings
):
    """The page leaves *Add to calendar* out once check-in is open: the mail, read then or
    later, points to the calendar file it carries, not to a button on the page."""
    event, row, link, pin = await registered(http, base_url, db, settings, starts_in=dt.timedelta(minutes=10))
    [mail] = await wait_for_mail(settings.mail.catcher_dir, row["email"])
    text = " ".join(text_of(mail).split())
    assert (
        "Kalenderposten som är bifogad i det här mejlet lägger till intervjutillfället i din kalender."
        in text
    )
    assert "Via din personliga länk kan du byta språk eller avboka din anmälan." in text
    assert "kalender, byta språk" not in text
    assert str(calendar_event(mail)["UID"]) == calendar_uid(
        event["id"], event["calendar_key"], "candidate", row["id"]
    )
    await enter_pin(http, link, pin)
    async with http.get(link) as response:
        page = await response.text()
    assert "Lägg till i kalendern" not in page and "Avboka" in page


async def test_cancelling_frees_the_seat_mails_a_calendar_cancellation_and_shows_it(
    http, base_url, db, settings
):
    event, row, link, pin = await registered(http, base_url, db, settings, capacity=1)
    async with http.get(f"{link}/cancel", allow_redirects=False) as response:
        assert response.status == 303  # needs the PIN
    await enter_pin(http, link, pin)
    status, csrf, page = await csrf_of(http, f"{link}/cancel")
    assert status == 200 and "Ja, avboka min anmälan" in page
    async with http.post(f"{link}/cancel", data={"csrf_token": csrf}) as response:
        page = await response.text()
    assert "Du har avbokat din anmälan" in page
    cancelled = await db.fetchrow("SELECT cancelled_at, cancelled_by FROM candidate WHERE id = $1", row["id"])
    assert cancelled["cancelled_at"] and cancelled["cancelled_by"] == "candidate"
    [mail] = await wait_for_mail(settings.mail.catcher_dir, row["email"], subject="avbokad")
    entry = calendar_event(mail)
    assert str(entry["STATUS"]) == "CANCELLED" and int(entry["SEQUENCE"]) == 1
    assert str(entry["UID"]) == calendar_uid(event["id"], event["calendar_key"], "candidate", row["id"])
    assert event["invite_token"] in text_of(mail)  # the way back in, while places remain
    # The seat is free again.
    status, _ = await register(http, base_url, event["invite_token"], email=unique_email())
    assert status == 200
    async with http.post(f"{link}/cancel", data={"csrf_token": csrf}, allow_redirects=False) as response:
        assert response.status == 303  # nothing left to cancel
    async with http.get(link) as response:
        assert "Anmäl dig igen" in await response.text()
    # Once the event is over, registering again is not offered (it would say "closed").
    await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", event["id"])
    async with http.get(link) as response:
        page = await response.text()
    assert "Du har avbokat din anmälan" in page and "Anmäl dig igen" not in page


async def test_once_interviewed_the_registration_can_no_longer_be_cancelled(http, base_url, db, settings):
    """The interview is part of what happened at the event (as for the employer's Remove):
    cancelling after it would let the same person register again and queue for a second
    interview, and show them as cancelled beside the interview they had."""
    event, row, link, pin = await registered(http, base_url, db, settings)
    await enter_pin(http, link, pin)
    status, csrf, page = await csrf_of(http, f"{link}/cancel")  # opened before the interview
    assert status == 200 and "Ja, avboka min anmälan" in page
    [interviewer] = await factories.set_interviewers(db, event, [(unique_email("intervjuare"), "Iris")])
    await db.execute(
        "INSERT INTO queue_entry (event_id, candidate_id, state) VALUES ($1, $2, 'done')",
        event["id"],
        row["id"],
    )
    await factories.ended_interview(db, event["id"], row["id"], interviewer["id"])
    async with http.get(link) as response:
        page = await response.text()
    assert "/cancel" not in page and "Avboka min anmälan" not in page and "/data" in page
    for method in (http.get, partial(http.post, data={"csrf_token": csrf})):
        async with method(f"{link}/cancel") as response:
            page = await response.text()
        assert str(response.url).endswith("?done=interviewed")
        assert "Du har intervjuats, så din anmälan kan inte längre avbokas." in page
    assert await db.fetchval("SELECT cancelled_at FROM candidate WHERE id = $1", row["id"]) is None
    # No cancellation queued (the confirmation of the registration is its only mail).
    assert await db.fetchval("SELECT count(*) FROM mail_outbox WHERE candidate_id = $1", row["id"]) == 1


async def test_changing_the_language_changes_page_and_mails(http, base_url, db, settings):
    _, row, link, pin = await registered(http, base_url, db, settings)
    await enter_pin(http, link, pin)
    _, csrf, _ = await csrf_of(http, link)
    async with http.post(f"{link}/language", data={"csrf_token": csrf, "language": "en"}) as response:
        page = await response.text()
    assert "Your language has been saved" in page and "You are registered" in page
    assert await db.fetchval("SELECT language FROM candidate WHERE id = $1", row["id"]) == "en"
    async with http.post(
        f"{link}/language", data={"csrf_token": csrf, "language": "de"}, allow_redirects=False
    ) as response:
        assert response.status == 303
    assert await db.fetchval("SELECT language FROM candidate WHERE id = $1", row["id"]) == "en"


async def page_in(http, link: str, language: str) -> str:
    http.cookie_jar.update_cookies({"lang": language})  # the switch at the top of the page
    async with http.get(link) as response:
        assert response.status == 200
        return await response.text()


async def test_after_the_event_only_the_interviewed_are_thanked(http, base_url, db, settings):
    """One who waited and was never called in, or who never checked in, was thanked for
    taking part as if interviewed."""
    event = await make_event(db)
    people = {}
    for who in ("interviewed", "waited", "absent"):
        email = unique_email(who)
        status, page = await register(http, base_url, event["invite_token"], email=email)
        assert status == 200, page
        [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
        link, pin = link_and_pin(mail)
        await enter_pin(http, link, pin)
        people[who] = (link, await db.fetchval("SELECT id FROM candidate WHERE email = $1", email))
    [interviewer] = await factories.set_interviewers(db, event, [(unique_email("intervjuare"), "Iris")])
    for who, state in (("interviewed", "done"), ("waited", "waiting")):
        await db.execute(
            "INSERT INTO queue_entry (event_id, candidate_id, state) VALUES ($1, $2, $3)",
            event["id"],
            people[who][1],
            state,
        )
    # An interview, its question answered.
    interview = await factories.ended_interview(db, event["id"], people["interviewed"][1], interviewer["id"])
    await db.execute("INSERT INTO interview_feedback (interview_id, interested) VALUES ($1, true)", interview)
    # The one who waited was once offered an interview and did not join: still not interviewed.
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                               offered_at, offer_expires_at, ended_at, end_reason)
        VALUES ($1, $2, $3, 'missed', 'next', now() - interval '30 minutes',
                now() - interval '29 minutes', now() - interval '29 minutes', 'offer_expired')""",
        event["id"],
        people["waited"][1],
        interviewer["id"],
    )
    await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", event["id"])
    organization = await db.fetchval(
        "SELECT o.name FROM organization o JOIN event e ON e.organization_id = o.id WHERE e.id = $1",
        event["id"],
    )
    expected = {
        "sv": {
            "interviewed": "Det här intervjutillfället är över. Tack för att du var med!",
            "waited": "Det här intervjutillfället är över, och du fick ingen intervju den här gången. "
            f"Vi beklagar. Din anmälan finns kvar hos {organization}.",
            "absent": "Det här intervjutillfället är över. Du checkade inte in.",
        },
        "en": {
            "interviewed": "This event is over. Thank you for taking part!",
            "waited": "This event is over, and you did not get an interview this time. We are sorry. "
            f"Your registration stays with {organization}.",
            "absent": "This event is over. You did not check in.",
        },
    }
    for language, texts in expected.items():
        for who, (link, _) in people.items():
            page = await page_in(http, link, language)
            notice = page.split('<p class="notice" role="status">', 1)[1].split("</p>", 1)[0]
            assert html.unescape(notice).strip() == texts[who], (language, who)
            assert "Tack för att du var med" not in page or who == "interviewed"


async def test_the_language_setting_is_the_mails_and_the_calendar_file_follows_the_page(
    http, base_url, db, settings
):
    """Switched to English, the page said "Language for your mails and this page" with
    Svenska chosen, and Add to calendar gave a Swedish entry."""
    _, row, link, pin = await registered(http, base_url, db, settings)
    await enter_pin(http, link, pin)
    for language, label, words in (
        ("en", "Language for your mails", "Your personal link"),
        ("sv", "Språk för dina mejl", "Din personliga länk"),
    ):
        page = await page_in(http, link, language)
        assert f">{label}</legend>" in page
        assert 'value="sv" checked' in page and 'value="en" checked' not in page  # still the mails'
        async with http.get(f"{link}/calendar.ics") as response:
            calendar = icalendar.Calendar.from_ical(await response.read())
        entry = next(iter(calendar.walk("VEVENT")))
        assert str(entry["DESCRIPTION"]).startswith(f"{words}: {link}"), language
    assert await db.fetchval("SELECT language FROM candidate WHERE id = $1", row["id"]) == "sv"


async def test_once_check_in_is_open_the_page_offers_no_day_plan_or_calendar(http, base_url, db, settings):
    """The heading "On the day" stayed, empty, above Add to calendar once check-in opened."""
    _, _, link, pin = await registered(
        http, base_url, db, settings, starts_in=dt.timedelta(minutes=settings.live.checkin_opens_minutes - 5)
    )
    await enter_pin(http, link, pin)
    for language, heading in (("sv", "På dagen"), ("en", "On the day")):
        page = await page_in(http, link, language)
        assert "day-heading" not in page and heading not in page and "calendar.ics" not in page
        assert "/cancel" in page  # not checked in yet: one who cannot stay can still cancel
    later, _, later_link, later_pin = await registered(http, base_url, db, settings)
    await enter_pin(http, later_link, later_pin)
    # When to come: when check-in opens (it said "shortly before" the start, a whole date).
    opens = later["starts_at"] - dt.timedelta(minutes=settings.live.checkin_opens_minutes)
    for language, heading, when in (
        ("sv", "På dagen", "Incheckningen öppnar {}: öppna den här sidan då."),
        ("en", "On the day", "Check-in opens {}: open this page then."),
    ):
        page = await page_in(http, later_link, language)
        assert f">{heading}</h2>" in page and "calendar.ics" in page
        assert when.format(format_event_time(opens, language)) in page, language


async def test_a_cancelled_event_says_so_without_the_pin(http, base_url, db, settings):
    event, _, link, _ = await registered(http, base_url, db, settings)
    await db.execute("UPDATE event SET state = 'cancelled', deleted_at = now() WHERE id = $1", event["id"])
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as anyone:
        async with anyone.get(link) as response:
            page = await response.text()
    assert response.status == 200 and "har ställts in" in page and 'name="pin"' not in page


async def test_unknown_links_are_404(http, base_url):
    for path in (
        "/c/no-such-link",
        "/c/" + "x" * 101,
        "/c/no-such-link/calendar.ics",
        "/c/no-such-link/cancel",
        "/c/ab%00cd",
        "/c/%ff/cancel",
    ):
        async with http.get(base_url + path, headers={"Accept": "text/html"}) as response:
            assert response.status == 404, path


async def test_odd_input_never_gives_a_server_error(http, base_url, db, settings):
    event, row, link, pin = await registered(http, base_url, db, settings)
    _, csrf, _ = await csrf_of(http, f"{base_url}/login")
    odd_values = [
        "",
        "\x00",
        "x" * 5000,
        "١٢٣٤٥٦",
        "<script>",
        "12345\n6",
        "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
        "😀" * 50,
    ]
    targets = [
        (f"/r/{event['invite_token']}", ("name", "email", "phone", "language", "consent")),
        (f"/r/{event['invite_token']}/resend", ("email",)),
        (f"/c/{row['access_token']}", ("pin",)),
    ]
    for path, fields in targets:
        for value in odd_values:
            form = [("csrf_token", csrf)] + [(field, value) for field in fields]
            form += [(field, "again") for field in fields]  # repeated fields too
            async with http.post(base_url + path, data=form, headers={"Accept": "text/html"}) as response:
                assert response.status < 500, (path, value, response.status)
    await enter_pin(http, link, pin)
    for path, data in (
        (f"/c/{row['access_token']}/language", {"language": "\x00"}),
        (f"/c/{row['access_token']}/language", {}),
        (f"/c/{row['access_token']}/cancel", {"x": "\x00"}),
    ):
        async with http.post(
            base_url + path, data={"csrf_token": csrf, **data}, allow_redirects=False
        ) as response:
            assert response.status < 500, path
    async with http.post(
        f"{base_url}/c/{row['access_token']}", json={"pin": pin}, headers={"X-CSRF-Token": csrf}
    ) as response:
        assert response.status < 500


async def test_an_older_link_after_registering_again_points_to_the_newest_and_sends_it(
    http, base_url, db, settings
):
    event, row, link, pin = await registered(http, base_url, db, settings, capacity=2)
    await cancel_on_this_device(http, link, pin)
    status, _ = await register(http, base_url, event["invite_token"], email=row["email"])
    assert status == 200
    # Without the PIN on this device the page names nobody and says nothing of the address.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as stranger, stranger.get(link) as response:
        page = await response.text()
    assert "Du har anmält dig igen" not in page and row["email"] not in page and "Anmäl dig igen" in page
    # With it, the page says so and its form sends the newest link.
    status, csrf, page = await csrf_of(http, link)
    assert "Du har anmält dig igen sedan dess" in page and "Anmäl dig igen" not in page
    action = re.search(r'<form method="post" action="([^"]+)">', page).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    assert action == f"/r/{event['invite_token']}/resend" and set(fields) == {"csrf_token", "email"}
    async with http.post(
        f"{base_url}{action}", data={k: html.unescape(v) for k, v in fields.items()}
    ) as response:
        assert response.status == 200
    # The new registration's mail, and its copy sent again: each with the new link.
    token = await db.fetchval(
        "SELECT access_token FROM candidate WHERE email = $1 AND cancelled_at IS NULL", row["email"]
    )
    deadline = asyncio.get_running_loop().time() + 20
    while len([m for m in caught(settings.mail.catcher_dir, row["email"]) if token in text_of(m)]) < 2:
        assert asyncio.get_running_loop().time() < deadline, "the link was not sent again"
        await asyncio.sleep(0.1)


async def test_a_removed_candidate_is_not_asked_to_register_again(http, base_url, db, settings):
    event, row, link, _ = await registered(http, base_url, db, settings)
    await db.execute(
        "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'employer' WHERE id = $1", row["id"]
    )
    async with http.get(link) as response:
        page = await response.text()
    assert "har avbokat din anmälan" in page and "Frågor om det? Kontakta" in page
    assert "Anmäl dig igen" not in page


async def test_a_cancellation_offers_registering_again_only_while_the_link_takes_registrations(
    http, base_url, db, settings
):
    event, row, link, pin = await registered(http, base_url, db, settings)
    await db.execute("UPDATE event SET invite_open = false WHERE id = $1", event["id"])
    await cancel_on_this_device(http, link, pin)
    [mail] = await wait_for_mail(settings.mail.catcher_dir, row["email"], subject="avbokad")
    assert event["invite_token"] not in text_of(mail)


async def test_a_personal_link_with_a_slash_after_it_opens_the_page(http, base_url, db, settings):
    _, _, link, _ = await registered(http, base_url, db, settings)
    async with http.get(f"{link}/?lang=en", allow_redirects=False) as response:
        assert response.status == 301
        assert response.headers["Location"] == link.removeprefix(base_url) + "?lang=en"
    async with http.get(f"{link}/") as response:
        assert response.status == 200 and 'name="pin"' in await response.text()


async def test_a_lost_pin_is_sent_again_to_the_registered_address_only(http, base_url, db, settings):
    """The PIN page offers "Send my PIN again": the confirmation goes to the address the
    registration has (the page never shows it), at most three times an hour."""
    _event, row, link, pin = await registered(http, base_url, db, settings)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other_device:
        _, csrf, page = await csrf_of(other_device, link)
        assert "Skicka min PIN-kod igen" in page and row["email"] not in page
        for n in range(4):
            async with other_device.post(f"{link}/pin-again", data={"csrf_token": csrf}) as response:
                page = await response.text()
            # The fourth ask within the hour is told it was not sent, and why.
            said = (
                "har skickats igen, till adressen"
                if n < 3
                else "har inte skickats igen: det har skickats tre gånger"
            )
            assert response.status == 200 and said in page
            assert row["email"] not in page
        async with other_device.post(f"{link}/pin-again", data={}) as response:
            assert response.status == 403  # no CSRF token: nothing sent
    mails = await wait_for_mail(settings.mail.catcher_dir, row["email"], count=4)
    await asyncio.sleep(1)
    mails = caught(settings.mail.catcher_dir, row["email"])
    assert len(mails) == 4  # the first, then three again: the fourth ask within the hour sends nothing
    assert all(link_and_pin(mail) == (link, pin) for mail in mails)


async def test_a_pin_typed_with_a_dash_or_full_width_digits_is_the_pin(http, base_url, db, settings):
    """As a mail's "123 456" is copied or typed: with a dash between the halves, or from a
    full-width keyboard (app/link_codes.py typed_code). Letters are still no PIN."""
    _, _, link, pin = await registered(http, base_url, db, settings)
    status, page, _ = await enter_pin(http, link, pin[:3] + "x" + pin[3:])
    assert status == 422 and "Skriv de 6 siffrorna" in page
    full_width = "".join(chr(ord(digit) - ord("0") + ord("０")) for digit in pin)
    status, _, _ = await enter_pin_without_form(http, link, f" {full_width[:3]}-{full_width[3:]} ")
    assert status == 303


async def test_register_again_fills_in_the_details_only_for_the_pin_holder(http, base_url, db, settings):
    """After cancelling, "Register again" opened the invitation's empty form. The invite link
    is shared and shows nobody's details; the candidate's own page, behind the PIN entered on
    this device, opens the form filled in with theirs (nothing of it in the address), and
    sending it registers them again."""
    event, row, link = await cancelled_in_english(http, base_url, db, settings)
    again = f"/c/{row['access_token']}/register-again"
    # Without the PIN on this device: the empty invitation, and no way to the details.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as stranger:
        async with stranger.get(link) as response:
            page = await response.text()
        assert (
            again not in page
            and f'href="{settings.app.public_url}/r/{event["invite_token"]}?lang=en"' in page
        )
        async with stranger.get(base_url + again, allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == f"/c/{row['access_token']}"
    # With it: the form, its fields filled in, the consent left to give again.
    async with http.get(link) as response:
        assert f'href="{again}"' in await response.text()
    status, csrf, page = await csrf_of(http, base_url + again)
    assert status == 200
    form = page[page.index(f'<form method="post" action="/r/{event["invite_token"]}"') :]
    assert f'value="{row["email"]}"' in form and 'value="Kim Kandidat"' in form
    assert 'value="070-765 43 21"' in form
    assert re.search(r'id="language-en"[^>]* checked', form)
    assert not re.search(r'id="consent"[^>]*checked', form)
    assert "Your name" in page  # the candidate's own language
    async with http.get(base_url + again) as response:
        assert response.headers["Cache-Control"] == "private, no-store"
    # An address whose domain is stored in its ASCII form comes back as it was typed.
    await db.execute("UPDATE candidate SET email = 'kim@xn--exmple-cua.se' WHERE id = $1", row["id"])
    async with http.get(base_url + again) as response:
        assert 'value="kim@exämple.se"' in await response.text()
    await db.execute("UPDATE candidate SET email = $2 WHERE id = $1", row["id"], row["email"])
    status, _ = await register(
        http, base_url, event["invite_token"], email=row["email"], phone="070-765 43 21"
    )
    assert status == 200
    assert (
        await db.fetchval(
            "SELECT count(*) FROM candidate WHERE event_id = $1 AND email = $2 AND cancelled_at IS NULL",
            event["id"],
            row["email"],
        )
        == 1
    )
    # Registered again: the old link's page points to the newest mail, not to the form.
    async with http.get(base_url + again, allow_redirects=False) as response:
        assert response.status == 303


def register_again_link(page: str) -> str:
    return html.unescape(re.search(r'<a href="([^"]+)">(?:Register again|Anmäl dig igen)</a>', page)[1])


async def test_register_again_without_the_pin_opens_the_invitation_in_the_pages_language(
    http, base_url, db, settings
):
    """The shared invite link opened in the event's language (or the browser's), whatever
    the page it was followed from was read in: the candidate page in English gave the
    invitation in Swedish. The link, and the cancellation mail's, now name the language,
    and the invitation's answers keep it; the switch's choice still wins."""
    event, row, link = await cancelled_in_english(http, base_url, db, settings)
    [mail] = await wait_for_mail(settings.mail.catcher_dir, row["email"], subject="cancelled")
    invitation = f"{settings.app.public_url}/r/{event['invite_token']}"
    assert f"{invitation}?lang=en" in text_of(mail)
    swedish_browser = {"Accept-Language": "sv"}
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), headers=swedish_browser) as stranger:
        async with stranger.get(link) as response:
            page = await response.text()
        assert '<html lang="en"' in page
        followed = register_again_link(page)
        assert followed == f"{invitation}?lang=en"
        status, csrf, invite = await csrf_of(stranger, followed.replace(settings.app.public_url, base_url))
        assert status == 200 and '<html lang="en"' in invite and "Your name" in invite
        assert re.search(r'id="language-en"[^>]* checked', invite)
        # A form sent without the consent: the error in the same language.
        action = re.search(r'<form method="post" action="(/r/[^"/]+)"', invite)[1]
        assert action == f"/r/{event['invite_token']}?lang=en"
        form = {"csrf_token": csrf, "name": "Kim", "email": unique_email(), "language": "en"}
        async with stranger.post(base_url + action, data=form) as response:
            assert response.status == 422
            assert '<html lang="en"' in await response.text()
    # Switched to Swedish on this browser: the page and the link it offers are Swedish.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True), cookies={"lang": "sv"}) as switched:
        async with switched.get(link) as response:
            followed = register_again_link(await response.text())
        assert followed == f"{invitation}?lang=sv"
        # And the switch's cookie wins over a link naming another language.
        async with switched.get(f"{base_url}/r/{event['invite_token']}?lang=en") as response:
            assert '<html lang="sv"' in await response.text()
    # A language that is none of ours is not one.
    async with ClientSession(headers=swedish_browser) as anyone:
        async with anyone.get(f"{base_url}/r/{event['invite_token']}?lang=xx") as response:
            page = await response.text()
        assert response.status == 200 and '<html lang="sv"' in page
        assert f'action="/r/{event["invite_token"]}"' in page


async def test_a_device_made_to_wait_may_still_have_the_pin_sent_again_and_still_waits(
    http, base_url, db, settings
):
    """Locked out of trying PINs, someone who lost theirs is not left only with the support
    address: the locked page offers "Send my PIN again", under the same limit of three an
    hour, and the lock on trying PINs stays as it was."""
    _event, row, link, pin = await registered(http, base_url, db, settings)
    # The link's tries for this hour used up (as ten wrong PINs from anywhere would).
    await db.execute(
        """INSERT INTO guess_secret (scope, subject, in_a_row, recent)
           VALUES ('pin', $1, 10, array_fill(now(), ARRAY[10]))""",
        str(row["id"]),
    )
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other_device:
        _, csrf, page = await csrf_of(other_device, link)
        assert 'id="pin-locked"' in page and 'name="pin"' not in page
        assert f'action="/c/{row["access_token"]}/pin-again"' in page and "Skicka min PIN-kod igen" in page
        for n in range(4):
            async with other_device.post(f"{link}/pin-again", data={"csrf_token": csrf}) as response:
                page = await response.text()
            said = "har skickats igen, till adressen" if n < 3 else "har inte skickats igen"
            assert response.status == 200 and said in page
            # Still locked: the page says so again, and the right PIN is refused meanwhile.
            assert 'id="pin-locked"' in page and row["email"] not in page
        async with other_device.post(
            link, data={"csrf_token": csrf, "pin": pin}, allow_redirects=False
        ) as response:
            assert response.status == 429
    await wait_for_mail(settings.mail.catcher_dir, row["email"], count=4)
    await asyncio.sleep(1)
    assert len(caught(settings.mail.catcher_dir, row["email"])) == 4  # the first, and three again


async def test_after_the_event_a_lost_pin_comes_as_the_link_and_pin_alone(http, base_url, db, settings):
    """Once the event has been held the page still has the interest question and one's data
    behind the PIN: the PIN page, locked or not, offers "Send my PIN again", under the same
    limit, and what comes is the link and PIN alone, with no calendar entry for the day that
    has been. A cancelled event's page offers nothing to send."""
    event, row, link, pin = await registered(http, base_url, db, settings)
    await db.execute(
        "UPDATE event SET starts_at = now() - interval '2 hours', state = 'finished' WHERE id = $1",
        event["id"],
    )
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other_device:
        _, csrf, page = await csrf_of(other_device, link)
        assert 'name="pin"' in page and "Vi kan skicka din personliga länk och PIN-kod igen" in page
        # This device made to wait: the locked page offers it too.
        await db.execute(
            """INSERT INTO guess_secret (scope, subject, in_a_row, recent)
               VALUES ('pin', $1, 10, array_fill(now(), ARRAY[10]))""",
            str(row["id"]),
        )
        _, csrf, page = await csrf_of(other_device, link)
        assert 'id="pin-locked"' in page and "Skicka min PIN-kod igen" in page
        await db.execute(
            "UPDATE candidate SET resend_window_started_at = now(), resends_in_window = 2 WHERE id = $1",
            row["id"],
        )
        for said in ("har skickats igen, till adressen", "har inte skickats igen"):
            async with other_device.post(f"{link}/pin-again", data={"csrf_token": csrf}) as response:
                page = await response.text()
            assert response.status == 200 and said in page and 'id="pin-locked"' in page
    [again] = await wait_for_mail(
        settings.mail.catcher_dir, row["email"], subject="Din personliga länk och PIN-kod:"
    )
    assert link_and_pin(again) == (link, pin) and "som nu har hållits" in text_of(again)
    assert not any(part.get_content_type() == "text/calendar" for part in again.walk())
    await asyncio.sleep(1)
    assert len(caught(settings.mail.catcher_dir, row["email"])) == 2  # the third this hour: none
    # After the event three a day, not an hour: a link passed on cannot keep a mailbox busy.
    await db.execute(
        "UPDATE candidate SET resend_window_started_at = now() - interval '2 hours' WHERE id = $1", row["id"]
    )
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as later:
        _, csrf, _ = await csrf_of(later, link)
        async with later.post(f"{link}/pin-again", data={"csrf_token": csrf}) as response:
            assert "har inte skickats igen" in await response.text()

    await db.execute("UPDATE event SET state = 'cancelled' WHERE id = $1", event["id"])
    await db.execute("UPDATE candidate SET resends_in_window = 0 WHERE id = $1", row["id"])
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as third_device:
        _, csrf, page = await csrf_of(third_device, link)
        assert "Skicka min PIN-kod igen" not in page
        # (Its page has no form: a token from another page of the site.)
        _, csrf, _ = await csrf_of(third_device, link.rsplit("/c/", 1)[0] + "/login")
        async with third_device.post(f"{link}/pin-again", data={"csrf_token": csrf}) as response:
            assert response.status == 200
    await asyncio.sleep(1)
    assert len(caught(settings.mail.catcher_dir, row["email"])) == 2  # nothing for a cancelled one


async def test_the_version_a_page_before_check_in_asks_for_follows_the_event(http, base_url, db, settings):
    """What candidate-page-watch.js compares with the page it has: the PIN's holder only,
    a new value once the event moves, and gone with the registration."""
    event, row, link, pin = await registered(http, base_url, db, settings)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as stranger:
        async with stranger.get(f"{link}/version") as response:
            assert response.status == 403 and await response.json() == {"error": "pin_needed"}
    await enter_pin(http, link, pin)
    async with http.get(link) as response:
        drawn = re.search(r'data-version="([0-9a-f]{16})"', await response.text())[1]

    async def version() -> str:
        async with http.get(f"{link}/version") as response:
            assert response.status == 200 and response.headers["Cache-Control"] == "private, no-store"
            return (await response.json())["version"]

    assert await version() == drawn
    await db.execute("UPDATE event SET starts_at = starts_at + interval '1 hour' WHERE id = $1", event["id"])
    moved = await version()
    assert moved != drawn
    await db.execute("UPDATE candidate SET erased_at = now() WHERE id = $1", row["id"])
    async with http.get(f"{link}/version") as response:
        assert response.status == 404
