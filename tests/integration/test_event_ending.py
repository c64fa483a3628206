"""An organizer ends an event being held before its set end, over real HTTP: what the page
says first, what changes for the candidates waiting and the interviews under way, and the
edit and copy forms of the event afterwards."""

from __future__ import annotations

import datetime as dt
import re

from app.events.rules import as_local
from app.live import queue
from app.live.event_states import advance_event_states
from tests import factories
from tests.accounts import log_in, make_user
from tests.forms import csrf_from, edit_form_of, get_page
from tests.integration.channel_support import (
    INTERVIEWER_CODE,
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.test_events import create_event, event_form, event_page
from tests.pdfs import pdf_text
from tests.mails import calendar_event, forget_mails_to, unique_email, wait_for_mail


async def post_end(http, base_url: str, event_id: int, form_page: str):
    csrf = await csrf_from(http, f"{base_url}{form_page}")
    return await http.post(
        f"{base_url}/events/{event_id}/end", data={"csrf_token": csrf}, allow_redirects=False
    )


async def begun_event(http, base_url: str, db, *, minutes_ago: int) -> int:
    """A published event whose start, on a whole minute, was `minutes_ago` minutes ago."""
    event_id = await create_event(http, base_url, action="publish", interviewer_email=[unique_email("ida")])
    await db.execute(
        """UPDATE event SET starts_at = date_trunc('minute', now()) - make_interval(mins => $2),
               state = 'live' WHERE id = $1""",
        event_id,
        minutes_ago,
    )
    return event_id


async def interview_under_way(db, event_id: int, settings, candidate_id: int | None = None) -> None:
    """An interview going on in the event (the live flow's own tests make real ones)."""
    if candidate_id is None:
        candidate_id = (await factories.add_candidate(db, event_id, name="Tor Talar"))["id"]
        await queue.check_in(db, candidate_id, settings.live)
    interviewer = await db.fetchval("SELECT id FROM event_interviewer WHERE event_id = $1", event_id)
    await db.execute("UPDATE queue_entry SET state = 'interviewing' WHERE candidate_id = $1", candidate_id)
    await db.execute(
        """
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', 'janus1', 1, now(), now(), now() + interval '8 minutes')""",
        event_id,
        candidate_id,
        interviewer,
    )


async def test_ending_early_stops_the_queue_lets_the_interview_finish_and_keeps_the_plan(
    employer, base_url, db, settings
):
    http, _ = employer
    event_id = await begun_event(http, base_url, db, minutes_ago=3)
    waiting = await factories.add_candidate(db, event_id, name="Vera Väntar")
    talking = await factories.add_candidate(db, event_id, name="Tor Talar")
    for candidate in (waiting, talking):
        await queue.check_in(db, candidate["id"], settings.live)
    await interview_under_way(db, event_id, settings, talking["id"])

    page = await event_page(http, base_url, event_id)
    assert f'href="/events/{event_id}/end"' in page and "Avsluta intervjutillfället nu" in page
    # The page asked first says what it does, with the figures of this moment.
    status, confirm = await get_page(http, f"{base_url}/events/{event_id}/end")
    assert status == 200
    assert "1 kandidat som fortfarande väntar får veta att intervjutillfället är slut" in confirm
    assert (
        "1 intervju som pågår, eller där kandidaten kallas in just nu, fortsätter tills den är klar."
        in confirm
    )
    set_end = as_local(
        await db.fetchval("SELECT starts_at + interval '60 minutes' FROM event WHERE id = $1", event_id)
    )
    assert f"Det ska sluta kl. {set_end:%H:%M}." in confirm

    async with new_client() as candidate_http:
        await sign_in_candidate(candidate_http, base_url, waiting["access_token"])
        async with recording(candidate_http, f"{base_url}/c/{waiting['access_token']}/ws") as candidate:
            await candidate.wait_for(lambda m: m["type"] == "state" and m["queue"]["state"] == "waiting")
            response = await post_end(http, base_url, event_id, f"/events/{event_id}/end")
            assert response.status == 303
            assert response.headers["Location"] == f"/events/{event_id}?notice=ended"
            # The waiting page is told at once that the event's time is over.
            told = await candidate.wait_for(
                lambda m: (
                    m["type"] == "state"
                    and dt.datetime.fromisoformat(m["event"]["ends_at"]) <= dt.datetime.now(dt.UTC)
                )
            )
            assert told["queue"]["state"] == "waiting"
            # The end the pages are told is the moment it was ended, not its whole minute:
            # the waits the lobbies count up to it did not go back by the seconds past it.
            ended_at = await db.fetchval("SELECT ended_early_at FROM event WHERE id = $1", event_id)
            assert dt.datetime.fromisoformat(told["event"]["ends_at"]) == ended_at

    row = await db.fetchrow(
        "SELECT state::text, duration_minutes, planned_duration_minutes, ended_early_at FROM event WHERE id = $1",
        event_id,
    )
    # Three whole minutes ran; the interview still goes on, so the event is not finished yet.
    assert (row["state"], row["duration_minutes"], row["planned_duration_minutes"]) == ("live", 3, 60)
    assert row["ended_early_at"] is not None
    _, page = await get_page(http, f"{base_url}/events/{event_id}?notice=ended")
    assert "Intervjutillfället är avslutat. Inga fler kallas in från kön" in page
    assert "Avslutat i förtid av arrangören kl." in page and ", efter 3 minuter." in page
    assert "60 minuter, 10 minuter per intervju" in page  # the length it was planned for
    assert f'href="/events/{event_id}/end"' not in page
    # Its status says it is ending while the interview goes on, not that it is in progress.
    assert "<dd>Avslutas: intervjuer pågår fortfarande</dd>" in page
    # Deleting it now would end that interview: its delete page says so.
    _, delete = await get_page(http, f"{base_url}/events/{event_id}/delete")
    assert "En intervju pågår fortfarande: den avbryts direkt om du raderar" in delete
    # Ended once: a second post (an old tab) changes nothing and says it was ended already,
    # and so does its confirmation page reached again (the Back button), not "not ended".
    response = await post_end(http, base_url, event_id, f"/events/{event_id}")
    assert response.headers["Location"] == f"/events/{event_id}?notice=already_ended"
    assert await db.fetchval("SELECT duration_minutes FROM event WHERE id = $1", event_id) == 3
    async with http.get(f"{base_url}/events/{event_id}/end", allow_redirects=False) as again:
        assert again.headers["Location"] == f"/events/{event_id}?notice=already_ended"
    _, page = await get_page(http, f"{base_url}/events/{event_id}?notice=already_ended")
    assert "Intervjutillfället har redan avslutats." in page and "avslutades inte" not in page

    # The interview ends at its own time; then the event is finished.
    await db.execute(
        "UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'time' WHERE event_id = $1",
        event_id,
    )
    assert event_id in await advance_event_states(db, settings.live)
    assert "<dd>Avslutat</dd>" in await event_page(http, base_url, event_id)

    # Its edit form saves with the three minutes it ran (shorter than a form allows, and
    # than one interview), and a copy is set to the hour it was planned for.
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    # It says what the three minutes are, and asks no more how many it can hold (it said
    # "more can register (…) than the event can interview (0)").
    _, edit = await get_page(http, f"{base_url}/events/{event_id}/edit")
    assert (
        "Minuter som intervjutillfället pågick: det avslutades i förtid (60 minuter var planerade)." in edit
    )
    assert "data-capacity-summary" not in edit
    start = as_local(await db.fetchval("SELECT starts_at FROM event WHERE id = $1", event_id))
    form = event_form(
        csrf,
        edit_version=version,
        title="Säljare till Lund",
        date=start.date().isoformat(),
        start_time=f"{start:%H:%M}",
        duration_minutes="3",
        interviewer_email=[
            await db.fetchval("SELECT email FROM event_interviewer WHERE event_id = $1", event_id)
        ],
        interviewer_name=["Ida"],
    )
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as saved:
        assert saved.status == 303, await saved.text()
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event_id) == "Säljare till Lund"
    _, copy = await get_page(http, f"{base_url}/events/{event_id}/copy")
    assert re.search(r'name="duration_minutes"[^>]* value="60"', copy)


