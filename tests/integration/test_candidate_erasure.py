"""Erasing a candidate: by the candidate on their page, by the employer on the event's
candidate list, and during the event day; afterwards no table holds their name, address,
phone, notes or comment, and the summary (page, PDF, CSV) shows an anonymous line."""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import ClientSession, CookieJar
from yarl import URL

from app.candidates.erasure import erase_candidate
from app.live import dispatch, queue
from app.live.event_view import read_event_view
from app.summary.queries import load_summary
from tests import factories
from tests.pdfs import pdf_text
from tests.accounts import log_in, make_user
from tests.candidate_support import make_event
from tests.forms import csrf_of
from tests.integration.erasure_support import candidate_with_everything, columns_holding
from tests.integration.live_support import (
    assert_invariants,
    make_live_event,
    one_in_a_call_one_offered,
)


async def enter_pin(http, link: str, pin: str) -> int:
    _, csrf, page = await csrf_of(http, link)
    assert csrf, page
    async with http.post(link, data={"csrf_token": csrf, "pin": pin}, allow_redirects=False) as response:
        return response.status


async def snapshot(db, candidate_id: int) -> str:
    """Everything stored about one registration, to show a refused request changed nothing."""
    return json.dumps(
        [
            await db.fetchval(query, candidate_id)
            for query in (
                "SELECT row_to_json(c)::text FROM candidate c WHERE id = $1",
                "SELECT json_agg(m ORDER BY id)::text FROM mail_outbox m WHERE candidate_id = $1",
                "SELECT json_agg(i ORDER BY id)::text FROM interview i WHERE candidate_id = $1",
                "SELECT json_agg(q)::text FROM queue_entry q WHERE candidate_id = $1",
                """SELECT json_agg(f)::text FROM interview_feedback f
           JOIN interview i ON i.id = f.interview_id WHERE i.candidate_id = $1""",
            )
        ]
    )


async def assert_summary_is_anonymous(http, base_url, person, tmp_path, language: str) -> None:
    # As the language switch does: the log-in set the user's language for this host.
    http.cookie_jar.update_cookies({"lang": language}, response_url=URL(base_url))
    headers: dict = {}
    erased = {"sv": "Raderad kandidat", "en": "Erased candidate"}[language]
    async with http.get(f"{base_url}/events/{person.event_id}/summary", headers=headers) as response:
        page = await response.text()
    assert response.status == 200 and erased in page
    assert {"sv": "Uppgifter raderade", "en": "Details erased"}[language] in page
    async with http.get(f"{base_url}/events/{person.event_id}/summary.pdf", headers=headers) as response:
        text = pdf_text(await response.read(), tmp_path)
    assert erased in text
    async with http.get(f"{base_url}/events/{person.event_id}/summary.csv", headers=headers) as response:
        csv = (await response.read()).decode("utf-8-sig")
    assert erased in csv
    for value in person.values:
        assert value not in page and value not in text and value not in csv


# What the limits on guessing keep about one PIN: devices that entered it, clients' wrong tries.
GUESSING_ROWS = """
    SELECT (SELECT count(*) FROM known_device WHERE scope = 'pin' AND subject = $1)
         + (SELECT count(*) FROM guess_client WHERE scope = 'pin' AND subject = $1)
         + (SELECT count(*) FROM guess_secret WHERE scope = 'pin' AND subject = $1)"""


