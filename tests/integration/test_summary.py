"""The summary page, PDF and CSV on the real stack: content in both languages, sorting, the CSV
for Excel, and that odd input never fails."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.pdfs import pdf_text
from tests.accounts import log_in
from tests.integration.channel_support import new_client, sign_in_interviewer
from app.i18n import load_translations
from app.summary import model as summary_model
from app.views import summary as summary_view
from tests.summary_support import (
    QUESTIONS,
    add_candidate,
    add_interview,
    add_interviewer,
    big_event,
    make_event,
    org_user,
    pdf_without_contacts,
    sample_event,
    without_contacts,
)

SHOTS = Path("/tmp/shots-summary")
# A text new to the catalog is checked in its place as the catalog has it.
SWEDISH = load_translations("sv")

OUTCOMES = {
    "sv": ["Intresserad", "Inte intresserad", "Inget svar", "Missad"],
    "en": ["Interested", "Not interested", "No answer", "Missed"],
}
CANDIDATES = ["Åsa Öberg", "Björn Ängström", "Märta Ölund", "Kåre Näslund", "Ümit Çelik"]
NOT_INTERVIEWED = ["Göran Älvdal", "Ida Lind"]
INTERVIEWERS = ["Örjan Ekström", "Lena Åkesson"]


async def logged_in_event(db, http, base_url, language: str = "sv", **options):
    """The sample event, and `http` logged in as a user of its organization reading `language`."""
    event = await sample_event(db, **options)
    user = await org_user(db, event, language=language)
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": language})
    return event


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_page_lists_every_interview_with_totals(db, http, base_url, language):
    event = await logged_in_event(db, http, base_url, language)
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        page = await response.text()
    for name in CANDIDATES + NOT_INTERVIEWED + INTERVIEWERS + OUTCOMES[language]:
        assert name in page, name
    assert "Stark på kundbemötande." in page and QUESTIONS[2] in page
    assert "=HYPERLINK(&#34;http://evil.example&#34;)" in page  # shown as text, escaped
    # 4 held interviews with 4 different candidates; 2 interested; 1 no-show; 9:05 on average
    # of 545, 600, 420 and 480 seconds (511 s = 8 min 31 s).
    facts = re.sub(r"\s+", " ", page)
    assert re.search(r"<td>4</td>", facts) and "8 min 31 s" in facts
    assert f'href="/events/{event.id}/summary.pdf?sort=time&amp;dir=asc"' in page


# The per-interviewer table's headings (web/templates/summary/_totals.html interviewer_head).
HEADINGS = {
    "sv": [
        "Intervjuare",
        "Intervjuer",
        "Intresserad",
        "Inte intresserad",
        "Inget svar",
        "Missade turer",
        "Avböjda turer",
        "Genomsnittlig längd",
    ],
    "en": [
        "Interviewer",
        "Interviews",
        "Interested",
        "Not interested",
        "No answer",
        "Turns missed",
        "Turns declined",
        "Average length",
    ],
}


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_pdf_holds_every_name_and_outcome(db, http, base_url, tmp_path, language):
    event = await logged_in_event(db, http, base_url, language)
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        assert response.status == 200, await response.text()
        assert response.content_type == "application/pdf"
        assert re.match(
            # (Swedish: "sammanstallning" once its words are translated.)
            r'attachment; filename="kundtjanst-i-are-[0-9a-f]{4}-\d{4}-\d\d-\d\d-'
            + ("summary" if language == "en" else "(summary|sammanstallning)")
            + r'\.pdf"',
            response.headers["Content-Disposition"],
        )
        pdf = await response.read()
    text = pdf_text(pdf, tmp_path)
    for name in CANDIDATES + NOT_INTERVIEWED + INTERVIEWERS + OUTCOMES[language] + [event.title]:
        assert name in text, name
    assert re.search(r"Sida 1 av [12]\b" if language == "sv" else r"Page 1 of [12]\b", text)
    assert "Stark på kundbemötande." in text and "Spännande jobb, tack!" in text
    # When it was made stands under the title, before the totals: never alone on a last page.
    made = text.index("Framtagen " if language == "sv" else "Generated on ")
    assert text.index(event.title) < made < text.index("Totalt" if language == "sv" else "Totals")
    # Untagged (xhtml2pdf), it says where the page a screen reader reads is, and a viewer
    # names its window by the title (PDF18).
    page = f"{base_url}/events/{event.id}/summary"
    assert page in " ".join(text.split()), text[:600]
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "summary.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Title: +(Sammanställning|Summary): ", info, re.M), info
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.viewer_preferences is not None and bool(reader.viewer_preferences.display_doctitle)
    assert reader.trailer["/Root"]["/Lang"] == language
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "summary.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "DejaVuSans" in fonts
    # The per-interviewer table's headings keep their words ("Missad / e turer" did).
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(tmp_path / "summary.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r"<word [^>]*>([^<]+)</word>", boxes)
    title = ["Per", "intervjuare" if language == "sv" else "interviewer"]
    start = next(n for n in range(len(words)) if words[n : n + 2] == title) + 2
    headings = " ".join(HEADINGS[language])
    assert " ".join(words[start:])[: len(headings)] == headings
    # A picture to look at (tests/browser and the report): the first page as PNG.
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "summary.pdf", SHOTS / f"summary-{language}.pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "summary.pdf"),
            str(SHOTS / f"summary-{language}"),
        ],
        check=True,
    )


async def test_csv_opens_in_swedish_excel(db, http, base_url):
    event = await logged_in_event(db, http, base_url, "sv")
    phones = {"Åsa Öberg": "+46 70-123 45 67", "Ida Lind": "0701234567"}
    for name, phone in phones.items():
        await db.execute("UPDATE candidate SET phone = $2 WHERE id = $1", event.candidates[name], phone)
    async with http.get(f"{base_url}/events/{event.id}/summary.csv") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith('attachment; filename="kundtjanst')
        body = await response.read()
    # The event page's list of everyone registered is this file, under a name of its own.
    async with http.get(f"{base_url}/events/{event.id}/summary.csv?file=registered") as registered:
        assert await registered.read() == body
        names = {response.headers["Content-Disposition"], registered.headers["Content-Disposition"]}
        assert len(names) == 2
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Intervjuare",
        "Kandidat",
        # The organization follows up: how to reach each candidate (not in an interviewer's copy).
        "E-post",
        "Telefon",
        "Datum",
        "Starttid",
        "Längd (minuter)",
        # Beside the length, why it is missing when it is (the length column stays numbers).
        SWEDISH.gettext("About the length"),
        "Utfall",
        "Kandidatens kommentar",
        "Kommunikation",
        "Ansvarstagande",
        "Frågor som togs upp",
        "Anteckningar",
    ]
    # A phone number as Excel shows the text of ="…": as typed.
    assert {row[1]: row[3] for row in rows[1:] if row[1] in phones} == {
        name: f'="{phone}"' for name, phone in phones.items()
    }
    contacts = {
        row["name"]: [row["email"], f'="{row["phone"]}"' if row["phone"] else ""]
        for row in await db.fetch("SELECT name, email, phone FROM candidate WHERE event_id = $1", event.id)
    }
    assert all(row[2:4] == contacts[row[1]] for row in rows[1:])
    rows = [row[:2] + row[4:] for row in rows[1:]]
    # A row per interview, then those registered and not interviewed, with their status
    # where the outcome goes (Kåre's one interview was missed: he is in both).
    held, rest = [row for row in rows if row[0]], [row for row in rows if not row[0]]
    assert rows == held + rest
    assert {row[1]: row[6] for row in rest} == {
        "Göran Älvdal": "Checkade aldrig in",
        "Ida Lind": "Checkade in, intervjuades inte",
        "Kåre Näslund": "Checkade in, intervjuades inte",
    }
    assert all(row[2:6] == ["", "", "", ""] and not any(row[7:]) for row in rest)
    by_name = {row[1]: row for row in held}
    assert set(by_name) == set(CANDIDATES)
    asa = by_name["Åsa Öberg"]
    assert asa[0] == "Örjan Ekström" and asa[4:7] == ["9,1", "", "Intresserad"]
    assert asa[8:10] == ["5", "4"] and asa[10] == f"{QUESTIONS[0]}\n{QUESTIONS[2]}"
    assert asa[11] == "Stark på kundbemötande.\nVill börja i mars."
    # Formula injection: text that starts like a formula stays text.
    assert by_name["Björn Ängström"][7] == '\'=HYPERLINK("http://evil.example")'
    assert by_name["Björn Ängström"][11] == "'-tveksam till skift"
    assert by_name["Ümit Çelik"][11] == "'@kolla referenser"
    assert by_name["Kåre Näslund"][6] == "Missad" and by_name["Kåre Näslund"][4:6] == ["", ""]


async def test_csv_in_english_uses_commas_and_a_decimal_point(db, http, base_url):
    event = await logged_in_event(db, http, base_url, "en")
    async with http.get(f"{base_url}/events/{event.id}/summary.csv") as response:
        body = (await response.read()).decode("utf-8-sig")
    assert body.startswith("Interviewer,Candidate,")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:9] == [
        "Interviewer",
        "Candidate",
        "E-mail",
        "Phone",
        "Date",
        "Start time",
        "Length (minutes)",
        "About the length",
        "Outcome",
    ]
    assert {row[1]: row[6] for row in rows[1:]}["Åsa Öberg"] == "9.1"


async def test_sorting_by_candidate_and_back(db, http, base_url):
    event = await logged_in_event(db, http, base_url)

    async def order(query: str) -> list[str]:
        async with http.get(f"{base_url}/events/{event.id}/summary{query}") as response:
            assert response.status == 200
            page = await response.text()
        return [name for name in re.findall(r'class="candidate">([^<]+)<', page)]

    # Örjan's group comes after Lena's (Ö sorts last in Swedish); within it Å after B.
    assert await order("?sort=candidate") == [
        "Kåre Näslund",
        "Märta Ölund",
        "Ümit Çelik",
        "Björn Ängström",
        "Åsa Öberg",
    ]
    assert await order("?sort=candidate&dir=desc") == [
        "Ümit Çelik",
        "Märta Ölund",
        "Kåre Näslund",
        "Åsa Öberg",
        "Björn Ängström",
    ]
    # By length, the missed offer (no length) comes last either way.
    assert (await order("?sort=length&dir=desc"))[:3] == ["Ümit Çelik", "Märta Ölund", "Kåre Näslund"]
    assert await order("?sort=outcome") == [
        "Ümit Çelik",
        "Märta Ölund",
        "Kåre Näslund",
        "Åsa Öberg",
        "Björn Ängström",
    ]


ODD_QUERIES = [
    "?sort=garbage",
    "?page=0",
    "?page=-1",
    "?page=99999999999",
    "?page=%D9%A2",
    "?sort=&dir=",
    "?dir=sideways",
    "?sort=length&sort=time",
    "?sort=%00%ff",
    "?" + "x=1&" * 500,
    "?sort=candidate&dir=desc&extra=%C3%A5",
]


@pytest.mark.parametrize(
    "suffix, query",
    [(suffix, query) for suffix in ("", ".csv") for query in ODD_QUERIES]
    + [(".pdf", "?sort=garbage"), (".pdf", "?sort=%00%ff&dir=%ff")],
)
async def test_odd_query_parameters_never_fail(db, http, base_url, suffix, query):
    event = await logged_in_event(db, http, base_url)
    async with http.get(f"{base_url}/events/{event.id}/summary{suffix}{query}") as response:
        assert response.status == 200, await response.text()


@pytest.mark.parametrize(
    "path",
    [
        "/events/abc/summary",
        "/events/0/summary.pdf",
        "/events/99999999999999999999/summary.csv",
        "/events/1/summary.xls",
        "/i/short/summary",
        "/i/" + "a" * 43 + "/summary.pdf",
    ],
)
async def test_unknown_addresses_are_404(db, http, base_url, path):
    event = await logged_in_event(db, http, base_url)
    assert event.id
    async with http.get(base_url + path, allow_redirects=False) as response:
        assert response.status == 404


async def test_reachable_from_the_event_page_and_the_meeting_web(db, http, base_url):
    event = await logged_in_event(db, http, base_url)
    async with http.get(f"{base_url}/events/{event.id}") as response:
        assert f'href="/events/{event.id}/summary"' in await response.text()
    token = event.interviewers["Lena Åkesson"][1]
    async with new_client() as interviewer:
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        async with interviewer.get(f"{base_url}/i/{token}") as response:
            assert f'href="/i/{token}/summary"' in await response.text()


async def test_running_event_shows_interviews_in_progress(db, http, base_url):
    event = await logged_in_event(
        db, http, base_url, "en", state="live", started_minutes_ago=160, duration_minutes=240
    )
    await add_candidate(db, event, "Östen Åhlén")
    await add_interview(db, event, "Östen Åhlén", "Lena Åkesson", state="active", minutes_ago=3)
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        page = without_contacts(await response.text())
    assert "The event is still running" in page
    assert re.search(
        r"Östen Åhlén</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>—</td>\s*<td[^>]*>"
        r'<span class="outcome outcome-in_progress">In progress',
        page,
    )
    # Counted among those interviewed, and apart, so the answers add up to them.
    assert re.search(r"In an interview now, no answer yet</th><td>1</td>", page)
    # Not yet started: said so, and the summary is empty but there.
    later = await make_event(
        db, organization_id=event.organization_id, state="published", started_minutes_ago=-60
    )
    async with http.get(f"{base_url}/events/{later.id}/summary") as response:
        assert "The event has not started yet" in await response.text()
    # Check-in opens before the start: once an interview was held, "not started" would be wrong.
    await add_interviewer(db, later, "Lena Åkesson")
    await add_candidate(db, later, "Åke Öst")
    await add_interview(db, later, "Åke Öst", "Lena Åkesson", state="ended", minutes_ago=1)
    async with http.get(f"{base_url}/events/{later.id}/summary") as response:
        page = await response.text()
    assert "The event has not started yet" not in page
    assert "The event is still running" in page


async def test_without_the_font_the_pdf_is_unavailable_not_broken(db, http, base_url, monkeypatch):
    from app.summary import formats

    event = await logged_in_event(db, http, base_url, "en")
    monkeypatch.setattr(formats, "FONT_DIRS", (Path("/nonexistent/fonts"),))
    async with http.get(
        f"{base_url}/events/{event.id}/summary.pdf", headers={"Accept": "text/html"}
    ) as response:
        assert response.status == 503
        assert "The service is not available right now" in await response.text()


async def test_an_erased_candidate_sorts_by_the_name_the_page_shows(db):
    """ "Raderad kandidat" sorts under R on a Swedish page, not under E of the English msgid."""
    from app.i18n import Renderer
    from app.summary.queries import load_summary

    event = await sample_event(db)
    await db.execute("UPDATE candidate SET erased_at = now() WHERE id = $1", event.candidates["Ümit Çelik"])
    summary = await load_summary(
        db, event.id, language="sv", sort="candidate", gettext=Renderer().gettext("sv")
    )
    [lena] = [group for group in summary.groups if group.interviewer == "Lena Åkesson"]
    assert [item.candidate for item in lena.interviews] == ["Kåre Näslund", "Märta Ölund", "Erased candidate"]


async def test_a_right_to_left_name_keeps_the_time_after_it_in_the_pdf(db, http, base_url, tmp_path):
    """The details' line "محمد عبدالله · 14:05 · Intresserad": without a left-to-right mark after the name, the
    PDF's bidirectional layout put the time before it."""
    event = await logged_in_event(db, http, base_url, "sv")
    await add_candidate(db, event, "محمد عبدالله")
    await add_interview(
        db, event, "محمد عبدالله", "Lena Åkesson", minutes_ago=90, notes="Bra svar.", interested=True
    )
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        text = pdf_text(await response.read(), tmp_path)
    arabic = "[\u0600-\u06ff\ufe70-\ufeff]"  # the letters and their presentation forms
    [line] = [line for line in text.splitlines() if " · " in line and re.search(arabic, line)]
    first_arabic = re.search(arabic, line).start()
    assert re.search(r"\d\d:\d\d", line).start() > first_arabic, line


