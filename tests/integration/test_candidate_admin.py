"""The employer's candidate list: link and PIN, resend, remove, the invite link switch,
and nobody else's access."""

from __future__ import annotations

from urllib.parse import quote

import datetime as dt
import re

from aiohttp import ClientSession, CookieJar

from app.addresses import readable_breaking_at_at_first
from app.events.rules import SWEDISH_TIME
from app.events.tokens import calendar_uid
from tests.accounts import log_in, make_user
from tests.candidate_support import link_and_pin, make_event, register
from tests.forms import csrf_of, edit_form_of
from tests.mails import calendar_event, text_of, unique_email, wait_for_mail


async def with_candidate(employer, base_url, db, settings, **options):
    http, user = employer
    event = await make_event(db, organization_id=user["organization_id"], **options)
    email = unique_email("sokande")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as candidate_browser:
        status, _ = await register(
            candidate_browser,
            base_url,
            event["invite_token"],
            name="Sara Sökande",
            email=email,
            phone="+46 70 123 45 67",
        )
    assert status == 200
    [mail] = await wait_for_mail(settings.mail.catcher_dir, email)
    row = await db.fetchrow("SELECT * FROM candidate WHERE email = $1", email)
    return event, row, mail


async def post_from_event_page(http, base_url, event_id: int, path: str, **data):
    _, csrf, _ = await csrf_of(http, f"{base_url}/events/{event_id}")
    async with http.post(
        f"{base_url}{path}", data={"csrf_token": csrf, **data}, headers={"Accept": "text/html"}
    ) as response:
        return response.status, await response.text()


async def test_the_event_page_lists_candidates_with_link_and_pin(employer, base_url, db, settings):
    http, _ = employer
    event, row, mail = await with_candidate(employer, base_url, db, settings)
    async with http.get(f"{base_url}/events/{event['id']}") as response:
        page = await response.text()
    assert response.status == 200
    link = f"{settings.app.public_url}/c/{row['access_token']}"
    for text in (
        "Sara Sökande",
        # In the table it may break at its "@" first, then at dots.
        str(readable_breaking_at_at_first(row["email"])),
        "+46 70 123 45 67",
        ">Anmäld den<",
        link,
        row["pin"],
        "Skicka bekräftelsen igen",
        "Stäng inbjudningslänken",
    ):
        assert text in page, text
    # Its hyphenated word kept on one line by a span around it.
    assert "Kopiera PIN-koden" in re.sub(r"<[^>]*>", "", page)
    assert link_and_pin(mail) == (link, row["pin"])


async def test_resend_mails_the_confirmation_again(employer, base_url, db, settings):
    http, _ = employer
    event, row, first = await with_candidate(employer, base_url, db, settings)
    status, page = await post_from_event_page(
        http, base_url, event["id"], f"/events/{event['id']}/candidates/{row['id']}/resend"
    )
    assert status == 200 and "har skickats igen" in page
    mails = await wait_for_mail(settings.mail.catcher_dir, row["email"], count=2)
    again = next(mail for mail in mails if "igen" in text_of(mail))
    assert link_and_pin(again) == link_and_pin(first)
    assert calendar_event(again)["UID"] == calendar_event(first)["UID"]


async def test_remove_asks_first_mails_the_candidate_and_frees_the_seat(employer, base_url, db, settings):
    http, _ = employer
    event, row, first = await with_candidate(employer, base_url, db, settings, capacity=1)
    confirm_url = f"{base_url}/events/{event['id']}/candidates/{row['id']}/remove"
    status, csrf, page = await csrf_of(http, confirm_url)
    assert status == 200 and "Ja, ta bort kandidaten" in page and "Sara Sökande" in page
    async with http.post(confirm_url, data={"csrf_token": csrf}) as response:
        page = await response.text()
    assert "Kandidaten har tagits bort" in page and "Borttagen av er organisation" in page
    assert await db.fetchval("SELECT cancelled_by FROM candidate WHERE id = $1", row["id"]) == "employer"
    [mail] = await wait_for_mail(settings.mail.catcher_dir, row["email"], subject="avbokad")
    assert "har avbokat din anmälan" in text_of(mail)
    entry = calendar_event(mail)
    assert str(entry["STATUS"]) == "CANCELLED"
    assert str(entry["UID"]) == calendar_uid(event["id"], event["calendar_key"], "candidate", row["id"])
    assert event["calendar_key"] in str(entry["UID"])  # unique beyond this database
    link, _ = link_and_pin(first)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as candidate_browser:
        async with candidate_browser.get(link) as response:
            assert "har avbokat din anmälan" in await response.text()
        status, _ = await register(
            candidate_browser, base_url, event["invite_token"], email=unique_email("ny")
        )
    assert status == 200  # the seat was free again
    async with http.post(confirm_url, data={"csrf_token": csrf}, allow_redirects=False) as response:
        assert response.status == 303 and "not_registered" in response.headers["Location"]