async def test_an_event_not_begun_or_another_organizations_cannot_be_ended(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish", interviewer_email=[unique_email("ida")])
    page = await event_page(http, base_url, event_id)
    assert f'href="/events/{event_id}/end"' not in page
    # Before its start (a week ahead): refused, nothing changed; deleting is what cancels it.
    status, _ = await get_page(http, f"{base_url}/events/{event_id}/end", allow_redirects=False)
    assert status == 303
    response = await post_end(http, base_url, event_id, f"/events/{event_id}")
    assert response.headers["Location"] == f"/events/{event_id}?notice=end_refused"
    assert await db.fetchval("SELECT ended_early_at FROM event WHERE id = $1", event_id) is None
    _, page = await get_page(http, f"{base_url}{response.headers['Location']}")
    assert "Intervjutillfället avslutades inte: det har inte börjat än, eller så är det redan slut." in page

    begun = await begun_event(http, base_url, db, minutes_ago=10)
    stranger = await make_user(db)
    async with new_client() as other:
        await log_in(other, base_url, stranger["email"])
        status, _ = await get_page(other, f"{base_url}/events/{begun}/end")
        assert status == 404
        csrf = await csrf_from(other, f"{base_url}/events")
        async with other.post(f"{base_url}/events/{begun}/end", data={"csrf_token": csrf}) as response:
            assert response.status == 404
    assert await db.fetchval("SELECT ended_early_at FROM event WHERE id = $1", begun) is None


async def test_ended_in_its_first_minute_its_calendar_entries_keep_the_planned_hour(
    employer, base_url, db, settings
):
    """An event ended at once has run no whole minute; the mails that carry a calendar entry
    (an interviewer's new link, still possible while they finish their notes) still go out,
    with the entry as planned. (A candidate is mailed nothing once it is over.)"""
    http, _ = employer
    event_id = await begun_event(http, base_url, db, minutes_ago=0)
    await interview_under_way(db, event_id, settings)  # so it stays live a while after the end
    response = await post_end(http, base_url, event_id, f"/events/{event_id}/end")
    assert response.headers["Location"] == f"/events/{event_id}?notice=ended"
    assert await db.fetchval("SELECT duration_minutes FROM event WHERE id = $1", event_id) == 0
    # The interview going on began in that minute: the event held one, it was not empty.
    page = await event_page(http, base_url, event_id)
    assert ", efter 1 intervju." in page and "första minuten" not in page
    interviewer = await db.fetchrow("SELECT id, email FROM event_interviewer WHERE event_id = $1", event_id)
    forget_mails_to(settings.mail.catcher_dir, interviewer["email"])
    csrf = await csrf_from(http, f"{base_url}/events/{event_id}")
    async with http.post(
        f"{base_url}/events/{event_id}/interviewers/{interviewer['id']}/reissue", data={"csrf_token": csrf}
    ) as reissued:
        assert reissued.status == 200, await reissued.text()
    [mail] = await wait_for_mail(settings.mail.catcher_dir, interviewer["email"])
    entry = calendar_event(mail)
    assert entry["DTEND"].dt - entry["DTSTART"].dt == dt.timedelta(minutes=60)


async def test_ended_at_its_start_after_interviews_from_check_in_it_says_what_it_held(employer, base_url, db):
    """Interviews may begin from check-in, before the set start: an event ended at its start
    after three of them says it held three, not that it was ended in its first minute; one
    ended then that held none says so. No interview going on: the notice says it is over,
    with no talk of interviews going on."""
    http, _ = employer
    event_id = await begun_event(http, base_url, db, minutes_ago=0)
    # Begun this very moment, not at the whole minute: a start at 12:00:00 ended at 12:01:00.5
    # (a slow machine) was in its second minute, and said so.
    await db.execute("UPDATE event SET starts_at = now() WHERE id = $1", event_id)
    interviewer = await db.fetchval("SELECT id FROM event_interviewer WHERE event_id = $1", event_id)
    for n in range(3):
        candidate = await factories.add_candidate(db, event_id, name=f"Kandidat {n}")
        await db.execute(
            """
            INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                                   janus_server, room_id, offer_expires_at, started_at, ends_at,
                                   ended_at, end_reason)
            VALUES ($1, $2, $3, 'next', 'ended', 'janus1', 1, now() - interval '10 minutes',
                    now() - interval '10 minutes', now() - interval '2 minutes',
                    now() - interval '2 minutes', 'time')""",
            event_id,
            candidate["id"],
            interviewer,
        )
    response = await post_end(http, base_url, event_id, f"/events/{event_id}/end")
    assert response.headers["Location"] == f"/events/{event_id}?notice=finished_now"
    _, page = await get_page(http, f"{base_url}{response.headers['Location']}")
    assert "Intervjutillfället är avslutat. Inga fler kallas in från kön; ingen intervju pågick." in page
    assert "avslutat helt" not in page
    assert re.search(r"Avslutat i förtid av arrangören kl\. \d\d:\d\d, efter 3 intervjuer\.", page)
    assert "första minuten" not in page
    empty = await begun_event(http, base_url, db, minutes_ago=0)
    await db.execute("UPDATE event SET starts_at = now() WHERE id = $1", empty)
    await post_end(http, base_url, empty, f"/events/{empty}/end")
    assert ", redan under första minuten." in await event_page(http, base_url, empty)


async def test_an_event_not_ended_early_is_held_to_the_forms_rules_on_edit(employer, base_url):
    """Only an event ended early keeps a length the form would refuse: any other edit that
    makes the event shorter than one interview is told so, and nothing is saved."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="draft")
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    form = event_form(csrf, edit_version=version, interview_minutes="90")
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as refused:
        assert refused.status == 422
        assert "Intervjutillfället är kortare än en intervju (90 minuter)." in await refused.text()


async def test_an_event_in_progress_before_its_set_start_may_be_ended_and_says_what_it_held(
    employer, base_url, db, settings, tmp_path
):
    """Check-in open, an interviewer called a candidate in eleven minutes ago, before the set
    start: its status says in progress, so it may be ended now. What it held is eleven
    minutes from that call, on its page, its edit form and its waits; a copy keeps the plan.
    With check-in open and nobody called in, it has not begun: still refused."""
    http, _ = employer
    interviewer = unique_email("ida")
    event_id = await create_event(http, base_url, action="publish", interviewer_email=[interviewer])
    await db.execute(
        """UPDATE event SET starts_at = date_trunc('minute', now()) + interval '5 minutes',
               state = 'live' WHERE id = $1""",
        event_id,
    )
    # Check-in open, nobody called in: not begun.
    page = await event_page(http, base_url, event_id)
    assert "<dd>Incheckning öppen</dd>" in page and f'href="/events/{event_id}/end"' not in page
    response = await post_end(http, base_url, event_id, f"/events/{event_id}")
    assert response.headers["Location"] == f"/events/{event_id}?notice=end_refused"

    talking = await factories.add_candidate(db, event_id, name="Tor Talar")
    await queue.check_in(db, talking["id"], settings.live)
    await interview_under_way(db, event_id, settings, talking["id"])
    await db.execute(
        "UPDATE interview SET offered_at = now() - interval '11 minutes 30 seconds' WHERE event_id = $1",
        event_id,
    )
    planned = as_local(await db.fetchval("SELECT starts_at FROM event WHERE id = $1", event_id))
    page = await event_page(http, base_url, event_id)
    assert "<dd>Pågår</dd>" in page and "Avsluta intervjutillfället nu" in page
    status, _ = await get_page(http, f"{base_url}/events/{event_id}/end")
    assert status == 200
    response = await post_end(http, base_url, event_id, f"/events/{event_id}/end")
    assert response.headers["Location"] == f"/events/{event_id}?notice=ended"

    row = await db.fetchrow(
        """SELECT duration_minutes, starts_at, planned_starts_at, ended_early_at,
                  (SELECT offered_at FROM interview WHERE event_id = $1) AS called_in
           FROM event WHERE id = $1""",
        event_id,
    )
    # Held from the call in to the end: eleven whole minutes, never a negative length.
    assert row["duration_minutes"] == 11
    assert row["starts_at"] == row["called_in"] and as_local(row["planned_starts_at"]) == planned
    assert row["starts_at"] + dt.timedelta(minutes=11) <= row["ended_early_at"]
    page = await event_page(http, base_url, event_id)
    called_in = as_local(row["called_in"])
    # (In either language: the words are new.) Its minutes are those between the two clock
    # times it shows ("at 22:32, after 5 minutes from 22:27"), not the length's whole minutes
    # held (11 here), which read as one short when the seconds of the two fall so.
    ended = as_local(row["ended_early_at"])
    minutes = (ended.replace(second=0, microsecond=0) - called_in.replace(second=0, microsecond=0)) // (
        dt.timedelta(minutes=1)
    )
    assert minutes in (11, 12)
    assert re.search(rf'id="ended-early">[^<]*{ended:%H:%M}[^<]*\b{minutes}\b[^<]*{called_in:%H:%M}', page)
    assert "<dd>Avslutas: intervjuer pågår fortfarande</dd>" in page
    assert f"kl. {planned:%H:%M}" in page  # when it was set for

    _, edit = await get_page(http, f"{base_url}/events/{event_id}/edit")
    assert re.search(r'name="duration_minutes"[^>]* value="11"', edit)
    # Its form shows the start to the minute (the call-in's, seconds cut) and sends it back
    # unchanged with a new title: saved, the start kept to its second, not refused as passed.
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    shown = {
        name: re.search(rf'name="{name}"[^>]* value="([^"]*)"', edit).group(1)
        for name in ("date", "start_time", "capacity", "interview_minutes")
    }
    form = event_form(
        csrf,
        edit_version=version,
        title="Ny titel",
        duration_minutes="11",
        interviewer_email=[interviewer],
        **shown,
    )
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as saved:
        assert saved.status == 303, await saved.text()
    after = await db.fetchrow("SELECT title, starts_at, duration_minutes FROM event WHERE id = $1", event_id)
    assert tuple(after) == ("Ny titel", row["starts_at"], 11)
    _, copy = await get_page(http, f"{base_url}/events/{event_id}/copy")
    assert re.search(r'name="duration_minutes"[^>]* value="60"', copy)
    assert re.search(rf'name="start_time"[^>]* value="{planned:%H:%M}"', copy)

    # The interviewer's meeting web and the summary say the start it was set for, as the
    # invitation, the calendar and the event's page do (they said the call-in's minute).
    token = await db.fetchval(
        "UPDATE event_interviewer SET access_code = $2 WHERE event_id = $1 RETURNING access_token",
        event_id,
        INTERVIEWER_CODE,
    )
    async with new_client() as interviewer:
        # So does the link's page before the code, and the employer's list of events.
        _, landing = await get_page(interviewer, f"{base_url}/i/{token}")
        assert f"{planned:%H:%M}" in landing and f"{called_in:%H:%M}" not in landing
        _, listed = await get_page(http, f"{base_url}/events?past=1")
        row = re.search(rf'href="/events/{event_id}"[\s\S]*?</tr>', listed)
        assert row and f"{planned:%H:%M}" in row.group(0) and f"{called_in:%H:%M}" not in row.group(0)
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        _, meeting = await get_page(interviewer, f"{base_url}/i/{token}")
    assert re.search(rf'id="event-when"[^>]*>[^<]*\b{planned:%H:%M}\b', meeting), meeting
    _, summary = await get_page(http, f"{base_url}/events/{event_id}/summary")
    assert re.search(rf'class="summary-when">[^<]*\b{planned:%H:%M}\b', summary)
    # ... and, there and in its PDF, that it was ended early, and when; held from the
    # call-in before its set start (its interviews then read as held before it began).
    ended_at = as_local(await db.fetchval("SELECT ended_early_at FROM event WHERE id = $1", event_id))
    said = (
        f"pågick från kl. {called_in:%H:%M}, då den första kandidaten kallades in, och avslutades i förtid"
        f" av arrangören kl. {ended_at:%H:%M}"
    )
    assert f"{said}</p>" in " ".join(summary.split())
    async with http.get(f"{base_url}/events/{event_id}/summary.pdf") as response:
        text = pdf_text(await response.read(), tmp_path)
    assert said in " ".join(text.split())
    _, delete = await get_page(http, f"{base_url}/events/{event_id}/delete")
    assert f"{planned:%H:%M}" in delete and f"{called_in:%H:%M}" not in delete
    # So does the invite link's page, which says it is over (and both its languages' texts).
    invite_token = await db.fetchval("SELECT invite_token FROM event WHERE id = $1", event_id)
    async with new_client() as visitor:
        _, invite = await get_page(visitor, f"{base_url}/r/{invite_token}")
    when = re.search(r'data-i18n="When">[^<]*</dt><dd([^>]*)>([^<]*)</dd>', invite)
    assert when and f"{planned:%H:%M}" in when.group(2), invite
    assert f"{called_in:%H:%M}" not in when.group(0)
