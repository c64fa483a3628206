"""The employer's events over real HTTP: create, publish, edit, copy, delete, access, mails."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from aiohttp import ClientSession, CookieJar

from app.events.rules import SWEDISH_TIME
from tests import factories
from tests.accounts import log_in, make_user
from tests.candidate_support import register
from tests.forms import csrf_from, csrf_in, edit_form_of
from tests.integration.channel_support import new_client, recording, sign_in_interviewer
from tests.mails import calendar_event, html_of, text_of, unique_email, wait_for_mail

IN_A_WEEK = (dt.datetime.now(SWEDISH_TIME) + dt.timedelta(days=7)).date()
# The interviewer a form has unless it names its own (interviewer_email=[] for none): a
# published event needs one, and the same address kept through an edit mails nobody.
INTERVIEWER = ("intervjuare@example.se", "Ida Intervjuare")


def event_form(csrf: str, **changes) -> list[tuple[str, str]]:
    fields = {
        "csrf_token": csrf,
        "title": "Säljare till Malmö",
        "date": IN_A_WEEK.isoformat(),
        "job_description": "Du säljer.\n\nHeltid.",
        "start_time": "14:00",
        "duration_minutes": "60",
        "interview_minutes": "10",
        "capacity": "18",
        "language": "sv",
        "action": "draft",
    }
    fields.update({k: v for k, v in changes.items() if not isinstance(v, list)})
    if "interviewer_email" not in changes:
        changes = dict(changes, interviewer_email=[INTERVIEWER[0]], interviewer_name=[INTERVIEWER[1]])
    pairs = list(fields.items())
    for name in ("question", "attribute", "interviewer_email", "interviewer_name"):
        pairs += [(name, value) for value in changes.get(name, [])]
    return pairs


PAST_HEADING = '">Tidigare</h2>'


async def create_event(http, base_url, **changes) -> int:
    csrf = await csrf_from(http, f"{base_url}/events/new")
    async with http.post(
        f"{base_url}/events/new", data=event_form(csrf, **changes), allow_redirects=False
    ) as response:
        assert response.status == 303, await response.text()
        return int(re.search(r"/events/(\d+)", response.headers["Location"])[1])


async def event_page(http, base_url: str, event_id: int) -> str:
    async with http.get(f"{base_url}/events/{event_id}") as response:
        return await response.text()


async def post(http, url: str, form_url: str | None = None, **data):
    data["csrf_token"] = await csrf_from(http, form_url or url)
    return await http.post(url, data=data, allow_redirects=False)


async def test_create_a_draft_with_questions_attributes_and_interviewers(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(
        http,
        base_url,
        question=["Berätta om dig själv", "", "Varför sälj?"],
        attribute=["Driv"],
        interviewer_email=["anna@example.se"],
        interviewer_name=["Anna Åberg"],
    )
    row = await db.fetchrow("SELECT * FROM event WHERE id = $1", event_id)
    assert row["state"] == "draft" and row["invite_token"] is None
    assert row["starts_at"] == dt.datetime.combine(IN_A_WEEK, dt.time(14), SWEDISH_TIME)
    async with http.get(f"{base_url}/events/{event_id}") as response:
        page = await response.text()
    for text in (
        "Säljare till Malmö",
        "Berätta om dig själv",
        "Varför sälj?",
        "Driv",
        "Anna Åberg",
        "Utkast",
    ):
        assert text in page
    assert "Bjud in kandidater" not in page  # no invite link before publishing


async def test_bad_input_comes_back_with_messages_and_saves_nothing(employer, base_url, db):
    http, user = employer
    before = await db.fetchval(
        "SELECT count(*) FROM event WHERE organization_id = $1", user["organization_id"]
    )
    csrf = await csrf_from(http, f"{base_url}/events/new")
    form = event_form(
        csrf,
        title="Behåll mig",
        date="2020-01-01",
        duration_minutes="5",
        interview_minutes="10",
        question=[f"Fråga {i}" for i in range(21)],
        interviewer_email=["inte-en-adress"],
    )
    async with http.post(f"{base_url}/events/new", data=form, headers={"Accept-Language": "sv"}) as response:
        page = await response.text()
    assert response.status == 422
    assert 'value="Behåll mig"' in page and 'value="Fråga 20"' in page
    for message in (
        "Datum och tid har redan passerat.",
        "Högst 20 frågor.",
        "är inte en e-postadress",
        "kortare än en intervju",
    ):
        assert message in page, message
    assert 'aria-invalid="true"' in page
    after = await db.fetchval(
        "SELECT count(*) FROM event WHERE organization_id = $1", user["organization_id"]
    )
    assert after == before


async def test_an_interviewers_error_marks_the_input_it_is_about(employer, base_url):
    """A fieldset takes no focus: the error summary links to the input, which is marked."""
    http, _ = employer
    for emails, names, faulty in (
        (["anna@example.se", "inte-en-adress"], ["Anna", "Bo"], "interviewer_email-2"),
        (["anna@example.se", ""], ["Anna", "Bo Ek"], "interviewer_email-2"),
        (["anna@example.se", "bo@example.se"], ["Anna", "B" * 201], "interviewer_name-2"),
        (["anna@example.se", "ANNA@example.se"], ["Anna", "Anna igen"], "interviewer_email-2"),
    ):
        csrf = await csrf_from(http, f"{base_url}/events/new")
        form = event_form(csrf, interviewer_email=emails, interviewer_name=names)
        async with http.post(f"{base_url}/events/new", data=form) as response:
            page = await response.text()
        assert response.status == 422
        assert "<title>Fel: Nytt intervjutillfälle – Snabbintervjuer</title>" in page  # said in the tab too
        assert f'<a href="#{faulty}">' in page, faulty
        marked = re.findall(r'<input id="(interviewer_\w+-\d+)"[^>]*aria-invalid="true"', page)
        assert marked == [faulty]
        assert re.search(rf'id="{faulty}"[^>]*aria-describedby="err-interviewers"', page)
        assert 'id="err-interviewers"' in page


async def test_bad_input_in_english(employer, base_url):
    http, _ = employer
    await http.get(f"{base_url}/lang/en")
    csrf = await csrf_from(http, f"{base_url}/events/new")
    async with http.post(
        f"{base_url}/events/new", data=event_form(csrf, title="", capacity="many")
    ) as response:
        page = await response.text()
    assert response.status == 422
    assert "Enter a title." in page
    assert "Enter how many candidates may register, from 1 to 10,000." in page


async def test_publish_mails_each_interviewer_a_link_and_code(employer, base_url, db, settings):
    http, _ = employer
    anna = unique_email("anna")
    event_id = await create_event(http, base_url, interviewer_email=[anna], interviewer_name=["Anna"])
    response = await post(http, f"{base_url}/events/{event_id}/publish", f"{base_url}/events/{event_id}")
    assert response.status == 303
    row = await db.fetchrow("SELECT invite_token, state, calendar_key FROM event WHERE id = $1", event_id)
    assert row["state"] == "published" and row["invite_token"]
    interviewer = await db.fetchrow("SELECT * FROM event_interviewer WHERE event_id = $1", event_id)
    [mail] = await wait_for_mail(settings.mail.catcher_dir, anna)
    body = text_of(mail)
    link = f"{settings.app.public_url}/i/{interviewer['access_token']}"
    assert link in body and interviewer["access_code"] in body
    assert "Säljare till Malmö" in str(mail["Subject"])
    # What the day asks of them, and that they may look in before it (the meeting web lists
    # who registered).
    assert "Längd: 60 minuter" in body and "Intervjuer: 10 minuter var, på video" in body
    assert "Innan intervjutillfället startar kan du öppna länken" in body
    entry = calendar_event(mail)
    assert (
        str(entry["UID"])
        == f"event-{event_id}-interviewer-{interviewer['id']}-{row['calendar_key']}@snabbintervjuer"
    )
    async with http.get(link) as response:
        assert response.status == 200 and "Säljare till Malmö" in await response.text()
    async with http.get(f"{base_url}/events/{event_id}") as response:
        page = await response.text()
    assert f"{settings.app.public_url}/r/{row['invite_token']}" in page


async def test_moving_a_published_event_mails_the_new_time_with_the_same_calendar_uid(
    employer, base_url, db, settings
):
    http, _ = employer
    anna, bo, cecilia = unique_email("anna"), unique_email("bo"), unique_email("cecilia")
    event_id = await create_event(
        http, base_url, action="publish", interviewer_email=[anna, bo], interviewer_name=["Anna", "Bo"]
    )
    [invitation] = await wait_for_mail(settings.mail.catcher_dir, anna)
    [bos_invitation] = await wait_for_mail(settings.mail.catcher_dir, bo)
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    later = (IN_A_WEEK + dt.timedelta(days=1)).isoformat()
    form = event_form(
        csrf,
        edit_version=version,
        date=later,
        start_time="09:30",
        interviewer_email=[anna, cecilia],
        interviewer_name=["Anna", "Cecilia"],
    )
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as response:
        assert response.status == 303
    [moved] = await wait_for_mail(settings.mail.catcher_dir, anna, subject="Ny tid")
    assert "09:30" in text_of(moved)
    first, second = calendar_event(invitation), calendar_event(moved)
    assert first["UID"] == second["UID"] and int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    # The subject says what the body says (it said "Inställt", as if the event were cancelled).
    [removed] = await wait_for_mail(settings.mail.catcher_dir, bo, subject="inte längre intervjuare")
    assert str(removed["Subject"]) == "Du är inte längre intervjuare: Säljare till Malmö"
    assert "inte längre intervjuare" in text_of(removed)
    assert str(calendar_event(removed)["STATUS"]) == "CANCELLED"
    # Bo is told of the event as he was invited to it, not of a new time he never heard of.
    invited, cancelled = calendar_event(bos_invitation), calendar_event(removed)
    assert cancelled["DTSTART"].dt == invited["DTSTART"].dt
    assert int(cancelled["SEQUENCE"]) > int(invited["SEQUENCE"])
    invited_at = invited["DTSTART"].dt.astimezone(SWEDISH_TIME).strftime("%H:%M")
    assert invited_at in text_of(removed) and "09:30" not in text_of(removed)
    [added] = await wait_for_mail(settings.mail.catcher_dir, cecilia)
    assert "09:30" in text_of(added)


async def test_a_new_length_is_said_as_such_and_the_candidates_entry_keeps_its_words(
    employer, base_url, db, settings
):
    """Only the duration changed: the mail says how long it lasts now (not the same start
    twice as "new" and "earlier"), and the candidate's new calendar entry, which replaces
    the confirmation's, still says where the PIN is."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish")
    token = await db.fetchval("SELECT invite_token FROM event WHERE id = $1", event_id)
    kim = unique_email("kim")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as visitor:
        status, _ = await register(visitor, base_url, token, email=kim)
    assert status == 200
    [confirmation] = await wait_for_mail(settings.mail.catcher_dir, kim)
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    async with http.post(
        f"{base_url}/events/{event_id}/edit",
        data=event_form(csrf, edit_version=version, duration_minutes="90", interview_minutes="15"),
        allow_redirects=False,
    ) as response:
        assert response.status == 303
    # Told as a new length, not a new time: the start is the same. So is the new length of
    # each interview, made in the same edit.
    [moved] = await wait_for_mail(settings.mail.catcher_dir, kim, subject="Ny längd")
    text = text_of(moved)
    assert "har fått en ny längd; de börjar vid samma tid." in text and "Ny tid" not in text
    assert "Intervjutillfället pågår nu i 90 minuter i stället för 60." in text
    assert "Varje intervju tar nu 15 minuter i stället för 10." in text
    assert "Varje intervju tar nu 15 minuter i stället för 10." in html_of(moved)
    assert "Tidigare tid" not in text
    before, after = calendar_event(confirmation), calendar_event(moved)
    assert str(after["DESCRIPTION"]) == str(before["DESCRIPTION"])
    assert "PIN" in str(after["DESCRIPTION"])
    assert after["DTEND"].dt - after["DTSTART"].dt == dt.timedelta(minutes=90)


