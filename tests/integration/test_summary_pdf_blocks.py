"""The summary's PDF keeps each candidate's notes block on one page where it fits: a name
line alone at a page's foot, its notes on the next, reads as a candidate with none."""

from __future__ import annotations

import re
import subprocess

from tests.integration.test_summary import SHOTS
from tests.pdfs import pdf_text
from tests.summary_support import add_candidate, add_interview, add_interviewer, make_event, org_user
from tests.accounts import log_in

WHO = re.compile(r"Kandidat \d+\W* · \d\d:\d\d · ")


async def test_a_candidates_notes_stay_with_their_name_line(db, http, base_url, tmp_path):
    event = await make_event(db)
    await add_interviewer(db, event, "Örjan Ekström")
    # Notes of one to six lines: blocks of every height, so that some fall at a page's foot.
    for n in range(45):
        name = f"Kandidat {n}"
        await add_candidate(db, event, name)
        notes = "\n".join(f"Rad {k + 1} om {name}: svarade utförligt på frågan." for k in range(n % 6 + 1))
        await add_interview(db, event, name, "Örjan Ekström", minutes_ago=170 - n * 3, notes=notes)
    user = await org_user(db, event, language="sv")
    await log_in(http, base_url, user["email"])
    http.cookie_jar.update_cookies({"lang": "sv"})
    async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
        assert response.status == 200
        pdf = await response.read()
    pages = pdf_text(pdf, tmp_path).split("\f")
    assert len(pages) > 3
    named = 0
    for number, page in enumerate(pages, start=1):
        waiting_for_notes = None
        for line in page.splitlines():
            if WHO.search(line):
                assert waiting_for_notes is None, f"page {number}: {waiting_for_notes} without notes"
                waiting_for_notes = line.strip()
                named += 1
            elif "Anteckningar:" in line:
                waiting_for_notes = None
        assert waiting_for_notes is None, f"page {number} ends with {waiting_for_notes}"
    assert named == 45
    # To look at: the pages as pictures.
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "notes-blocks.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(SHOTS / "notes-blocks.pdf"), str(SHOTS / "notes-blocks")],
        check=True,
    )