async def test_the_invite_link_can_be_closed_and_opened(employer, base_url, db, settings, http):
    employer_http, user = employer
    event = await make_event(db, organization_id=user["organization_id"])
    path = f"/events/{event['id']}/invite-link"
    status, page = await post_from_event_page(employer_http, base_url, event["id"], path, open="no")
    assert status == 200 and "Inbjudningslänken är stängd" in page
    # What was done, said once; what it means, by the state's own lines (not twice over).
    assert "Inbjudningslänken har stängts." in page
    assert page.count("Ingen kan anmäla sig förrän") + page.count("ingen kan anmäla sig förrän") == 1
    async with http.get(f"{base_url}/r/{event['invite_token']}") as response:
        assert "Anmälan till det här intervjutillfället är stängd" in await response.text()
    status, page = await post_from_event_page(employer_http, base_url, event["id"], path, open="yes")
    assert status == 200 and "Inbjudningslänken är öppen igen" in page
    async with http.get(f"{base_url}/r/{event['invite_token']}") as response:
        assert 'name="consent"' in await response.text()


async def test_a_cancelled_registration_shows_as_such(employer, base_url, db, settings):
    http, _ = employer
    event, row, _ = await with_candidate(employer, base_url, db, settings)
    await db.execute(
        "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'candidate' WHERE id = $1", row["id"]
    )
    async with http.get(f"{base_url}/events/{event['id']}") as response:
        page = await response.text()
    assert "Avbokad av kandidaten" in page and row["pin"] not in page
    assert f"/candidates/{row['id']}/resend" not in page


async def test_another_organization_gets_404_everywhere(employer, base_url, db, settings):
    _, user = employer
    event, row, _ = await with_candidate(employer, base_url, db, settings)
    other_event = await make_event(db, organization_id=user["organization_id"])
    outsider = await make_user(db)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        await log_in(other, base_url, outsider["email"])
        _, csrf, _ = await csrf_of(other, f"{base_url}/events")
        base = f"{base_url}/events/{event['id']}"
        async with other.get(
            f"{base}/candidates/{row['id']}/remove", headers={"Accept": "text/html"}
        ) as response:
            assert response.status == 404
        for path in (f"/candidates/{row['id']}/resend", f"/candidates/{row['id']}/remove", "/invite-link"):
            async with other.post(
                base + path, data={"csrf_token": csrf, "open": "no"}, headers={"Accept": "text/html"}
            ) as response:
                assert response.status == 404, path
    # The right organization, but the candidate of another event: 404 too.
    http, _ = employer
    _, csrf, _ = await csrf_of(http, f"{base_url}/events")
    for path in (
        f"/candidates/{row['id']}/resend",
        "/candidates/abc/resend",
        "/candidates/99999999999999999999/resend",
    ):
        async with http.post(
            f"{base_url}/events/{other_event['id']}{path}",
            data={"csrf_token": csrf},
            headers={"Accept": "text/html"},
        ) as response:
            assert response.status == 404, path
    after = await db.fetchrow("SELECT cancelled_at FROM candidate WHERE id = $1", row["id"])
    assert after["cancelled_at"] is None
    assert await db.fetchval("SELECT invite_open FROM event WHERE id = $1", event["id"])
    assert await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = $1", row["email"]) == 1