async def test_copy_keeps_the_content_asks_for_a_date_and_takes_no_candidates(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(
        http,
        base_url,
        action="publish",
        question=["Q1", "Q2"],
        attribute=["A1"],
        interviewer_email=["kopia@example.se"],
    )
    await factories.add_candidate(db, event_id, name="Kandidat", email="k@example.se")
    async with http.get(f"{base_url}/events/{event_id}/copy") as response:
        page = await response.text()
    assert 'name="date" type="date" required value=""' in page
    assert 'value="Q2"' in page and 'value="kopia@example.se"' in page
    csrf = csrf_in(page)
    # The date left empty, as the copy's form starts: shown again with the error, not a 500.
    form = event_form(
        csrf, mode="copy", date="", interviewer_email=["kopia@example.se"], interviewer_name=[""]
    )
    async with http.post(f"{base_url}/events/new", data=form, allow_redirects=False) as response:
        assert response.status == 422 and 'id="error-summary"' in await response.text()
    form = event_form(
        csrf,
        mode="copy",
        question=["Q1", "Q2"],
        attribute=["A1"],
        interviewer_email=["kopia@example.se"],
        interviewer_name=[""],
    )
    async with http.post(f"{base_url}/events/new", data=form, allow_redirects=False) as response:
        copy_id = int(re.search(r"/events/(\d+)", response.headers["Location"])[1])
    copy = await db.fetchrow("SELECT state, invite_token FROM event WHERE id = $1", copy_id)
    assert copy_id != event_id and copy["state"] == "draft" and copy["invite_token"] is None
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", copy_id) == 0
    assert await db.fetchval("SELECT count(*) FROM event_question WHERE event_id = $1", copy_id) == 2


async def test_capacity_cannot_drop_below_the_registered(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url)
    for number in range(3):
        await db.execute(
            """INSERT INTO candidate (event_id, name, email, access_token, pin)
                            VALUES ($1, 'K', $2, $3, '000000')""",
            event_id,
            f"k{number}@example.se",
            f"cap-{event_id}-{number}",
        )
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    async with http.post(
        f"{base_url}/events/{event_id}/edit", data=event_form(csrf, edit_version=version, capacity="2")
    ) as response:
        assert response.status == 422
        assert "3 kandidater har redan anmält sig" in await response.text()
    assert await db.fetchval("SELECT capacity FROM event WHERE id = $1", event_id) == 18


async def test_delete_cancels_mails_everyone_and_links_say_cancelled(employer, base_url, db, settings):
    http, _ = employer
    anna = unique_email("anna")
    event_id = await create_event(http, base_url, action="publish", interviewer_email=[anna])
    [invitation] = await wait_for_mail(settings.mail.catcher_dir, anna)
    token = await db.fetchval("SELECT access_token FROM event_interviewer WHERE event_id = $1", event_id)
    async with http.get(f"{base_url}/events/{event_id}/delete") as response:
        page = await response.text()
    assert "Ja, ta bort intervjutillfället" in page
    # Counted in the singular (it said "1 inbjudna intervjuare"); nobody registered, so no
    # line about candidates.
    assert "En avbokning skickas via e-post till:" in page and "<li>1 inbjuden intervjuare</li>" in page
    assert "kandidat" not in page
    assert "pågår just nu" not in page  # not begun yet
    # Begun and not over: deleting it ends the day for people in it this very moment.
    await db.execute("UPDATE event SET starts_at = now() - interval '5 minutes' WHERE id = $1", event_id)
    async with http.get(f"{base_url}/events/{event_id}/delete") as response:
        page = await response.text()
    assert "Intervjutillfället pågår just nu: intervjuerna som är igång avslutas direkt" in page
    assert "Ladda ned PDF" in page  # the summary so far, to keep
    response = await post(http, f"{base_url}/events/{event_id}/delete")
    assert response.status == 303 and response.headers["Location"] == "/events?notice=deleted"
    [cancellation] = await wait_for_mail(settings.mail.catcher_dir, anna, subject="Inställt")
    entry = calendar_event(cancellation)
    assert entry["UID"] == calendar_event(invitation)["UID"]
    assert str(entry["STATUS"]) == "CANCELLED"
    async with http.get(f"{base_url}/i/{token}") as response:
        assert "har ställts in" in await response.text()
    async with http.get(f"{base_url}/events/{event_id}", headers={"Accept": "text/html"}) as response:
        assert response.status == 404
    async with http.get(f"{base_url}/events") as response:
        assert f'/events/{event_id}"' not in await response.text()


async def test_another_organization_gets_404_everywhere(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url)
    outsider = await make_user(db)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        await log_in(other, base_url, outsider["email"])
        csrf = await csrf_from(other, f"{base_url}/events/new")
        for path in ("", "/edit", "/copy", "/delete"):
            async with other.get(
                f"{base_url}/events/{event_id}{path}", headers={"Accept": "text/html"}
            ) as response:
                assert response.status == 404, path
        for path in ("/edit", "/publish", "/delete"):
            async with other.post(
                f"{base_url}/events/{event_id}{path}", data=event_form(csrf), headers={"Accept": "text/html"}
            ) as response:
                assert response.status == 404, path
        async with other.get(f"{base_url}/events") as response:
            assert f'/events/{event_id}"' not in await response.text()
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", event_id) == "draft"


async def test_an_outside_interviewer_sees_the_event_once_they_open_their_link(employer, base_url, db):
    http, _ = employer
    colleague = await make_user(db)  # another organization: an external interviewer
    event_id = await create_event(http, base_url, interviewer_email=[colleague["email"].upper()])
    token = await db.fetchval("SELECT access_token FROM event_interviewer WHERE event_id = $1", event_id)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        await log_in(other, base_url, colleague["email"])
        # An address alone proves nothing (sign-up does not verify it): nothing shows yet.
        async with other.get(f"{base_url}/events/{event_id}", headers={"Accept": "text/html"}) as response:
            assert response.status == 404
        async with other.get(f"{base_url}/i/{token}") as response:
            assert response.status == 200
        async with other.get(f"{base_url}/events") as response:
            assert f'/events/{event_id}"' in await response.text()
        async with other.get(f"{base_url}/events/{event_id}") as response:
            page = await response.text()
        assert response.status == 200 and f"/events/{event_id}/edit" not in page
        async with other.get(
            f"{base_url}/events/{event_id}/edit", headers={"Accept": "text/html"}
        ) as response:
            assert response.status == 404


async def test_someone_elses_link_does_not_link_an_account(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url, interviewer_email=["riktig@example.se"])
    token = await db.fetchval("SELECT access_token FROM event_interviewer WHERE event_id = $1", event_id)
    stranger = await make_user(db)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        await log_in(other, base_url, stranger["email"])
        async with other.get(f"{base_url}/i/{token}") as response:
            assert response.status == 200
    assert await db.fetchval("SELECT user_id FROM event_interviewer WHERE event_id = $1", event_id) is None


async def test_a_draft_whose_time_has_passed_is_not_published(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url, interviewer_email=[unique_email("late")])
    await db.execute("UPDATE event SET starts_at = now() - interval '1 hour' WHERE id = $1", event_id)
    response = await post(http, f"{base_url}/events/{event_id}/publish", f"{base_url}/events/{event_id}")
    assert response.headers["Location"].endswith("notice=past")
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", event_id) == "draft"


async def test_deleting_an_event_that_is_over_mails_nobody(employer, base_url, db, settings):
    http, _ = employer
    anna = unique_email("anna")
    event_id = await create_event(http, base_url, action="publish", interviewer_email=[anna])
    await wait_for_mail(settings.mail.catcher_dir, anna)
    await db.execute("UPDATE event SET starts_at = now() - interval '3 days' WHERE id = $1", event_id)
    # The confirmation says so (it said a cancellation would be mailed), and that the summary
    # goes with the event, with links to keep it first.
    async with http.get(f"{base_url}/events/{event_id}/delete") as response:
        page = await response.text()
    assert "Intervjutillfället är över, så ingen får e-post." in page
    assert "avbokning" not in page
    assert (
        f'href="/events/{event_id}/summary.pdf"' in page and f'href="/events/{event_id}/summary.csv"' in page
    )
    response = await post(http, f"{base_url}/events/{event_id}/delete")
    assert response.status == 303
    assert await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = $1", anna) == 1
    async with http.get(f"{base_url}{response.headers['Location']}") as listed:
        page = await listed.text()
    assert "Intervjutillfället är borttaget. Det var över, så ingen fick e-post." in page
    assert "avbokning" not in page


async def test_pages_need_a_login(http, base_url):
    async with http.get(f"{base_url}/events", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"].startswith("/login?next=")
    async with http.get(f"{base_url}/events/notanumber", headers={"Accept": "text/html"}) as response:
        assert response.status in (303, 200)  # to the log-in page first


async def test_odd_interviewer_links_are_404_not_500(http, base_url):
    for token in ("ab%00cd", "x" * 300, "%C3%A5%C3%A4", "a.b"):
        async with http.get(f"{base_url}/i/{token}", headers={"Accept": "text/html"}) as response:
            assert response.status == 404, token


async def test_the_text_to_paste_is_in_the_events_language(employer, base_url):
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish", language="en")
    async with http.get(f"{base_url}/events/{event_id}", headers={"Accept-Language": "sv"}) as response:
        page = await response.text()
    assert "Bjud in kandidater" in page  # the page is Swedish …
    assert "Welcome to a speed interview for “Säljare till Malmö”" in page  # … the text English
    assert "(Swedish time, CET)" in page and "Register here: " in page
    # And the same text in Swedish beside it, for a mixed group of candidates.
    english, swedish = page.index('id="invite-text"'), page.index('id="invite-text-sv"')
    assert english < swedish and 'lang="sv"' in page[swedish - 200 : swedish + 200]
    assert "Samma text på svenska" in page and "Kopiera texten på svenska" in page
    assert "Välkommen till en snabbintervju för ”Säljare till Malmö”" in page[swedish:]
    assert "(svensk tid" in page[swedish:] and "Anmäl dig här: " in page[swedish:]


async def test_one_minute_per_interview_is_said_in_the_singular(employer, base_url):
    """It said "1 minuter per intervju" and "Each interview takes 1 minutes"."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish", language="en", interview_minutes="1")
    async with http.get(f"{base_url}/events/{event_id}", headers={"Accept-Language": "sv"}) as response:
        page = await response.text()
    assert "60 minuter, 1 minut per intervju" in page
    assert "Each interview takes 1 minute, on video in your browser." in page
    token = re.search(r"/r/([\w-]+)", page)[1]
    for language, words in (
        ("sv", "1 minut på video, i din webbläsare"),
        ("en", "1 minute on video, in your browser"),
    ):
        async with (
            ClientSession() as candidate,
            candidate.get(f"{base_url}/r/{token}", headers={"Accept-Language": language}) as response,
        ):
            assert words in await response.text()


async def test_the_events_own_texts_carry_its_language(employer, base_url, db):
    """WCAG 3.1.2 (language of parts): an English event's title, job description, questions
    and attributes on a Swedish page are marked lang="en", so a screen reader reads them in
    English."""
    http, _ = employer
    event_id = await create_event(
        http, base_url, action="publish", language="en", question=["Why sales?"], attribute=["Drive"]
    )
    headers = {"Accept-Language": "sv"}
    async with http.get(f"{base_url}/events/{event_id}", headers=headers) as response:
        page = await response.text()
    assert '<h1 lang="en">Säljare till Malmö</h1>' in page
    assert '<p class="prewrap" lang="en">Du säljer.</p>' in page
    assert '<ol lang="en"><li>Why sales?</li></ol>' in page and '<ol lang="en"><li>Drive</li></ol>' in page
    async with http.get(f"{base_url}/events", headers=headers) as response:
        assert f'<a href="/events/{event_id}" lang="en">Säljare till Malmö</a>' in await response.text()
    in_a_sentence = '<span lang="en">Säljare till Malmö</span>”'  # (“…” in English, ”…” in Swedish)
    async with http.get(f"{base_url}/events/{event_id}/delete", headers=headers) as response:
        assert in_a_sentence in await response.text()
    async with http.get(f"{base_url}/events/{event_id}/copy", headers=headers) as response:
        assert in_a_sentence in await response.text()
    # The candidate's answer to the registration, and the employer's pages of that candidate.
    invite = await db.fetchval("SELECT invite_token FROM event WHERE id = $1", event_id)
    async with new_client() as candidate:
        status, _ = await register(candidate, base_url, invite, email=unique_email("sprak"))
        assert status == 200
        async with candidate.get(f"{base_url}/r/{invite}/registered", headers=headers) as response:
            assert in_a_sentence in await response.text()
    registered = await db.fetchval("SELECT id FROM candidate WHERE event_id = $1", event_id)
    for action in ("remove", "erase"):
        page = f"{base_url}/events/{event_id}/candidates/{registered}/{action}"
        async with http.get(page, headers=headers) as response:
            assert in_a_sentence in await response.text(), action
    async with http.get(f"{base_url}/events/{event_id}/summary", headers=headers) as response:
        assert '<h1 lang="en">Säljare till Malmö</h1>' in await response.text()
    async with http.get(f"{base_url}/events/{event_id}/live", headers=headers) as response:
        assert '<h1 lang="en">Säljare till Malmö</h1>' in await response.text()


async def test_an_event_without_interviewers_is_not_published_but_may_be_a_draft(employer, base_url, db):
    """Its invite link would take candidates nobody could interview, and the confirmation
    said the interviewers were mailed their links."""
    http, user = employer
    count = "SELECT count(*) FROM event WHERE organization_id = $1"
    before = await db.fetchval(count, user["organization_id"])
    for language, message in (
        (
            "sv",
            "Lägg till minst en intervjuare för att publicera intervjutillfället, eller spara det som utkast.",
        ),
        ("en", "Add at least one interviewer to publish the event, or save it as a draft."),
    ):
        await http.get(f"{base_url}/lang/{language}")
        csrf = await csrf_from(http, f"{base_url}/events/new")
        form = event_form(csrf, action="publish", interviewer_email=["", ""], interviewer_name=["", ""])
        async with http.post(f"{base_url}/events/new", data=form) as response:
            page = await response.text()
        assert response.status == 422
        # Beside the interviewers and in the summary, which leads to them.
        assert re.search(r'id="err-interviewers">.*' + re.escape(message), page), language
        assert (
            f'<a href="#interviewers">{"Intervjuare" if language == "sv" else "Interviewers"}: {message}'
            in page
        )
        assert 'aria-describedby="err-interviewers" aria-invalid="true"' in page
    assert await db.fetchval(count, user["organization_id"]) == before
    event_id = await create_event(http, base_url, action="draft", interviewer_email=[])
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", event_id) == "draft"


async def test_a_draft_without_interviewers_is_not_published_from_its_page(employer, base_url, db, settings):
    http, _ = employer
    event_id = await create_event(http, base_url, interviewer_email=[])
    response = await post(http, f"{base_url}/events/{event_id}/publish", f"{base_url}/events/{event_id}")
    assert response.status == 303 and response.headers["Location"].endswith("notice=no_interviewers")
    row = await db.fetchrow("SELECT state, invite_token, published_at FROM event WHERE id = $1", event_id)
    assert tuple(row) == ("draft", None, None)
    for language, message in (
        ("sv", "Lägg till minst en intervjuare under Ändra innan du publicerar intervjutillfället"),
        ("en", "Add at least one interviewer under Edit before you publish the event"),
    ):
        await http.get(f"{base_url}/lang/{language}")
        async with http.get(f"{base_url}{response.headers['Location']}") as shown:
            page = await shown.text()
        assert message in page and "personal links" not in page and "personliga länkar" not in page
    # With one it publishes, and the interviewer gets their link.
    anna = unique_email("anna")
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    form = event_form(csrf, edit_version=version, interviewer_email=[anna], interviewer_name=["Anna"])
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as saved:
        assert saved.status == 303
    response = await post(http, f"{base_url}/events/{event_id}/publish", f"{base_url}/events/{event_id}")
    assert response.headers["Location"].endswith("notice=published")
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", event_id) == "published"
    await wait_for_mail(settings.mail.catcher_dir, anna)


async def test_the_last_interviewer_of_a_published_event_is_not_removed(employer, base_url, db, settings):
    http, _ = employer
    anna = unique_email("anna")
    event_id = await create_event(http, base_url, action="publish", interviewer_email=[anna])
    await wait_for_mail(settings.mail.catcher_dir, anna)
    for language, message in (
        ("sv", "Intervjutillfället är publicerat, så det behöver minst en intervjuare"),
        ("en", "The event is published, so it needs at least one interviewer"),
    ):
        await http.get(f"{base_url}/lang/{language}")
        csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
        form = event_form(
            csrf, edit_version=version, title="Ändrad", interviewer_email=[""], interviewer_name=[""]
        )
        async with http.post(f"{base_url}/events/{event_id}/edit", data=form) as response:
            page = await response.text()
        assert response.status == 422 and message in page and 'id="err-interviewers"' in page
    row = await db.fetchrow("SELECT title, edit_version FROM event WHERE id = $1", event_id)
    assert row["title"] == "Säljare till Malmö" and str(row["edit_version"]) == version
    assert [
        r["email"]
        for r in await db.fetch("SELECT email FROM event_interviewer WHERE event_id = $1", event_id)
    ] == [anna]
    # Nobody was told they no longer interview.
    assert await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = $1", anna) == 1


async def test_a_drafts_last_interviewer_may_be_removed(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url)
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    form = event_form(csrf, edit_version=version, interviewer_email=[])
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as response:
        assert response.status == 303
    assert await db.fetchval("SELECT count(*) FROM event_interviewer WHERE event_id = $1", event_id) == 0


async def test_an_empty_date_or_time_is_asked_for(employer, base_url, db):
    """Saving a draft with no date said "Enter a date as YYYY-MM-DD." beside a picker that
    shows another format; an empty field is asked for, the format named only when wrong."""
    http, _ = employer
    for language, date, time in (
        ("sv", "Fyll i datumet.", "Fyll i starttiden."),
        ("en", "Enter the date.", "Enter the start time."),
    ):
        await http.get(f"{base_url}/lang/{language}")
        csrf = await csrf_from(http, f"{base_url}/events/new")
        form = event_form(csrf, date="", start_time="")
        async with http.post(f"{base_url}/events/new", data=form) as response:
            page = await response.text()
        assert response.status == 422 and date in page and time in page, language
        assert "ÅÅÅÅ" not in page and "YYYY" not in page
    csrf = await csrf_from(http, f"{base_url}/events/new")
    async with http.post(f"{base_url}/events/new", data=event_form(csrf, date="4/12/2026")) as response:
        assert response.status == 422 and "Enter a date as YYYY-MM-DD." in await response.text()


async def test_an_interviewer_without_a_name_is_shown_by_address(employer, base_url):
    """As the live view, the summary and "Signed in as" show them (it said "—")."""
    http, _ = employer
    event_id = await create_event(
        http, base_url, interviewer_email=["namnlos@example.se"], interviewer_name=[""]
    )
    page = await event_page(http, base_url, event_id)
    # (Broken at its "@" first when it must be, as the address beside it.)
    assert (
        '<td data-label="Namn" class="wraps-anywhere keeps-words-when-wide"><span class="words">'
        '<span class="address-part">namnlos</span><wbr><span class="address-part">@example<wbr>.se</span>'
        "</span></td>" in page
    )
    assert '<td data-label="Namn">—</td>' not in page


async def test_a_colleague_added_by_address_alone_is_named_as_their_account(employer, base_url, db, settings):
    """The employer gave only the address of a colleague whose account has a name: the
    event's page showed the address and the colleague's mail said only "Hej!"."""
    http, user = employer
    colleague = await make_user(db, organization_id=user["organization_id"], name="Kollega Karlsson")
    event_id = await create_event(
        http,
        base_url,
        action="publish",
        interviewer_email=[colleague["email"], "utomstaende@example.se"],
        interviewer_name=["", ""],
    )
    page = await event_page(http, base_url, event_id)
    assert '<span class="words">Kollega Karlsson</span></td>' in page
    [mail] = await wait_for_mail(settings.mail.catcher_dir, colleague["email"])
    assert "Kollega Karlsson" in text_of(mail)
    # An address that is no colleague's account stays as it was given: without a name.
    names = dict(await db.fetch("SELECT email, name FROM event_interviewer WHERE event_id = $1", event_id))
    assert names == {colleague["email"]: "Kollega Karlsson", "utomstaende@example.se": ""}


async def test_the_list_links_the_live_view_while_held_and_the_summary_after(employer, base_url, db):
    http, _ = employer
    held = await create_event(http, base_url, action="publish", interviewer_email=[unique_email("held")])
    done = await create_event(http, base_url, action="publish", interviewer_email=[unique_email("done")])
    draft = await create_event(http, base_url)
    await db.execute("UPDATE event SET starts_at = now() - interval '5 minutes' WHERE id = $1", held)
    await db.execute(
        "UPDATE event SET starts_at = now() - interval '3 days' WHERE id = ANY($1::bigint[])", [done, draft]
    )
    async with http.get(f"{base_url}/events") as response:
        page = await response.text()
    assert f'href="/events/{held}/live"' in page and f'href="/events/{held}/summary"' not in page
    assert f'href="/events/{done}/summary"' in page and f'href="/events/{done}/live"' not in page
    # A draft whose day passed was never held: nothing to look at.
    assert f'href="/events/{draft}/summary"' not in page and f'href="/events/{draft}/live"' not in page
    # The event's own page offers the same: the live view while it is held, not after it or
    # weeks before; the summary once there can be something in it (from the start, showing
    # what there is so far), not as a page of zeros weeks before.
    later = await create_event(http, base_url, action="publish", interviewer_email=[unique_email("later")])
    for event_id, live, summary in ((held, True, True), (done, False, True), (later, False, False)):
        async with http.get(f"{base_url}/events/{event_id}") as response:
            page = await response.text()
        assert (f'href="/events/{event_id}/live"' in page) == live, event_id
        assert ('id="open-summary"' in page) == summary, event_id
    # Past its end with an interview still going (extended), the event stays live until that
    # interview ends: the organizer can still watch it from the list and the event's page.
    await db.execute(
        "UPDATE event SET state = 'live', starts_at = now() - interval '3 days' WHERE id = $1", done
    )
    async with http.get(f"{base_url}/events") as response:
        page = await response.text()
    assert f'href="/events/{done}/live"' in page
    # Listed with those being held, not under "Past", while its last call goes on.
    assert page.index(f'href="/events/{done}"') < page.index(PAST_HEADING)
    # Said as it is: its time is over and nobody more is called in, not "in progress".
    row = page[page.index(f'href="/events/{done}"') :]
    row = row[: row.index("</tr>")]
    assert "Avslutas: intervjuer pågår fortfarande" in row and "Pågår<" not in row
    async with http.get(f"{base_url}/events/{done}") as response:
        page = await response.text()
    assert f'href="/events/{done}/live"' in page
    assert "<dd>Avslutas: intervjuer pågår fortfarande</dd>" in page


async def test_an_event_whose_check_in_has_opened_is_not_called_in_progress_before_its_start(
    employer, base_url, db
):
    """Check-in opens before the start, and the event is live from then: the list and its
    page said "In progress" for an event that had not begun."""
    http, _ = employer
    soon = await create_event(http, base_url, action="publish", interviewer_email=[unique_email("soon")])
    begun = await create_event(http, base_url, action="publish", interviewer_email=[unique_email("begun")])
    await db.execute(
        "UPDATE event SET state = 'live', starts_at = now() + interval '10 minutes' WHERE id = $1", soon
    )
    await db.execute(
        "UPDATE event SET state = 'live', starts_at = now() - interval '5 minutes' WHERE id = $1", begun
    )

    def row_of(page: str, event_id: int) -> str:
        start = page.index(f'href="/events/{event_id}"')
        return page[start : page.index("</tr>", start)]

    async with http.get(f"{base_url}/events") as response:  # in the employer's Swedish
        page = await response.text()
    assert "Incheckning öppen" in row_of(page, soon) and "Pågår" not in row_of(page, soon)
    assert "Pågår" in row_of(page, begun)
    # Who has checked in is what the organizer watches from then: the live view is at hand.
    assert f'href="/events/{soon}/live"' in row_of(page, soon)
    assert f'href="/events/{begun}/live"' in row_of(page, begun)
    async with http.get(f"{base_url}/events/{soon}") as response:
        assert "Incheckning öppen" in await response.text()


async def test_an_interviewer_taken_off_the_event_loses_their_open_page_at_once(employer, base_url, db):
    """Before, their page went on being sent the queue's names until it happened to reload."""
    http, _ = employer
    anna, bo = unique_email("anna"), unique_email("bo")
    event_id = await create_event(
        http, base_url, action="publish", interviewer_email=[anna, bo], interviewer_name=["Anna", "Bo"]
    )
    token, code = await db.fetchrow(
        "SELECT access_token, access_code FROM event_interviewer WHERE event_id = $1 AND email = $2",
        event_id,
        bo,
    )
    async with new_client() as other:
        assert await sign_in_interviewer(other, base_url, token, code) == 303
        async with recording(other, f"{base_url}/i/{token}/ws") as page:
            await page.wait_for(lambda m: m["type"] == "state")
            csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
            form = event_form(csrf, edit_version=version, interviewer_email=[anna], interviewer_name=["Anna"])
            async with http.post(
                f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False
            ) as response:
                assert response.status == 303
            await page.wait_for(lambda m: m["type"] == "interviewer_removed")
            for _ in range(50):
                if page.ws.closed:
                    break
                await asyncio.sleep(0.1)
            assert page.ws.closed and page.ws.close_code == 1008
        async with other.get(f"{base_url}/i/{token}/ws") as response:  # let in again? no
            assert response.status == 404


async def test_a_draft_without_interviewers_says_what_it_needs_not_that_it_is_short(employer, base_url):
    """The event page's count of interviews possible: for a draft with no interviewer, the
    hint the form gives, not the warning that more may register than it can interview."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="draft", interviewer_email=[])
    page = await event_page(http, base_url, event_id)
    assert "Lägg till intervjuare för att se hur många intervjuer intervjutillfället rymmer." in page
    assert "än intervjutillfället hinner intervjua" not in page


async def test_deleting_a_draft_says_so_not_that_anyone_is_mailed(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url, action="draft")
    response = await post(http, f"{base_url}/events/{event_id}/delete")
    assert response.status == 303 and response.headers["Location"] == "/events?notice=deleted_draft"
    async with http.get(f"{base_url}{response.headers['Location']}") as listed:
        page = await listed.text()
    assert "Utkastet är borttaget." in page and "avbokning" not in page


async def test_an_event_that_is_over_invites_nobody_any_more(employer, base_url, db):
    """Its invite link says the event is over: the page no longer offers it, nor a text
    inviting candidates to a time that has passed."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish")
    assert 'id="invite-link"' in await event_page(http, base_url, event_id)
    await db.execute("UPDATE event SET starts_at = now() - interval '2 hours' WHERE id = $1", event_id)
    page = await event_page(http, base_url, event_id)
    assert 'id="invite-link"' not in page and "Bjud in kandidater" not in page
    assert 'id="invite-text"' not in page


async def test_the_edit_form_shows_an_international_domain_as_written(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(
        http, base_url, interviewer_email=["asa@exämple.se"], interviewer_name=["Åsa"]
    )
    assert await db.fetchval("SELECT email FROM event_interviewer WHERE event_id = $1", event_id) == (
        "asa@xn--exmple-cua.se"
    )
    async with http.get(f"{base_url}/events/{event_id}/edit") as response:
        page = await response.text()
    assert 'value="asa@exämple.se"' in page and "xn--" not in page


async def test_past_events_come_newest_first_twenty_at_a_time(employer, base_url, db):
    """Years of events are not one table: the past ones a page at a time, newest first."""
    from tests import factories

    http, user = employer
    titles = [f"Förr {n:02d}" for n in range(45)]  # Förr 00 the oldest
    for days_ago, title in zip(range(len(titles), 0, -1), titles):
        await factories.make_event(
            db,
            organization_id=user["organization_id"],
            title=title,
            starts_at=factories.now() - dt.timedelta(days=days_ago),
            state="finished",
        )
    await factories.make_event(db, organization_id=user["organization_id"], title="Kommande")

    def shown(page: str) -> list[str]:
        return re.findall(r">(Förr \d\d)</a>", page)

    async with http.get(f"{base_url}/events") as response:
        page = await response.text()
    assert "Kommande" in page
    assert shown(page) == titles[::-1][:20] and "Sida 1 av 3" in page
    assert 'href="/events?past=2#heading-2" rel="next"' in page and 'rel="prev"' not in page
    for query, expected in (
        ("past=3", titles[::-1][40:]),
        ("past=99", titles[::-1][40:]),
        ("past=x", titles[::-1][:20]),
    ):
        async with http.get(f"{base_url}/events?{query}") as response:
            assert response.status == 200
            assert shown(await response.text()) == expected, query


async def test_published_with_its_check_in_open_it_is_live_at_once(employer, base_url, db):
    """The page the organizer comes to says "Check-in open" and links the live view (it said
    "Published" until the sweeper's next round, while the list already said otherwise)."""
    http, _ = employer
    soon = dt.datetime.now(SWEDISH_TIME) + dt.timedelta(minutes=20)
    event_id = await create_event(
        http, base_url, date=soon.date().isoformat(), start_time=soon.strftime("%H:%M"), action="publish"
    )
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", event_id) == "live"
    page = await event_page(http, base_url, event_id)
    assert "Incheckning öppen" in page and f'href="/events/{event_id}/live"' in page
    # A draft published later once its check-in is open, alike.
    later = dt.datetime.now(SWEDISH_TIME) + dt.timedelta(hours=3)
    draft = await create_event(
        http, base_url, date=later.date().isoformat(), start_time=later.strftime("%H:%M"), action="draft"
    )
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", draft) == "draft"
    await db.execute("UPDATE event SET starts_at = now() + interval '20 minutes' WHERE id = $1", draft)
    response = await post(http, f"{base_url}/events/{draft}/publish", f"{base_url}/events/{draft}")
    assert response.status == 303
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", draft) == "live"
