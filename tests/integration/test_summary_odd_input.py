"""Review probes (bad input, docs/architecture.md): whatever a browser sends to the summary's addresses gets a
clear answer (200, 303, 404, 405 …), never a 500; and content at the limits of what the live
event lets people type still makes a PDF and a CSV."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pytest

from tests.accounts import log_in
from tests.integration.channel_support import new_client, sign_in_interviewer
from tests.summary_support import add_candidate, add_interview, org_user, sample_event

SHOTS = Path("/tmp/shots-review")
SUFFIXES = ["", ".pdf", ".csv"]
# Python's int() also takes "+7", " 7" and "7_0" (app/views/events.event_id_of): aliases of a
# real id, not errors, so they are left out here.
ODD_IDS = [
    "%00",
    "1%00",
    "%2F",
    "1.5",
    "1e3",
    "-1",
    "0x10",
    "%C3%A5",
    "%F0%9F%98%80",
    "9" * 400,
    str(2**63),
    str(2**63 - 1),
    "%20",
    "%FF",
]


async def status_of(http, method: str, url: str, **options) -> int:
    async with http.request(method, url, allow_redirects=False, **options) as response:
        await response.read()
        return response.status


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_odd_event_ids_are_not_found(db, http, base_url, suffix):
    event = await sample_event(db)
    await log_in(http, base_url, (await org_user(db, event))["email"])
    for odd in ODD_IDS:
        status = await status_of(http, "GET", f"{base_url}/events/{odd}/summary{suffix}")
        assert status == 404, (odd, status)


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_odd_tokens_are_not_found(db, base_url, suffix):
    async with new_client() as client:
        for odd in [
            "%00",
            "a%00" * 12,
            "%C3%A5" * 20,
            "A" * 31,
            "A" * 33,
            "A" * 5000,
            "..%2F..%2Fetc%2Fpasswd",
            "%FF" * 32,
        ]:
            status = await status_of(client, "GET", f"{base_url}/i/{odd}/summary{suffix}")
            assert status in (404, 414, 400), (odd, status)


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_head_and_other_methods(db, http, base_url, suffix):
    event = await sample_event(db)
    await log_in(http, base_url, (await org_user(db, event))["email"])
    url = f"{base_url}/events/{event.id}/summary{suffix}"
    assert await status_of(http, "HEAD", url) == 200
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert await status_of(http, method, url) in (403, 405), method  # CSRF first
    token = event.interviewers["Lena Åkesson"][1]
    async with new_client() as interviewer:
        assert await status_of(interviewer, "HEAD", f"{base_url}/i/{token}/summary{suffix}") == 303
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        assert await status_of(interviewer, "HEAD", f"{base_url}/i/{token}/summary{suffix}") == 200


@pytest.mark.parametrize("suffix", SUFFIXES)
async def test_odd_headers_queries_and_cookies(db, http, base_url, suffix):
    event = await sample_event(db)
    await log_in(http, base_url, (await org_user(db, event))["email"])
    url = f"{base_url}/events/{event.id}/summary{suffix}"
    for query in [
        "?sort=%E2%80%AE&dir=%F0%9F%98%80",
        "?sort[]=time",
        "?" + "sort=time&" * 300,
        "?dir=desc&dir=asc&dir=%00",
        "?sort=" + "x" * 6000,
        "?%ZZ=%ZZ",
    ]:
        assert await status_of(http, "GET", url + query) == 200, query[:40]
    for headers in (
        {"Accept-Language": "xx-YY;q=abc, *;q=-1"},
        {"Accept-Language": "å" * 500},
        {"Accept": "application/pdf;q=x"},
        {"Cookie": "lang=%00"},
        {"Cookie": "lang=" + "x" * 3000},
        {"If-None-Match": "*"},
        {"Range": "bytes=5-1"},
    ):
        assert await status_of(http, "GET", url, headers=headers) in (200, 416), headers
    # A request line longer than the server takes: refused, not a crash.
    assert await status_of(http, "GET", url + "?sort=" + "x" * 20000) in (200, 400, 414)


async def test_content_at_the_limits_still_makes_every_format(db, http, base_url):
    """Names with markup, emoji and right-to-left text; notes of 20,000 characters over
    thousands of lines (taller than a page); a comment that is one unbreakable word."""
    event = await sample_event(db)
    odd_names = ['<b>Fet</b> & "Citat" Åström', "Emoji 😀 Öhman", "אבג Ärlig", "Tab\tNamn Ödh"]
    for number, name in enumerate(odd_names):
        await add_candidate(db, event, name)
        await add_interview(
            db,
            event,
            name,
            "Örjan Ekström",
            minutes_ago=90 - number,
            interested=number % 2 == 0,
            comment="Ä" * 2000 if number == 0 else "kort\r\nrad",
            notes=("rad med text\n" * 1538)[:20000] if number == 1 else "<i>x</i>",
            covered=(1, 2, 3),
            ratings={1: 1, 2: 5},
        )
    user = await org_user(db, event, language="sv")
    await log_in(http, base_url, user["email"])
    async with http.get(f"{base_url}/events/{event.id}/summary") as response:
        assert response.status == 200
        page = await response.text()
    assert "&lt;b&gt;Fet&lt;/b&gt; &amp; &#34;Citat&#34; Åström" in page and "<i>x</i>" not in page
    async with http.get(f"{base_url}/events/{event.id}/summary.csv") as response:
        assert response.status == 200
        rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig")), delimiter=";"))
    assert {row[1] for row in rows[1:]} >= set(odd_names)
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        assert response.status == 200, await response.text()
        pdf = await response.read()
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / "summary-odd.pdf"  # kept to look at
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for fragment in ('<b>Fet</b> & "Citat" Åström', "Öhman", "Ärlig", "Ödh"):
        assert fragment in text, fragment
    # Nothing runs off the page: the 2,000-letter word is split over lines inside the margins.
    assert text.count("Ä") >= 2000
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes)[1])
    right_edges = [float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', boxes)]
    assert right_edges and max(right_edges) <= width - 30, max(right_edges)