async def test_a_candidate_id_spelt_otherwise_is_no_name_of_the_candidate(employer, base_url, db, settings):
    """int() reads "02", "+2", " 2", "0_2", a full-width "２" and an Arabic-Indic "٢" as 2: none of
    them names the candidate (app/views/path_ids.py), on the pages that ask first or on the
    actions."""
    http, _ = employer
    event, row, _ = await with_candidate(employer, base_url, db, settings)
    base = f"{base_url}/events/{event['id']}/candidates"
    plain = str(row["id"])
    full_width = "".join(chr(ord(digit) - ord("0") + ord("０")) for digit in plain)
    arabic_indic = "".join(chr(ord(digit) - ord("0") + ord("٠")) for digit in plain)
    _, csrf, _ = await csrf_of(http, f"{base_url}/events")
    for spelt in (
        f"0{plain}",
        f"+{plain}",
        f"%20{plain}",
        f"0_{plain}",
        quote(full_width),
        quote(arabic_indic),
    ):
        for action in ("remove", "erase"):
            async with http.get(f"{base}/{spelt}/{action}", headers={"Accept": "text/html"}) as response:
                assert response.status == 404, (spelt, action)
        async with http.post(
            f"{base}/{spelt}/remove", data={"csrf_token": csrf}, headers={"Accept": "text/html"}
        ) as response:
            assert response.status == 404, spelt
    async with http.get(f"{base}/{plain}/remove", headers={"Accept": "text/html"}) as response:
        assert response.status == 200
    assert await db.fetchval("SELECT cancelled_at FROM candidate WHERE id = $1", row["id"]) is None


async def test_without_a_login_the_actions_lead_to_the_login(http, base_url, db):
    event = await make_event(db)
    _, csrf, _ = await csrf_of(http, f"{base_url}/login")
    async with http.post(
        f"{base_url}/events/{event['id']}/invite-link",
        data={"csrf_token": csrf, "open": "no"},
        allow_redirects=False,
    ) as response:
        assert response.status == 303 and response.headers["Location"].startswith("/login")
    assert await db.fetchval("SELECT invite_open FROM event WHERE id = $1", event["id"])


def event_form() -> dict[str, str]:
    date = (dt.datetime.now(SWEDISH_TIME) + dt.timedelta(days=9)).date()
    return {
        "title": "Kassapersonal",
        "job_description": "Kassa.",
        "date": date.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "60",
        "interview_minutes": "10",
        "capacity": "5",
        "language": "sv",
        "interviewer_email": unique_email("intervjuare"),
    }


async def publish(http, base_url, form: dict[str, str]) -> tuple[int, str]:
    """The event published through the new-event form: its id and its invite link."""
    _, csrf, _ = await csrf_of(http, f"{base_url}/events/new")
    async with http.post(
        f"{base_url}/events/new",
        data={**form, "csrf_token": csrf, "action": "publish"},
        allow_redirects=False,
    ) as response:
        event_id = int(re.search(r"/events/(\d+)", response.headers["Location"])[1])
    async with http.get(f"{base_url}/events/{event_id}") as response:
        invite = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', await response.text())[1]
    return event_id, invite


async def move_to(http, base_url, event_id: int, form: dict[str, str], start_time: str) -> None:
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    async with http.post(
        f"{base_url}/events/{event_id}/edit",
        data={**form, "start_time": start_time, "csrf_token": csrf, "edit_version": version},
        allow_redirects=False,
    ) as response:
        assert response.status == 303


async def test_with_the_employers_own_event_from_publish_to_delete(employer, base_url, db, settings):
    """The whole way through the events pages: one calendar entry for the candidate, replaced
    by the new time and removed by the cancellation."""
    http, _ = employer
    form = event_form()
    event_id, invite = await publish(http, base_url, form)
    email = unique_email("hela-vagen")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as candidate_browser:
        status, _ = await register(candidate_browser, base_url, invite.rsplit("/", 1)[1], email=email)
        assert status == 200
        [confirmation] = await wait_for_mail(settings.mail.catcher_dir, email)
        await move_to(http, base_url, event_id, form, "13:30")
        [moved] = await wait_for_mail(settings.mail.catcher_dir, email, subject="Ny tid")
        _, csrf, _ = await csrf_of(http, f"{base_url}/events/{event_id}/delete")
        async with http.post(
            f"{base_url}/events/{event_id}/delete", data={"csrf_token": csrf}, allow_redirects=False
        ) as response:
            assert response.status == 303
        [cancelled] = await wait_for_mail(settings.mail.catcher_dir, email, subject="Inställt")
        entries = [calendar_event(mail) for mail in (confirmation, moved, cancelled)]
        assert len({str(entry["UID"]) for entry in entries}) == 1
        assert [int(entry["SEQUENCE"]) for entry in entries] == [0, 1, 2]
        assert str(entries[2]["STATUS"]) == "CANCELLED"
        async with candidate_browser.get(link_and_pin(confirmation)[0]) as response:
            assert "har ställts in" in await response.text()
        async with candidate_browser.get(invite) as response:
            assert "har ställts in" in await response.text()