NAMES_DEJAVU_LACKS = ["王小明", "山田 はなこ", "김민준", "สมชาย ใจดี", "አበበ ቢቂላ"]


async def test_chinese_japanese_korean_thai_and_ethiopic_names_print_in_the_pdf(db, http, base_url, tmp_path):
    """DejaVu Sans has none of these letters, and xhtml2pdf has no fallback: each name was a row
    of empty boxes. The fonts that have them are embedded, and the names are in the text. So
    is a font for the emoji in the notes (the thumb prints; reportlab's text layer maps it to
    another letter, so it is not looked for in the text)."""
    event = await logged_in_event(db, http, base_url, "en")
    for name in NAMES_DEJAVU_LACKS:
        await add_candidate(db, event, name)
        await add_interview(
            db, event, name, "Lena Åkesson", minutes_ago=90, notes=f"{name}: 很好 👍", interested=True
        )
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        assert response.status == 200
        pdf = await response.read()
    (tmp_path / "scripts.pdf").write_bytes(pdf)
    text = pdf_text(pdf, tmp_path)
    for name in NAMES_DEJAVU_LACKS:
        assert name in text
    fonts = pdf_fonts(pdf, tmp_path)
    for font in ("DroidSansFallback", "NanumGothic", "Loma", "AbyssinicaSIL", "Symbola"):
        assert f"+{font}" in fonts, fonts
    # A Swedish name stays in DejaVu Sans.
    assert "+DejaVuSans " in fonts


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_answers_erased_with_a_candidates_details_are_counted_as_such(
    db, http, base_url, tmp_path, language
):
    """Erasing an interviewed candidate's details takes their answer: the totals count it
    apart, so the answers still add up to those interviewed, on the page and in the PDF."""
    event = await logged_in_event(db, http, base_url, language)
    await db.execute("UPDATE candidate SET erased_at = now() WHERE id = $1", event.candidates["Åsa Öberg"])
    row, note = {
        "sv": ("Svar raderat med kandidatens uppgifter", "En kandidats svar finns inte i kolumnerna ovan"),
        "en": (
            "Answer erased with the candidate's details",
            "One candidate's answer is not in the columns above",
        ),
    }[language]
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        page = re.sub(r"\s+", " ", (await response.text()).replace("&#39;", "'"))
    assert f'<th scope="row">{row}</th><td>1</td>' in page and note in page
    counted = [
        int(re.search(rf'<th scope="row">{label}</th><td>(\d+)</td>', page)[1])
        for label in (
            ("Intresserade av jobbet", "Inte intresserade av jobbet", "Inget svar", row)
            if language == "sv"
            else ("Interested in the job", "Not interested in the job", "No answer", row)
        )
    ]
    interviewed = int(
        re.search(
            rf'<th scope="row">{"Intervjuade kandidater" if language == "sv" else "Candidates interviewed"}</th><td>(\d+)</td>',
            page,
        )[1]
    )
    assert sum(counted) == interviewed == 4
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        text = re.sub(r"\s+", " ", pdf_text(await response.read(), tmp_path))
    assert row in text and note in text