async def test_the_candidate_sees_what_is_stored_and_erases_it_from_every_table(
    db, http, base_url, settings, app_server, tmp_path, caplog
):
    user = await make_user(db)
    event = await make_event(db, organization_id=user["organization_id"])
    person = await candidate_with_everything(db, base_url, settings, event)
    assert {
        "candidate.name",
        "candidate.email",
        "candidate.phone",
        "interview.notes",
        "interview_feedback.comment",
        "mail_outbox.to_address",
        "mail_outbox.to_name",
        "mail_outbox.text_body",
    } <= set(await columns_holding(db, person.values))
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as phone:
        async with phone.get(f"{person.link}/data") as response:  # the PIN first
            page = await response.text()
        assert 'name="pin"' in page and person.email not in page
        assert await enter_pin(phone, person.link, person.pin) == 303
        async with phone.get(person.link) as response:
            assert f'href="/c/{person.link.rsplit("/", 1)[1]}/data"' in await response.text()
        async with phone.get(f"{person.link}/data") as response:
            data = await response.text()
        for value in (person.name, person.email, person.phone, person.comment, "Påminnelse"):
            assert value in data
        assert person.notes not in data  # the interviewer's notes: never to the candidate
        # The phone that entered the PIN is a known device (README "Limits on guessing").
        assert await db.fetchval(GUESSING_ROWS, str(person.id)) >= 1
        _, csrf, confirm = await csrf_of(phone, f"{person.link}/erase")
        assert "Vad arbetsgivaren behåller" in confirm and "Ja, radera mina uppgifter" in confirm
        assert "avbokade" not in confirm  # they cancelled no earlier registration
        assert "du blir inte intervjuad" not in confirm  # interviewed already: no place to lose
        before = await snapshot(db, person.id)
        async with phone.post(f"{person.link}/erase", data={}) as response:  # no CSRF token
            assert response.status == 403
        assert await snapshot(db, person.id) == before
        with caplog.at_level(logging.INFO):
            async with phone.post(
                f"{person.link}/erase", data={"csrf_token": csrf}, allow_redirects=False
            ) as response:
                receipt = await response.text()
        assert response.status == 200 and "Dina uppgifter är raderade" in receipt
        assert f"{person.event_id}-{person.id}" in receipt
        assert "no-store" in response.headers["Cache-Control"]
        for value in person.values:
            assert value not in receipt and value not in caplog.text
        assert [
            r
            for r in caplog.records
            if f"candidate {person.id} " in r.getMessage() and "erased (by candidate)" in r.getMessage()
        ]
        async with phone.get(person.link) as response:  # the link is gone
            assert response.status == 404
        async with phone.post(f"{person.link}/erase", data={"csrf_token": csrf}) as response:
            assert response.status == 404  # erasing again: nothing there

    assert await columns_holding(db, person.values) == []
    row = await db.fetchrow("SELECT * FROM candidate WHERE id = $1", person.id)
    assert row["erased_by"] == "candidate" and row["erased_at"] and row["cancelled_at"]
    kept = await db.fetchrow("SELECT * FROM interview WHERE candidate_id = $1", person.id)
    assert kept["state"] == "ended" and kept["started_at"] and kept["ended_at"]
    assert kept["notes"] == "" and kept["questions_covered"] == []
    mails = await db.fetch("SELECT * FROM mail_outbox WHERE candidate_id = $1", person.id)
    assert mails and all(
        m["sent_at"] and m["to_address"] == "" and m["text_body"] == "" and m["erased_at"] for m in mails
    )  # the unsent reminder is gone
    assert not await db.fetchval("SELECT count(*) FROM queue_entry WHERE candidate_id = $1", person.id)
    assert await db.fetchval(GUESSING_ROWS, str(person.id)) == 0
    await log_in(http, base_url, user["email"])
    for language in ("sv", "en"):
        await assert_summary_is_anonymous(http, base_url, person, tmp_path, language)