async def test_a_new_link_replaces_the_calendar_entry_with_the_old_one(employer, base_url, db, settings):
    """The calendar entry mailed with a new personal link has a higher SEQUENCE than the one
    before it, and the event's later changes higher still: with the same SEQUENCE a calendar
    that held the entry kept it, with the old link that no longer opens."""
    http, _ = employer
    form = event_form()
    event_id, invite = await publish(http, base_url, form)
    email = unique_email("ny-lank")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as candidate_browser:
        status, _ = await register(candidate_browser, base_url, invite.rsplit("/", 1)[1], email=email)
    assert status == 200
    candidate = await db.fetchrow("SELECT id, access_token FROM candidate WHERE email = $1", email)
    interviewer = await db.fetchrow("SELECT id, email FROM event_interviewer WHERE event_id = $1", event_id)
    [confirmation] = await wait_for_mail(settings.mail.catcher_dir, email)
    [invitation] = await wait_for_mail(settings.mail.catcher_dir, interviewer["email"])
    for path in (
        f"/events/{event_id}/candidates/{candidate['id']}/reissue",
        f"/events/{event_id}/interviewers/{interviewer['id']}/reissue",
    ):
        status, _ = await post_from_event_page(http, base_url, event_id, path)
        assert status == 200
    [new_link] = await wait_for_mail(settings.mail.catcher_dir, email, subject="Ny personlig länk")
    new_code = [
        mail
        for mail in await wait_for_mail(settings.mail.catcher_dir, interviewer["email"], count=2)
        if calendar_event(mail)["URL"] != calendar_event(invitation)["URL"]
    ]
    assert len(new_code) == 1
    await move_to(http, base_url, event_id, form, "13:30")
    [moved] = await wait_for_mail(settings.mail.catcher_dir, email, subject="Ny tid")
    [moved_too] = await wait_for_mail(settings.mail.catcher_dir, interviewer["email"], subject="Ny tid")
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", candidate["id"])
    assert token != candidate["access_token"]
    for mails in ((confirmation, new_link, moved), (invitation, new_code[0], moved_too)):
        entries = [calendar_event(mail) for mail in mails]
        assert len({str(entry["UID"]) for entry in entries}) == 1
        assert [int(entry["SEQUENCE"]) for entry in entries] == [0, 1, 2]
        assert str(entries[1]["URL"]) == str(entries[2]["URL"]) != str(entries[0]["URL"])
    assert str(calendar_event(new_link)["URL"]).endswith(f"/c/{token}")


async def test_a_full_event_is_not_described_as_open(employer, base_url, db, settings, http):
    """It said the link was open "while places remain (0 of 1 left)" while candidates were
    told registration is closed."""
    employer_http, _ = employer
    event, _, _ = await with_candidate(employer, base_url, db, settings, capacity=1)
    for language, texts in (
        (
            "sv",
            (
                "Alla platser är tagna (1 av 1): kandidater som öppnar inbjudningslänken får veta att anmälan är stängd.",
                "Vill du ta emot fler, höj antalet kandidater under Ändra.",
                "Stäng inbjudningslänken",
            ),
        ),
        (
            "en",
            (
                "All places are taken (1 of 1): candidates who open the invite link are told that registration is closed.",
                "To take more, raise the number of candidates under Edit.",
                "Close the invite link",
            ),
        ),
    ):
        await employer_http.get(f"{base_url}/lang/{language}")
        async with employer_http.get(f"{base_url}/events/{event['id']}") as response:
            page = await response.text()
        for text in texts:
            assert text in page, text
        assert "places remain" not in page and "platser kvar" not in page
    async with http.get(f"{base_url}/r/{event['invite_token']}") as response:
        assert "Alla platser är tagna, så anmälan är stängd." in await response.text()


async def test_the_swedish_remove_confirmation_says_what_will_happen(employer, base_url, db, settings):
    """It said the candidate "är inte längre anmäld" before anyone had confirmed."""
    http, _ = employer
    event, row, _ = await with_candidate(employer, base_url, db, settings)
    async with http.get(f"{base_url}/events/{event['id']}/candidates/{row['id']}/remove") as response:
        page = await response.text()
    assert f"Sara Sökande ({row['email']}) kommer inte längre att vara anmäld till" in page
    assert "är inte längre anmäld" not in page