async def test_a_large_events_interviews_come_a_page_at_a_time(db, http, base_url, monkeypatch):
    """A national event's 5,000 interviews made a page of 7.6 MB: the page shows 200 at a
    time (the PDF and the CSV hold all), each interviewer's part under their name, and the
    lists of those not interviewed name 500 and say how many more."""
    monkeypatch.setattr(summary_view, "NAMES_SHOWN", 1)
    event = await big_event(db, 250)
    for name in ("Göran Älvdal", "Ida Lind"):
        await add_candidate(db, event, name)  # checked in, never interviewed
    await log_in(http, base_url, (await org_user(db, event))["email"])
    url = f"{base_url}/events/{event.id}/summary"
    async with http.get(url) as response:
        first = without_contacts(await response.text())
    assert first.count('<tbody class="interview">') == 200
    assert "Sida 1 av 2" in first and "<title>Sammanställning: " in first and "(Sida 1 av 2)" in first
    assert 'href="?sort=time&amp;dir=asc&amp;page=2#interviews-heading" rel="next"' in first
    assert "Och 1 till: CSV-filen har alla." in first  # of the two not interviewed, one named
    # Said on paper too (not hidden in print): which part of the whole the page holds.
    assert '<p class="summary-range">Intervju 1–200 av 250, sida 1 av 2:' in first
    async with http.get(f"{url}?sort=time&dir=asc&page=2") as response:
        second = without_contacts(await response.text())
    assert second.count('<tbody class="interview">') == 50 and "(fortsättning)" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # Every interview on one page or the other, none twice.
    names = re.compile(r'<td data-label="Kandidat" class="candidate">(Kandidat Östergård-\d+)</td>')
    assert len(set(names.findall(first)) | set(names.findall(second))) == 250
    async with http.get(f"{url}?page=99") as response:  # past the last: the last
        assert (await response.text()).count('<tbody class="interview">') == 50


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_turn_left_when_called_in_is_declined_not_missed(db, http, base_url, tmp_path, language):
    """A candidate who left the queue when called in (the offer's *Leave the queue*) said so:
    the page, the PDF and the CSV say what they did, and the totals count it apart from the
    turns missed (offers that ran out)."""
    event = await logged_in_event(db, http, base_url, language)
    await add_candidate(db, event, "Nils Berg")
    left = await add_interview(db, event, "Nils Berg", "Örjan Ekström", state="missed", minutes_ago=100)
    await db.execute("UPDATE interview SET end_reason = 'left' WHERE id = $1", left)
    label, declined_row, missed_row = {
        "sv": (
            "Lämnade kön när hen kallades in",
            "Avböjda turer (kallad, lämnade kön)",
            "Missade turer (kallad, anslöt inte)",
        ),
        "en": (
            "Left the queue when called in",
            "Turns declined (called in, left the queue)",
            "Turns missed (called in, did not join)",
        ),
    }[language]
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        page = re.sub(r"\s+", " ", without_contacts(await response.text()))
    assert f'<span class="outcome outcome-declined">{label}</span>' in page
    # Kåre Näslund's offer ran out: still the one miss.
    assert f'<th scope="row">{missed_row}</th><td>1</td>' in page
    assert f'<th scope="row">{declined_row}</th><td>1</td>' in page
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        text = re.sub(r"\s+", " ", pdf_without_contacts(pdf_text(await response.read(), tmp_path)))
    assert label in text and declined_row in text
    async with http.get(f"{base_url}/events/{event.id}/summary.csv") as response:
        body = (await response.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";" if language == "sv" else ","))
    assert [row[8] for row in rows if row[1] == "Nils Berg" and row[0]] == [label]


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_an_event_nobody_registered_for_says_so(db, http, base_url, tmp_path, language):
    """Not "every registered candidate was interviewed", said of nobody."""
    event = await make_event(db)
    await add_interviewer(db, event, "Örjan Ekström")
    user = await org_user(db, event, language=language)
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": language})
    said = {"sv": "Inga kandidater är anmälda.", "en": "No candidates are registered."}[language]
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        page = await response.text()
    assert said in page and "every registered" not in page and "alla anmälda" not in page
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        assert said in re.sub(r"\s+", " ", pdf_text(await response.read(), tmp_path))


