"""An event edited after interviews were held keeps them whole (app/events/held.py): an
interviewer with interviews stays, the questions and attributes used stay in their places,
and everything else may still change."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from app.events.rules import as_local
from tests.accounts import log_in
from tests.forms import edit_form_of
from tests.summary_support import ATTRIBUTES, QUESTIONS, org_user, sample_event


async def edit(http, base_url, db, event, **changes):
    """POST the edit form with the event as it is, but for `changes`: (status, page)."""
    row = await db.fetchrow("SELECT * FROM event WHERE id = $1", event.id)
    people = await db.fetch(
        "SELECT email, name FROM event_interviewer WHERE event_id = $1 ORDER BY id", event.id
    )
    start = as_local(row["starts_at"])
    fields = {
        "title": row["title"],
        "job_description": row["job_description"],
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "duration_minutes": str(row["duration_minutes"]),
        "interview_minutes": str(row["interview_minutes"]),
        "capacity": str(row["capacity"]),
        "language": row["language"],
        "question": QUESTIONS,
        "attribute": ATTRIBUTES,
        "interviewer_email": [p["email"] for p in people],
        "interviewer_name": [p["name"] for p in people],
    } | changes
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event.id}/edit")
    form = [("csrf_token", csrf), ("edit_version", version)]
    for name, value in fields.items():
        form += [(name, item) for item in value] if isinstance(value, list) else [(name, value)]
    async with http.post(f"{base_url}/events/{event.id}/edit", data=form, allow_redirects=False) as response:
        return response.status, await response.text()


async def snapshot(db, event_id: int):
    return (
        await db.fetch("SELECT position, text FROM event_attribute WHERE event_id = $1 ORDER BY 1", event_id),
        await db.fetch("SELECT position, text FROM event_question WHERE event_id = $1 ORDER BY 1", event_id),
        await db.fetch("SELECT id, email FROM event_interviewer WHERE event_id = $1 ORDER BY 1", event_id),
        await db.fetch(
            """SELECT i.id, i.interviewer_id, r.position, r.rating FROM interview i
               LEFT JOIN interview_rating r ON r.interview_id = i.id WHERE i.event_id = $1 ORDER BY 1, 3""",
            event_id,
        ),
        await db.fetchval("SELECT title FROM event WHERE id = $1", event_id),
    )


@pytest.fixture
async def held(db, http, base_url):
    """The summary's sample event (interviews of every outcome, ratings of both attributes),
    live, with `http` logged in as its organizer in Swedish."""
    event = await sample_event(db, state="live", started_minutes_ago=160, duration_minutes=240)
    # On a whole minute, as the form sets it (a start in the past may only be kept as it is).
    await db.execute("UPDATE event SET starts_at = date_trunc('minute', starts_at) WHERE id = $1", event.id)
    user = await org_user(db, event, language="sv")
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": "sv"})
    return event


async def test_an_interviewer_with_interviews_stays(held, http, base_url, db):
    before = await snapshot(db, held.id)
    lena = await db.fetchval(
        "SELECT email FROM event_interviewer WHERE name = 'Lena Åkesson' AND event_id = $1", held.id
    )
    kept = [row["email"] for row in before[2] if row["email"] != lena]
    status, page = await edit(
        http,
        base_url,
        db,
        held,
        title="Nytt namn",
        interviewer_email=kept,
        interviewer_name=["Örjan Ekström"],
    )
    assert status == 422
    assert f"{lena} har intervjuer i det här intervjutillfället och blir kvar" in page
    assert await snapshot(db, held.id) == before  # nothing saved, the title neither


async def test_used_attributes_and_questions_keep_their_places(held, http, base_url, db):
    before = await snapshot(db, held.id)
    for changes, said in (
        ({"attribute": list(reversed(ATTRIBUTES))}, "Egenskaper som använts i intervjuer"),
        ({"attribute": ATTRIBUTES[:1]}, "Egenskaper som använts i intervjuer"),
        ({"question": [QUESTIONS[0], "Något annat", *QUESTIONS[2:]]}, "Frågor som använts i intervjuer"),
    ):
        status, page = await edit(http, base_url, db, held, **changes)
        assert status == 422, changes
        assert said in page, changes
        assert await snapshot(db, held.id) == before


def inputs(page: str, name: str) -> list[str]:
    """The <input> tags of a list in the form, in order."""
    tags, at = [], 0
    while (at := page.find(f'name="{name}"', at + 1)) != -1:
        start = page.rindex("<input", 0, at)
        tags.append(page[start : page.index(">", at)])
    return tags


async def test_used_questions_and_attributes_are_shown_read_only_and_put_back_when_removed(
    held, http, base_url, db
):
    """The form shows what the interviews began with read only, with why, and no way to
    remove or move it (web/static/js/event-form.js); a save that removed one anyway (an
    old form, no JavaScript) is refused, and the form shows it back in its place with what
    else was typed, so nothing has to be typed again."""
    async with http.get(f"{base_url}/events/{held.id}/edit") as response:
        form = await response.text()
    assert "Frågor som använts i intervjuer blir kvar som de är" in form
    assert "Egenskaper som använts i intervjuer blir kvar som de är" in form
    for name, used in (("question", QUESTIONS), ("attribute", ATTRIBUTES)):
        tags = inputs(form, name)
        assert len(tags) == len(used) + 2  # two empty rows to add new ones in
        for tag, text in zip(tags, used, strict=False):
            assert (
                " readonly " in tag and f'aria-describedby="{name}s-kept"' in tag and f'value="{text}"' in tag
            )
        assert all("readonly" not in tag for tag in tags[len(used) :])
    assert form.count("data-kept") == len(QUESTIONS) + len(ATTRIBUTES) + 2  # and both interviewers
    before = await snapshot(db, held.id)
    status, page = await edit(http, base_url, db, held, question=[*QUESTIONS[1:], "Har du körkort?"])
    assert status == 422 and "Frågor som använts i intervjuer" in page
    assert await snapshot(db, held.id) == before
    shown = [tag.split('value="', 1)[1].split('"', 1)[0] for tag in inputs(page, "question")]
    assert shown == [*QUESTIONS, "Har du körkort?", "", ""]
    # An interviewer with interviews, left out of a save, is refused and shown back, read only.
    people = await db.fetch(
        "SELECT email, name FROM event_interviewer WHERE event_id = $1 ORDER BY id", held.id
    )
    status, page = await edit(
        http,
        base_url,
        db,
        held,
        interviewer_email=[people[1]["email"], "ny@example.se"],
        interviewer_name=[people[1]["name"], "Ny Person"],
    )
    assert status == 422 and "har intervjuer i det här intervjutillfället och blir kvar" in page
    assert await snapshot(db, held.id) == before
    tags = inputs(page, "interviewer_email")
    shown = [tag.split('value="', 1)[1].split('"', 1)[0] for tag in tags]
    # Put back after the rows as sent (their errors name them by place: below), and one
    # empty row to add another in.
    assert shown == [people[1]["email"], "ny@example.se", people[0]["email"], ""]
    assert [" readonly" in tag for tag in tags] == [True, False, True, False]
    # A row's error marks that row with the missing one put back; an address with
    # interviews typed again in another row is that row's error, and the row stays one
    # that can be removed (read only, no save could ever pass).
    status, page = await edit(
        http,
        base_url,
        db,
        held,
        interviewer_email=[people[1]["email"], "inte-en-adress", people[1]["email"].upper()],
        interviewer_name=[people[1]["name"], "", ""],
    )
    assert status == 422 and await snapshot(db, held.id) == before
    tags = inputs(page, "interviewer_email")
    assert [" readonly" in tag for tag in tags] == [True, False, False, True, False]
    assert ['aria-invalid="true"' in tag for tag in tags] == [False, True, True, False, False]
    assert 'aria-describedby="err-interviewers"' in tags[1]
    assert 'aria-describedby="err-interviewers_2"' in tags[2]
    assert page.count("data-kept") == len(QUESTIONS) + len(ATTRIBUTES) + 2


async def test_what_does_not_undo_the_interviews_may_still_change(held, http, base_url, db):
    before = await snapshot(db, held.id)
    status, _ = await edit(
        http,
        base_url,
        db,
        held,
        title="Kundtjänst i Åre, kväll",
        attribute=[*ATTRIBUTES, "Noggrannhet"],
        question=[*QUESTIONS, "Har du körkort?"],
    )
    assert status == 303
    after = await snapshot(db, held.id)
    assert after[3] == before[3]  # every interview and rating as it was
    assert [row["text"] for row in after[0]] == [*ATTRIBUTES, "Noggrannhet"]
    assert [row["text"] for row in after[1]] == [*QUESTIONS, "Har du körkort?"]
    assert after[4] == "Kundtjänst i Åre, kväll"


async def test_the_database_keeps_an_interviews_interviewer_whatever_the_code_does(held, db):
    interviewer_id = held.interviewers["Örjan Ekström"][0]
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute("DELETE FROM event_interviewer WHERE id = $1", interviewer_id)


async def event_row(db, event_id: int):
    return await db.fetchrow(
        "SELECT starts_at, duration_minutes, interview_minutes, state, title, calendar_sequence FROM event WHERE id = $1",
        event_id,
    )


async def test_a_live_event_that_has_started_keeps_its_time(held, http, base_url, db):
    """Moved days ahead it would be listed as upcoming while live, its interviews half held."""
    before = await event_row(db, held.id)
    start = as_local(before["starts_at"])
    in_three_days = (start + dt.timedelta(days=3)).date().isoformat()
    later = start + dt.timedelta(minutes=170)  # ten minutes from now: not in the past
    for changes, field in (
        ({"date": in_three_days, "title": "Nytt namn"}, "date"),
        (
            {"date": later.date().isoformat(), "start_time": later.strftime("%H:%M")},
            "start_time" if later.date() == start.date() else "date",
        ),
        ({"duration_minutes": str(before["duration_minutes"] + 60)}, "duration_minutes"),
        # Longer than the event itself: refused at the minutes, not at the length kept.
        ({"interview_minutes": str(before["duration_minutes"] + 30)}, "interview_minutes"),
        ({"interview_minutes": "15"}, "interview_minutes"),
    ):
        status, page = await edit(http, base_url, db, held, **changes)
        assert status == 422, changes
        assert (
            "Intervjutillfället har börjat: datum, starttid, längd och minuter per intervju kan inte längre ändras."
            in page
        )
        assert f'id="err-{field}"' in page, changes  # beside the field changed
        if field == "interview_minutes":  # shown as it is, read only: not the refused value
            tag = page[page.index('<input id="interview_minutes"') :]
            assert f'value="{before["interview_minutes"]}"' in tag[: tag.index(">")]
        assert await event_row(db, held.id) == before, changes


async def test_a_finished_event_keeps_its_time_in_english(db, http, base_url):
    """Moved to a later date it stayed 'Finished' under Upcoming, its invite link said it was
    over, and interviewers added to it were never invited."""
    event = await sample_event(db, state="finished", started_minutes_ago=180, duration_minutes=120)
    await db.execute("UPDATE event SET starts_at = date_trunc('minute', starts_at) WHERE id = $1", event.id)
    user = await org_user(db, event, language="en")
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": "en"})
    before = await event_row(db, event.id)
    next_week = (as_local(before["starts_at"]) + dt.timedelta(days=7)).date().isoformat()
    status, page = await edit(
        http, base_url, db, event, date=next_week, interviewer_email=[], interviewer_name=[]
    )
    assert status == 422
    assert (
        "This event has been held: its date, start time, length and minutes per interview can no "
        "longer be changed. Copy it to hold it again."
    ) in page
    assert await event_row(db, event.id) == before
    # Its other texts may still change.
    status, _ = await edit(http, base_url, db, event, title="Kundtjänst i Åre, våren")
    assert status == 303
    assert (await event_row(db, event.id))["title"] == "Kundtjänst i Åre, våren"


async def test_an_event_whose_check_in_has_opened_keeps_its_time_shown_read_only(db, http, base_url):
    """Check-in opens before the start: moved to another day then, the event went on being
    held today (its state stays live) against the new day's end, and the candidates waiting
    were told check-in opened the day after. The form says so up front, the fields read
    only; before it said so only after the save."""
    event = await sample_event(db, state="live", started_minutes_ago=-10, duration_minutes=120)
    await db.execute("UPDATE event SET starts_at = date_trunc('minute', starts_at) WHERE id = $1", event.id)
    user = await org_user(db, event, language="sv")
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": "sv"})
    kept = (
        "Incheckningen till intervjutillfället har öppnat: datum, starttid, längd och minuter per intervju"
        " kan inte längre ändras."
    )
    async with http.get(f"{base_url}/events/{event.id}/edit") as response:
        form = await response.text()
    assert kept in form
    for field in ("date", "start_time", "duration_minutes", "interview_minutes"):
        tag = form[form.index(f'<input id="{field}"') :]
        tag = tag[: tag.index(">")]
        assert " readonly " in tag and 'aria-describedby="time-kept' in tag, field
    before = await event_row(db, event.id)
    tomorrow = (as_local(before["starts_at"]) + dt.timedelta(days=1)).date().isoformat()
    status, page = await edit(http, base_url, db, event, date=tomorrow)
    assert status == 422 and kept in page
    assert await event_row(db, event.id) == before
    # The field that cannot be changed shows the date as it is, not the one refused.
    today = as_local(before["starts_at"]).date().isoformat()
    assert f'value="{today}"' in page and f'value="{tomorrow}"' not in page
    # Its other texts may still change, the time left as it is.
    status, _ = await edit(http, base_url, db, event, title="Kundtjänst i Åre")
    assert status == 303
