"""Names sort by the viewer's language's rules (Swedish: … Z, Å, Ä, Ö; English: Å and Ä as A)
on a database cluster made with the C.UTF-8 locale, which sorts by code point: the summary
(page, CSV, PDF), the employer's candidate list and the colleagues. app/names.py."""

from __future__ import annotations

import csv
import io
import re

import pytest

from app.names import by_name, name_order
from tests.pdfs import pdf_text
from tests.accounts import log_in
from tests.summary_support import (
    add_candidate,
    add_interview,
    add_interviewer,
    make_event,
    org_user,
    pdf_without_contacts,
    without_contacts,
)

NAMES = ["Östen", "Zara", "Ärla", "Linnéa", "Anna", "Åke", "Émile"]
ORDER = {
    "sv": ["Anna", "Émile", "Linnéa", "Zara", "Åke", "Ärla", "Östen"],
    "en": ["Åke", "Anna", "Ärla", "Émile", "Linnéa", "Östen", "Zara"],
}


def in_order(text: str, names: list[str]) -> list[str]:
    """The names as they come in `text` (each once)."""
    return sorted(names, key=text.index)


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_database_sorts_by_the_language_whatever_the_cluster_locale(db, language):
    assert (
        await db.fetchval("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        == "C.UTF-8"
    )
    rows = await db.fetch(
        f"SELECT name FROM unnest($1::text[]) AS t(name) ORDER BY {by_name('name', language)}", NAMES
    )
    assert [row["name"] for row in rows] == ORDER[language]
    order = await name_order(db, NAMES, language)
    assert sorted(NAMES, key=order) == ORDER[language]


async def event_with_names(db):
    """One interviewer per name and one candidate per name, each interviewed (and each name
    twice more as a candidate who never checked in: the no-shows list)."""
    event = await make_event(db)
    for name in NAMES:
        await add_interviewer(db, event, f"{name} Intervjuare")
        await add_candidate(db, event, f"{name} Kandidat")
        await add_candidate(db, event, f"{name} Frånvarande", checked_in=False)
        await add_interview(
            db,
            event,
            f"{name} Kandidat",
            f"{NAMES[0]} Intervjuare",
            minutes_ago=100 - len(event.candidates),
            interested=True,
        )
    return event


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_summary_page_csv_and_pdf_in_the_viewers_order(db, http, base_url, tmp_path, language):
    event = await event_with_names(db)
    user = await org_user(db, event, language=language)
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": language})
    expected = ORDER[language]
    base = f"{base_url}/events/{event.id}/summary"

    async with http.get(f"{base}?sort=candidate&dir=asc") as response:
        page = without_contacts(await response.text())
    groups = re.findall(r'<h3 id="group-\d+">([^<]+)</h3>', page)
    assert groups == [f"{name} Intervjuare" for name in expected]
    cells = re.findall(r'class="candidate">([^<]+)</td>', page)
    assert cells == [f"{name} Kandidat" for name in expected]
    absent = page.partition('id="absent-heading"')[2]
    assert in_order(absent, [f"{name} Frånvarande" for name in NAMES]) == [
        f"{name} Frånvarande" for name in expected
    ]

    async with http.get(f"{base}.csv?sort=candidate&dir=asc") as response:
        body = (await response.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";" if language == "sv" else ","))
    listed = [cell for row in rows for cell in row if cell.endswith(" Kandidat")]
    assert listed == [f"{name} Kandidat" for name in expected]

    async with http.get(f"{base}.pdf?sort=candidate&dir=asc") as response:
        assert response.status == 200
        text = pdf_without_contacts(pdf_text(await response.read(), tmp_path))
    assert in_order(text, [f"{name} Kandidat" for name in NAMES]) == [f"{name} Kandidat" for name in expected]
    # The interviewers' sections, after the per-interviewer table (where a name may fit
    # its cell or wrap in it, as its length falls).
    sections = text[text.index("Alla intervjuare" if language == "sv" else "All interviewers") :]
    assert in_order(sections, [f"{name} Intervjuare" for name in NAMES[1:]]) == [
        f"{name} Intervjuare" for name in expected if name != NAMES[0]
    ]


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_employer_candidate_list_and_colleagues_in_the_viewers_order(db, http, base_url, language):
    event = await make_event(db, state="published", started_minutes_ago=-600)
    for name in NAMES:
        await add_candidate(db, event, f"{name} Sökande", checked_in=False)
        await org_user(db, event, name=f"{name} Kollega")
    user = await org_user(db, event, language=language)
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": language})
    async with http.get(f"{base_url}/events/{event.id}") as response:
        page = await response.text()
    table = page.partition('class="data candidate-table"')[2]
    assert in_order(table, [f"{name} Sökande" for name in NAMES]) == [
        f"{name} Sökande" for name in ORDER[language]
    ]
    async with http.get(f"{base_url}/account/colleagues") as response:
        page = await response.text()
    assert in_order(page, [f"{name} Kollega" for name in NAMES]) == [
        f"{name} Kollega" for name in ORDER[language]
    ]