async def test_the_summary_and_the_list_of_registered_download_under_names_that_say_which(db, http, base_url):
    event = await logged_in_event(db, http, base_url, "en")
    dated = r'attachment; filename="kundtjanst-i-are-[0-9a-f]{4}-\d{4}-\d\d-\d\d-'
    for path, name in (
        ("summary.csv", "summary.csv"),
        ("summary.csv?file=registered", "registered.csv"),
        ("summary.pdf", "summary.pdf"),
    ):
        async with http.get(f"{base_url}/events/{event.id}/{path}") as response:
            assert response.status == 200
            assert re.fullmatch(dated + re.escape(name) + '"', response.headers["Content-Disposition"])


async def test_candidates_erased_after_the_event_keep_the_days_figures(db, http, base_url):
    """A no-show and one who waited in vain, erased once the event is over: the registration
    lasted to the end, so they are still a no-show and one not interviewed (as "Raderad
    kandidat", with no contact details), not cancelled registrations that vanish from both."""
    from app.candidates.erasure import erase_candidate
    from app.summary.queries import load_summary

    event = await logged_in_event(db, http, base_url, "sv")
    before = await load_summary(db, event.id, language="sv")
    for name in ("Göran Älvdal", "Ida Lind"):
        assert await erase_candidate(db, event.candidates[name], "employer") is not None
    after = await load_summary(db, event.id, language="sv")
    assert (len(after.not_checked_in), len(after.not_interviewed)) == (
        len(before.not_checked_in),
        len(before.not_interviewed),
    )
    assert [person for person in after.not_checked_in if person.erased] == [
        summary_model.Registered(summary_model.ERASED_CANDIDATE, erased=True)
    ]
    assert (
        await db.fetchval(
            "SELECT count(*) FROM candidate WHERE id = ANY($1::bigint[]) AND cancelled_at IS NULL",
            [event.candidates["Göran Älvdal"], event.candidates["Ida Lind"]],
        )
        == 2
    )
    # The check-in kept is the fact alone: its times are the event's start, not theirs.
    kept = await db.fetchrow(
        """SELECT q.checked_in_at = e.starts_at AND q.queued_at = e.starts_at
                  AND q.waiting_since = e.starts_at AND q.last_seen_at = e.starts_at AS anonymous
           FROM queue_entry q JOIN event e ON e.id = q.event_id WHERE q.candidate_id = $1""",
        event.candidates["Ida Lind"],
    )
    assert kept["anonymous"]
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        page = await response.text()
    assert page.count("<li>Raderad kandidat") == 2 and "erased-" not in page
