"""Who has not checked in, on the summary page, in its PDF and its CSV, before, during and after
the event, in both languages: a no-show only once the event is over (until then they may
still come, as the organizer's live view says), and the totals' labels all in the plural."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.pdfs import pdf_text
from tests.accounts import log_in
from tests.summary_support import (
    SummaryEvent,
    add_candidate,
    add_interview,
    add_interviewer,
    make_event,
    org_user,
    pdf_without_contacts,
    without_contacts,
)

# (state, started minutes ago, duration in minutes): the same event before, while and after it
# runs; and one whose time is up though the sweeper has not marked it finished yet (over by
# the clock).
TIMES = {
    "before": ("published", -60, 120),
    "during": ("live", 30, 120),
    "after": ("finished", 180, 120),
    "after by the clock": ("live", 130, 120),
}
OVER = {"before": False, "during": False, "after": True, "after by the clock": True}

TEXTS = {
    "sv": {
        "yet": "Anmälda som inte har checkat in än",
        "yet heading": "Har inte checkat in än (1)",
        "yet status": "Har inte checkat in än",
        "no-shows": "Anmälda som aldrig checkade in",
        "no-shows heading": "Checkade aldrig in (1)",
        "no-shows status": "Checkade aldrig in",
        "interested": "Intresserade av jobbet",
        "not interested": "Inte intresserade av jobbet",
        "not started": "Intervjutillfället har inte börjat än",
        "pdf not started": "Intervjutillfället hade inte börjat",
        "pdf running": "Intervjutillfället pågick",
        "delimiter": ";",
    },
    "en": {
        "yet": "Registered, not checked in yet",
        "yet heading": "Not checked in yet (1)",
        "yet status": "Not checked in yet",
        "no-shows": "Registered, never checked in",
        "no-shows heading": "Never checked in (1)",
        "no-shows status": "Never checked in",
        "interested": "Interested in the job",
        "not interested": "Not interested in the job",
        "not started": "The event has not started yet",
        "pdf not started": "The event had not started",
        "pdf running": "The event was still running",
        "delimiter": ",",
    },
}
ABSENT = "Karin Kandidat"
INTERVIEWED = (("Åsa Öberg", True), ("Björn Ängström", False))


async def event_at(db, http, base_url, language: str, when: str) -> SummaryEvent:
    """An event with one candidate who has not checked in and, once it has begun, one
    interviewed who was interested and one who was not; `http` logged in as a user of its
    organization reading `language`."""
    state, started_minutes_ago, duration_minutes = TIMES[when]
    event = await make_event(
        db, state=state, started_minutes_ago=started_minutes_ago, duration_minutes=duration_minutes
    )
    await add_interviewer(db, event, "Lena Åkesson")
    await add_candidate(db, event, ABSENT, checked_in=False)
    for name, interested in INTERVIEWED:
        await add_candidate(db, event, name)
        if when != "before":  # so the page says the event has not started
            await add_interview(
                db, event, name, "Lena Åkesson", minutes_ago=5, seconds=120, interested=interested
            )
    user = await org_user(db, event, language=language)
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": language})
    return event


def row(label: str, count: int) -> re.Pattern[str]:
    return re.compile(rf'<th scope="row">{re.escape(label)}</th><td>{count}</td>')


def pdf_words(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text with each run of spaces one space."""
    return re.sub(r"[ \t]+", " ", pdf_without_contacts(pdf_text(pdf, tmp_path)))


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("when", list(TIMES))
async def test_not_checked_in_is_a_no_show_only_once_the_event_is_over(
    db, http, base_url, tmp_path, language, when
):
    text = TEXTS[language]
    over = OVER[when]
    said, unsaid = ("no-shows", "yet") if over else ("yet", "no-shows")
    event = await event_at(db, http, base_url, language, when)
    base = f"{base_url}/events/{event.id}/summary"

    async with http.get(base) as response:
        assert response.status == 200
        page = re.sub(r">\s+<", "><", without_contacts(await response.text()))
    assert row(text[said], 1).search(page), page
    assert f"<h3>{text[f'{said} heading']}</h3><ul><li>{ABSENT}</li></ul>" in page
    for label in (text[unsaid], text[f"{unsaid} heading"]):
        assert label not in page
    held = 0 if when == "before" else 1
    assert row(text["interested"], held).search(page) and row(text["not interested"], held).search(page)
    assert (text["not started"] in page) == (when == "before")

    async with http.get(f"{base}.pdf") as response:
        assert response.status == 200
        pdf = pdf_words(await response.read(), tmp_path)
    assert re.search(rf"{re.escape(text[said])} 1\n", pdf), pdf
    assert f"{ABSENT} {text[f'{said} status']}\n" in pdf
    # Before the start the PDF says so, not that the event was running.
    assert (text["pdf not started"] in pdf) == (when == "before")
    assert (text["pdf running"] in pdf) == (when == "during")
    assert text[unsaid] not in pdf and text[f"{unsaid} status"] not in pdf
    assert f"{text['interested']} {held}\n" in pdf and f"{text['not interested']} {held}\n" in pdf

    # The CSV has a row per interview, then those not interviewed with their status: the
    # one who has not checked in under the name that fits the time, never the other.
    async with http.get(f"{base}.csv") as response:
        assert response.status == 200
        body = (await response.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=text["delimiter"]))
    interviews = [line for line in rows[1:] if line[0]]
    assert sorted(line[1] for line in interviews) == (
        [] if when == "before" else ["Björn Ängström", "Åsa Öberg"]
    )
    status = {line[1]: line[8] for line in rows[1:] if not line[0]}
    assert status[ABSENT] == text[f"{said} status"]
    assert text[f"{unsaid} status"] not in body
