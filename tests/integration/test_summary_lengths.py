"""An interview's length in the summary is the time its call lasted: an abandoned call (both
sides gone, or one side's connection lost for good, and the time box ended it later) is as
long as it was talked, not its planned length; and one the time box ended with no media
times to tell is said to be of unknown length, not given a figure. Page, PDF and CSV (its
length column left empty, for a spreadsheet to sum and average, the note beside it saying
why)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.i18n import load_translations
from app.summary.csv_file import UNKNOWN_LENGTH_NOTE
from tests.accounts import log_in
from tests import summary_support
from tests.pdfs import pdf_text
from tests.summary_support import add_candidate, add_interview, add_interviewer, make_event, org_user

SHOTS = Path("/tmp/shots-summary")
INTERVIEWER = "Örjan Ekström"


async def ended_by_the_clock(db, event, candidate: str, media: str | None) -> int:
    """An interview of 10 minutes (its time box) that the sweeper ended (end_reason 'time'),
    with each side's media times: `media` 'left' (both left the call, the interviewer after
    2 min 40 s, the candidate at 3 minutes), 'stayed' (both in the call to the end: their media
    stopped when the room was destroyed), None (no media times recorded)."""
    await add_candidate(db, event, candidate)
    interview = await add_interview(db, event, candidate, INTERVIEWER, seconds=600)
    stops = {
        "left": ("interval '3 minutes'", "interval '2 minutes 40 seconds'"),
        "stayed": ("interval '10 minutes 1 second'", "interval '10 minutes 1 second'"),
    }.get(media or "")
    await db.execute(
        f"""
        UPDATE interview SET end_reason = 'time', ends_at = ended_at,
               candidate_media_started_at = {"started_at + interval '4 seconds'" if stops else "NULL"},
               interviewer_media_started_at = {"started_at + interval '2 seconds'" if stops else "NULL"},
               candidate_media_stopped_at = {f"started_at + {stops[0]}" if stops else "NULL"},
               interviewer_media_stopped_at = {f"started_at + {stops[1]}" if stops else "NULL"}
        WHERE id = $1""",
        interview,
    )
    return interview


async def lengths_event(db, http, base_url, language: str):
    event = await make_event(db)
    await add_interviewer(db, event, INTERVIEWER)
    await ended_by_the_clock(db, event, "Åsa Öberg", "left")
    await ended_by_the_clock(db, event, "Björn Ängström", None)
    await ended_by_the_clock(db, event, "Märta Ölund", "stayed")
    user = await org_user(db, event, language=language)
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": language})
    return event


def csv_lengths(body: str, language: str) -> dict[str, tuple[str, str]]:
    """Each candidate's length in the CSV and the note on it in the column beside it (the
    organization's copy has their contacts too)."""
    header, *rows = csv.reader(io.StringIO(body), delimiter=";" if language == "sv" else ",")
    column = header.index("Längd (minuter)" if language == "sv" else "Length (minutes)")
    assert header[column + 1] == load_translations(language).gettext("About the length")
    return {row[1]: (row[column], row[column + 1]) for row in rows}


def lengths(page: str) -> dict[str, str]:
    """Each candidate's length on the page."""
    found = re.findall(
        r'class="candidate">([^<]+)</td>\s*<td data-label="[^"]+">[^<]+</td>\s*<td data-label="[^"]+">([^<]+)</td>',
        page,
    )
    return dict(found)


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_an_abandoned_call_shows_the_time_talked(db, http, base_url, tmp_path, language):
    event = await lengths_event(db, http, base_url, language)
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        page = summary_support.without_contacts(await response.text())
    shown = lengths(page)
    assert shown["Åsa Öberg"] == "3 min" and shown["Märta Ölund"] == "10 min", shown
    # The average is of the two lengths known: (180 + 600) / 2 seconds.
    facts = re.sub(r"\s+", " ", page)
    average = "Genomsnittlig längd" if language == "sv" else "Average length"
    assert f'<th scope="row">{average}</th><td>6 min 30 s</td>' in facts
    async with http.get(f"{base_url}/events/{event.id}/summary.csv") as response:
        body = (await response.read()).decode("utf-8-sig")
    rows = csv_lengths(body, language)
    assert (rows["Åsa Öberg"], rows["Märta Ölund"]) == (
        (("3,0", ""), ("10,0", "")) if language == "sv" else (("3.0", ""), ("10.0", ""))
    )
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        pdf = await response.read()
    text = re.sub(r"\s+", " ", summary_support.pdf_without_contacts(pdf_text(pdf, tmp_path)))
    assert "Åsa Öberg" in text and "3 min" in text and "6 min 30 s" in text
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "summary.pdf", SHOTS / f"summary-lengths-{language}.pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            str(tmp_path / "summary.pdf"),
            str(SHOTS / f"summary-lengths-{language}"),
        ],
        check=True,
    )


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_call_of_unknown_length_says_so(db, http, base_url, tmp_path, language):
    """Ended by its time box with no media times: whether it was talked to its end is not
    known, so no figure (the planned 10 minutes) is given for it."""
    unknown, note = {
        "sv": ("Okänd", "Längden på en intervju är okänd: den avslutades när tiden var ute"),
        "en": ("Unknown", "The length of one interview is unknown: it ended when its time was up"),
    }[language]
    event = await lengths_event(db, http, base_url, language)
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        page = summary_support.without_contacts(await response.text())
    assert lengths(page)["Björn Ängström"] == unknown
    assert note in page
    async with http.get(f"{base_url}/events/{event.id}/summary.csv") as response:
        body = (await response.read()).decode("utf-8-sig")
    # The length column holds numbers only, for a spreadsheet to sum and average: this one's
    # cell is empty (AVERAGE skips it, as the page's average does), and the note beside it
    # says why.
    length, why = csv_lengths(body, language)["Björn Ängström"]
    assert length == "" and why == load_translations(language).gettext(UNKNOWN_LENGTH_NOTE)
    if language == "en":
        assert why.startswith("Unknown: the interview ended when its time was up")
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        text = re.sub(
            r"\s+", " ", summary_support.pdf_without_contacts(pdf_text(await response.read(), tmp_path))
        )
    assert re.search(rf"Björn Ängström \d\d:\d\d {unknown}", text), text
    assert note in text