async def test_an_interviewed_candidate_is_shown_so_and_not_removed(employer, base_url, db, settings):
    """Removing them would mail a cancellation after their interview and leave the counts
    beside it: the list says "Interviewed" and offers Erase data, not Remove; a remove sent
    anyway (an old page) changes nothing and says why."""
    http, _ = employer
    event, row, _ = await with_candidate(employer, base_url, db, settings)
    interviewer = await db.fetchval(
        """INSERT INTO event_interviewer (event_id, email, name, access_token, access_code)
           VALUES ($1, 'ida@example.se', 'Ida', 'ida-token-for-the-remove-test-0001', '123456')
           RETURNING id""",
        event["id"],
    )
    confirm_url = f"{base_url}/events/{event['id']}/candidates/{row['id']}/remove"
    _, csrf, _ = await csrf_of(http, confirm_url)  # the confirmation, opened before the interview
    await db.execute(
        """INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by, offered_at,
                                  offer_expires_at, started_at, ends_at, ended_at, end_reason)
           VALUES ($1, $2, $3, 'ended', 'next', now() - interval '9 minutes', now() - interval '8 minutes',
                   now() - interval '8 minutes', now() + interval '2 minutes', now(), 'interviewer')""",
        event["id"],
        row["id"],
        interviewer,
    )
    async with http.get(f"{base_url}/events/{event['id']}") as response:
        page = re.sub(r"\s+", " ", await response.text())
    assert re.search(r'data-label="Status">Intervjuad ?<', page) and "Radera uppgifter" in page
    assert f"/candidates/{row['id']}/remove" not in page
    async with http.post(confirm_url, data={"csrf_token": csrf}) as response:
        page = await response.text()
    assert "Kandidaten har intervjuats, så anmälan finns kvar" in page
    assert await db.fetchval("SELECT cancelled_at FROM candidate WHERE id = $1", row["id"]) is None
    mails = await wait_for_mail(settings.mail.catcher_dir, row["email"])
    assert len(mails) == 1  # the confirmation of the registration, no cancellation
    async with http.get(confirm_url) as response:
        assert "Kandidaten har intervjuats" in await response.text()


async def test_once_the_event_is_over_a_registration_is_neither_mailed_nor_removed(
    employer, base_url, db, settings
):
    """After the event a confirmation, a new link or a cancellation would mail a candidate
    about an event that has been held: the page offers none of them and the server refuses
    each; erasing their details stays."""
    http, _ = employer
    event, row, _ = await with_candidate(employer, base_url, db, settings)
    await db.execute("UPDATE event SET starts_at = now() - interval '3 hours' WHERE id = $1", event["id"])
    async with http.get(f"{base_url}/events/{event['id']}") as response:
        page = await response.text()
    for action in ("resend", "reissue", "remove"):
        assert f"/candidates/{row['id']}/{action}" not in page, action
    assert f"/candidates/{row['id']}/erase" in page
    for action in ("resend", "reissue", "remove"):
        status, page = await post_from_event_page(
            http, base_url, event["id"], f"/events/{event['id']}/candidates/{row['id']}/{action}"
        )
        assert status == 200 and "Intervjutillfället är över" in page, action
    async with http.get(f"{base_url}/events/{event['id']}/candidates/{row['id']}/remove") as response:
        assert "Intervjutillfället är över" in await response.text()
    after = await db.fetchrow(
        "SELECT cancelled_at, access_token, pin FROM candidate WHERE id = $1", row["id"]
    )
    assert after["cancelled_at"] is None
    assert (after["access_token"], after["pin"]) == (row["access_token"], row["pin"])
    # A link closed to new devices can still be opened again: after the event the candidate
    # may need their page, to answer whether the job interests them or to erase their data.
    await db.execute(
        "INSERT INTO guess_secret (scope, subject, in_a_row) VALUES ('pin', $1, 1000)", str(row["id"])
    )
    async with http.get(f"{base_url}/events/{event['id']}") as response:
        page = await response.text()
    assert f"/candidates/{row['id']}/unlock" in page and f"/candidates/{row['id']}/reissue" not in page
    # The candidate on a new device is asked to have it opened again, not promised a new PIN
    # that nobody can send now; the support address is a link.
    async with ClientSession() as candidate, candidate.get(f"{base_url}/c/{row['access_token']}") as response:
        locked = re.sub(r"\s+", " ", await response.text())
    assert "stängd för nya enheter" in locked and "att öppna länken igen." in locked
    assert "ny PIN-kod" not in locked and 'href="mailto:' in locked
    status, page = await post_from_event_page(
        http, base_url, event["id"], f"/events/{event['id']}/candidates/{row['id']}/unlock"
    )
    assert status == 200 and "öppen för nya enheter igen" in page
    # Nothing more for the candidate in the outbox than their first confirmation.
    assert await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = $1", row["email"]) == 1