async def post(http, url: str, csrf: str | None) -> tuple[int, str]:
    data = {"csrf_token": csrf} if csrf else {}
    async with http.post(url, data=data, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", "")


async def test_the_employer_erases_a_candidate_and_refused_attempts_change_nothing(
    employer, db, base_url, settings, tmp_path
):
    http, user = employer
    event = await make_event(db, organization_id=user["organization_id"])
    person = await candidate_with_everything(db, base_url, settings, event)
    erase_url = f"{base_url}/events/{event['id']}/candidates/{person.id}/erase"
    _, _, listing = await csrf_of(http, f"{base_url}/events/{event['id']}")
    assert f'href="/events/{event["id"]}/candidates/{person.id}/erase"' in listing
    _, csrf, confirm = await csrf_of(http, erase_url)
    assert person.name in confirm and "Ja, radera uppgifterna" in confirm
    assert "får ingen post om det" in confirm  # still registered: they are not told
    before = await snapshot(db, person.id)

    assert (await post(http, erase_url, None))[0] == 403  # no CSRF token
    stranger = await make_user(db)  # another organization
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as other:
        await log_in(other, base_url, stranger["email"])
        status, _, _ = await csrf_of(other, erase_url)
        assert status == 404
        _, other_csrf, _ = await csrf_of(other, f"{base_url}/events")
        assert (await post(other, erase_url, other_csrf))[0] == 404
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as anonymous:
        _, anonymous_csrf, _ = await csrf_of(anonymous, f"{base_url}/login")
        status, location = await post(anonymous, erase_url, anonymous_csrf)
        assert status == 303 and location.startswith("/login")
    wrong_event = await make_event(db, organization_id=user["organization_id"])
    assert (
        await post(http, erase_url.replace(f"/events/{event['id']}/", f"/events/{wrong_event['id']}/"), csrf)
    )[0] == 404
    assert await snapshot(db, person.id) == before

    status, location = await post(http, erase_url, csrf)
    assert status == 303 and location == f"/events/{event['id']}?candidates=erased#candidates-heading"
    async with http.get(base_url + location) as response:
        page = await response.text()
    assert "Kandidatens uppgifter är raderade" in page and person.name not in page
    assert await columns_holding(db, person.values) == []
    assert await db.fetchval("SELECT erased_by FROM candidate WHERE id = $1", person.id) == "employer"
    after = await snapshot(db, person.id)
    # Pressed again (a second tab, a double press): erased already, what was asked is done.
    assert await post(http, erase_url, csrf) == (status, location)
    assert await snapshot(db, person.id) == after
    await assert_summary_is_anonymous(http, base_url, person, tmp_path, "sv")


async def test_erasure_during_the_event_day_takes_the_candidate_out_and_tells_the_interviewers(
    db, pool, settings, stack
):
    live = settings.live
    event = await make_live_event(db, interviewers=2, candidates=3)
    in_call, offered, waiting = event.candidates
    first, second = await one_in_a_call_one_offered(db, pool, event, live)

    heard: list[dict] = []

    def hear(*args) -> None:
        heard.append(json.loads(args[-1]))

    listener = await pool.acquire()
    await listener.add_listener(queue.channel(event.id), hear)
    try:
        call = await erase_candidate(db, in_call, "candidate")
        offer = await erase_candidate(db, offered, "employer")
        queued = await erase_candidate(db, waiting, "candidate")
        assert await erase_candidate(db, waiting, "candidate") is None  # again: nothing
        for _ in range(50):
            if len({n["kind"] for n in heard}) >= 3:
                break
            await asyncio.sleep(0.1)
    finally:
        await listener.remove_listener(queue.channel(event.id), hear)
        await pool.release(listener)
    assert call.rooms and call.rooms[0].room_id is not None  # for the caller to destroy
    assert offer.rooms and queued.rooms == []
    ended = await db.fetchrow("SELECT state, end_reason FROM interview WHERE id = $1", first.interview_id)
    # Recorded as erased, not as the candidate leaving the call or missing the offer; the
    # interview rows stay, without what names the person.
    assert tuple(ended) == ("ended", "erased")
    withdrawn = await db.fetchrow(
        "SELECT state, end_reason FROM interview WHERE id = $1", second.interview_id
    )
    assert tuple(withdrawn) == ("withdrawn", "erased")  # the employer's doing: not a miss
    summary = await load_summary(db, event.id, language="en")
    # The call stays in the summary as held, its details gone (never answered: no answer);
    # the withdrawn offer is not a miss.
    items = [item for group in summary.groups for item in group.interviews]
    assert [(item.outcome, item.erased) for item in items] == [("no_answer", True)]
    assert summary.totals.missed == 0
    kinds = [n["kind"] for n in heard]
    assert "ended" in kinds and "offer_withdrawn" in kinds and "queue" in kinds
    assert not await db.fetchval("SELECT count(*) FROM queue_entry WHERE event_id = $1", event.id)
    assert await dispatch.dispatch(pool, event.interviewers[0], live) is None
    await assert_invariants(db, event.id)


async def test_erasing_ones_own_data_takes_the_earlier_cancelled_registration_too(db, base_url, app_server):
    """Cancelled, then registered again with the same address: "your data is erased" holds
    for both, and the old link's data page no longer shows the name. Someone else's
    cancelled registration stays."""
    from tests import factories

    user = await make_user(db)
    event = await make_event(db, organization_id=user["organization_id"])
    old = await factories.add_candidate(db, event["id"], name="Karin Ek", email="Karin.Ek@example.se")
    other = await factories.add_candidate(db, event["id"], name="Bo Berg", email="bo@example.se")
    await db.execute(
        "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'candidate' WHERE id = ANY($1::bigint[])",
        [old["id"], other["id"]],
    )
    new = await factories.add_candidate(db, event["id"], name="Karin Ek", email="karin.ek@example.se")
    link = f"{base_url}/c/{new['access_token']}"
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as phone:
        assert await enter_pin(phone, link, new["pin"]) == 303
        _, csrf, confirm = await csrf_of(phone, f"{link}/erase")
        assert "Även din avbokade anmälan med samma e-postadress raderas." in confirm
        async with phone.post(f"{link}/erase", data={"csrf_token": csrf}) as response:
            assert response.status == 200 and "Dina uppgifter är raderade" in await response.text()
    rows = {
        row["id"]: row
        for row in await db.fetch(
            "SELECT id, name, erased_at, erased_by FROM candidate WHERE event_id = $1", event["id"]
        )
    }
    assert rows[new["id"]]["erased_by"] == rows[old["id"]]["erased_by"] == "candidate"
    assert rows[old["id"]]["name"] == "–"
    assert rows[other["id"]]["erased_at"] is None and rows[other["id"]]["name"] == "Bo Berg"
    async with ClientSession() as stranger:
        async with stranger.get(f"{base_url}/c/{old['access_token']}/data") as response:
            assert response.status == 404


async def test_the_data_page_shows_the_consent_and_the_turns_not_taken(db, base_url, settings):
    """Offers not taken up are stored, and the employer's summary counts them: the candidate's
    own page says so too, each as what it was."""
    event = await make_event(db)
    person = await candidate_with_everything(db, base_url, settings, event)
    interviewer = await db.fetchval("SELECT interviewer_id FROM interview WHERE candidate_id = $1", person.id)
    for minutes_ago, reason in ((40, "offer_expired"), (30, "left")):
        await db.execute(
            """
            INSERT INTO interview (event_id, candidate_id, interviewer_id, state, chosen_by,
                                   offered_at, offer_expires_at, ended_at, end_reason)
            VALUES ($1, $2, $3, 'missed', 'next', now() - make_interval(mins => $4),
                    now() - make_interval(mins => $4 - 1), now() - make_interval(mins => $4 - 1), $5)""",
            person.event_id,
            person.id,
            interviewer,
            minutes_ago,
            reason,
        )
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as phone:
        assert await enter_pin(phone, person.link, person.pin) == 303
        async with phone.get(f"{person.link}/data") as response:
            data = await response.text()
    assert "Samtycke till den här hanteringen av dina uppgifter" in data
    assert "Turer du inte tog" in data
    missed = data.index("men anslöt inte i tid.")
    left = data.index("men lämnade kön i stället.")
    assert missed < left  # in the order they came


async def test_an_erased_candidate_who_never_answered_still_counts_as_no_answer(db, base_url, settings):
    """Only an answer that was there is said to have gone with the details: the figures of
    the day do not move from "no answer" to "answer erased" (migration 0069)."""
    event = await make_event(db)
    answered = await candidate_with_everything(db, base_url, settings, event)
    silent = await factories.add_candidate(db, event["id"], name="Tyst Kandidat")
    interviewer = await db.fetchval(
        "SELECT interviewer_id FROM interview WHERE candidate_id = $1", answered.id
    )
    await db.execute(
        "INSERT INTO queue_entry (event_id, candidate_id, state) VALUES ($1, $2, 'done')",
        event["id"],
        silent["id"],
    )
    await factories.ended_interview(db, event["id"], silent["id"], interviewer)
    before = (await load_summary(db, event["id"], language="en")).totals
    assert (before.no_answer, before.erased) == (1, 0)
    for person in (answered.id, silent["id"]):
        assert await erase_candidate(db, person, "candidate") is not None
    summary = await load_summary(db, event["id"], language="en")
    assert (summary.totals.no_answer, summary.totals.erased) == (1, 1)
    outcomes = {item.candidate_id: item.outcome for group in summary.groups for item in group.interviews}
    assert outcomes == {answered.id: "erased", silent["id"]: "no_answer"}


async def test_a_registration_erased_after_the_event_stays_registered_and_checked_in(db, settings):
    """The employer keeps that there was a registration and that they checked in (the erase
    page says so), and the summary lists their interview: the live view's and the events
    list's counts keep them too (migration 0070), not "3 of 3 checked in" beside 4 held."""
    event = await make_live_event(db, interviewers=1, candidates=3)
    for candidate in event.candidates:
        await db.execute(
            "INSERT INTO queue_entry (event_id, candidate_id, state) VALUES ($1, $2, 'done')",
            event.id,
            candidate,
        )
        await factories.ended_interview(db, event.id, candidate, event.interviewers[0])
    await db.execute(
        "UPDATE event SET state = 'finished', starts_at = now() - interval '3 hours' WHERE id = $1", event.id
    )
    before = (await read_event_view(db, event.id, settings)).counts
    assert (before["registered"], before["checked_in"]) == (3, 3)
    assert await erase_candidate(db, event.candidates[0], "candidate") is not None
    after = (await read_event_view(db, event.id, settings)).counts
    assert (after["registered"], after["checked_in"]) == (3, 3)
    summary = await load_summary(db, event.id, language="en")
    assert sum(len(group.interviews) for group in summary.groups) == 3
