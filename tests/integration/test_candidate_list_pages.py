"""The employer's list of an event's registrations, a page at a time and searchable: an
event of thousands was one page of thousands of rows (each with its forms), which neither a
person nor a browser could use (app/candidates/queries.py for_employer)."""

from __future__ import annotations

import html
import re
import secrets

from app.candidates.queries import EMPLOYER_PAGE_SIZE
from tests.candidate_support import make_event
from tests.forms import csrf_in

NAMES = [f"Kandidat {n:03d}" for n in range(1, 120)] + ["Zoë Åberg"]


async def registered_event(db, organization_id: int) -> int:
    event = await make_event(db, organization_id=organization_id, capacity=500)
    await db.executemany(
        """INSERT INTO candidate (event_id, name, email, phone, access_token, pin)
           VALUES ($1, $2, $3, $4, $5, '654321')""",
        [
            (
                event["id"],
                name,
                # (Zoë's domain is an internationalized one, stored in its ASCII form.)
                "zoe@xn--keri-poa.se"
                if name.startswith("Zoë")
                else f"c{n}-{secrets.token_hex(3)}@example.se",
                f"070-{n:07d}",
                secrets.token_urlsafe(16),
            )
            for n, name in enumerate(NAMES)
        ],
    )
    return event["id"]


def names_on(page: str) -> list[str]:
    return re.findall(
        r'<td data-label="(?:Namn|Name)" class="[^"]*"><span class="words">([^<]+)</span></td>', page
    )


async def get(http, url: str) -> tuple[int, str]:
    async with http.get(url) as response:
        return response.status, await response.text()


async def test_the_registrations_come_a_page_at_a_time_in_name_order(employer, base_url, db):
    http, user = employer
    event_id = await registered_event(db, user["organization_id"])
    status, page = await get(http, f"{base_url}/events/{event_id}")
    assert status == 200
    assert names_on(page) == NAMES[:EMPLOYER_PAGE_SIZE]
    assert "120 anmälningar sammanlagt" in page and "Sida 1 av 3" in page
    assert f'href="/events/{event_id}?page=2#candidates-heading" rel="next"' in page
    assert 'rel="prev"' not in page
    _, page = await get(http, f"{base_url}/events/{event_id}?page=3")
    assert names_on(page) == NAMES[2 * EMPLOYER_PAGE_SIZE :]
    assert "Sida 3 av 3" in page and 'rel="next"' not in page
    # Past the end, or not a page number: the last page, or the first; never an error.
    for query, first in (
        ("page=99", NAMES[100]),
        ("page=abc", NAMES[0]),
        ("page=0", NAMES[0]),
        ("page=%00", NAMES[0]),
    ):
        status, page = await get(http, f"{base_url}/events/{event_id}?{query}")
        assert status == 200 and names_on(page)[0] == first, query


async def test_a_search_finds_any_part_of_a_name_address_or_phone(employer, base_url, db):
    http, user = employer
    event_id = await registered_event(db, user["organization_id"])
    for query, found in (
        ("zoë", ["Zoë Åberg"]),
        ("ÅBERG", ["Zoë Åberg"]),
        ("Zoe\u0308", ["Zoë Åberg"]),  # as pasted with a combining diaeresis
        ("zoe aberg", ["Zoë Åberg"]),  # the accents left out, as typed on another keyboard
        ("Zoë Äberg", ["Zoë Åberg"]),  # or another one typed
        ("070-0000119", ["Zoë Åberg"]),
        ("0700000119", ["Zoë Åberg"]),  # the digits alone, as often copied
        ("070 000 01 19", ["Zoë Åberg"]),
        ("åkeri.se", ["Zoë Åberg"]),  # the domain as shown, stored in its ASCII form
        ("zoe@ÅKERI", ["Zoë Åberg"]),
        # Each word anywhere in the name.
        (
            "Kandidat 11",
            ["Kandidat 011", *(f"Kandidat {n}" for n in range(110, 120))],
        ),
        ("11 kandidat", ["Kandidat 011", *(f"Kandidat {n}" for n in range(110, 120))]),
        ("%", []),  # a letter, not a wildcard
        ("_", []),
        ("％", []),  # nor once folded (full width, folded to "%" by unaccent)
        ("＿", []),
        ("Kandidat 11＼", []),
        ("\x00", NAMES[:EMPLOYER_PAGE_SIZE]),  # nothing that can be in a name: everyone
        ("x" * 500, []),
    ):
        status, page = await get(http, f"{base_url}/events/{event_id}?q={query.replace('%', '%25')}")
        assert status == 200, query
        assert names_on(page) == found, query
    _, page = await get(http, f"{base_url}/events/{event_id}?q=Kandidat")
    assert "119 anmälningar matchar ”Kandidat”" in page
    assert f'href="/events/{event_id}?q=Kandidat&amp;page=2#candidates-heading"' in page
    assert 'value="Kandidat"' in page  # the search stays in its field
    # The tab's title says it is a search, and which page of it (WCAG 2.4.2).
    assert re.search(
        r"<title>[^<]*: sökning efter ”Kandidat” \(Sida 1 av 3\) – Snabbintervjuer</title>", page
    )
    # Nothing but spaces is no search: everyone, and no "matches" line.
    _, page = await get(http, f"{base_url}/events/{event_id}?q=%20%20")
    assert names_on(page) == NAMES[:EMPLOYER_PAGE_SIZE] and "matchar" not in page
    _, page = await get(http, f"{base_url}/events/{event_id}?q=nobody")
    assert "Ingen anmälan matchar" in page and "Pröva en annan del" in page


async def test_a_rows_action_comes_back_to_the_search_and_page_it_came_from(employer, base_url, db):
    http, user = employer
    event_id = await registered_event(db, user["organization_id"])
    _, page = await get(http, f"{base_url}/events/{event_id}?q=Kandidat&page=2")
    place = "?q=Kandidat&amp;page=2"
    [resend] = re.findall(rf'action="(/events/{event_id}/candidates/\d+/resend{re.escape(place)})"', page)[:1]
    assert f'/reissue{place}"' in page and f'/remove{place}"' in page and f'/erase{place}"' in page
    csrf = csrf_in(page)
    async with http.post(
        base_url + html.unescape(resend), data={"csrf_token": csrf}, allow_redirects=False
    ) as response:
        assert response.status == 303
        assert response.headers["Location"] == (
            f"/events/{event_id}?candidates=resent&q=Kandidat&page=2#candidates-heading"
        )
    # A confirmation page keeps the place for its answer and its way back.
    remove = re.search(rf'href="(/events/{event_id}/candidates/\d+/remove{re.escape(place)})"', page)[1]
    _, confirm = await get(http, base_url + html.unescape(remove))
    assert f'action="{remove}"' in confirm
    assert f'href="/events/{event_id}{place}#candidates-heading"' in confirm
    # A place made up by hand is checked again, not taken as it is.
    async with http.post(
        f"{base_url}/events/{event_id}/candidates/{await first_candidate(db, event_id)}/resend?page=x&q="
        + "y" * 300,
        data={"csrf_token": csrf},
        allow_redirects=False,
    ) as response:
        assert response.headers["Location"] == (
            f"/events/{event_id}?candidates=resent&q={'y' * 200}#candidates-heading"
        )


async def first_candidate(db, event_id: int) -> int:
    return await db.fetchval("SELECT min(id) FROM candidate WHERE event_id = $1", event_id)


async def test_the_whole_list_is_one_download_away(employer, base_url, db):
    """Paged on the page, whole in a spreadsheet: the summary's CSV, linked beside the list,
    holds everyone registered with their e-mail and phone."""
    http, user = employer
    event_id = await registered_event(db, user["organization_id"])
    _, page = await get(http, f"{base_url}/events/{event_id}")
    assert (
        f'<a href="/events/{event_id}/summary.csv?file=registered" download>Ladda ned alla anmälda som CSV'
        in page
    )
    async with http.get(f"{base_url}/events/{event_id}/summary.csv") as response:
        assert response.status == 200
        rows = (await response.read()).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + len(NAMES)
    assert any("Zoë Åberg" in row and "zoe@" in row and "070-0000119" in row for row in rows)


async def test_a_name_is_found_without_its_apostrophes_and_hyphens_and_by_any_of_its_words(
    employer, base_url, db
):
    http, user = employer
    event_id = await registered_event(db, user["organization_id"])
    await db.execute(
        """INSERT INTO candidate (event_id, name, email, access_token, pin)
           VALUES ($1, 'Zoë Ö''Brien-Ähm', 'zoe.obrien@example.se', $2, '654321')""",
        event_id,
        secrets.token_urlsafe(16),
    )
    for query in ("obrien", "zoe obrien", "zoe ahm", "ahm zoe", "o'brien", "Ö’Brien", "brienahm", "O-Brien"):
        status, page = await get(http, f"{base_url}/events/{event_id}?q={query}")
        assert status == 200 and [html.unescape(name) for name in names_on(page)] == ["Zoë Ö'Brien-Ähm"], (
            query
        )
    status, page = await get(http, f"{base_url}/events/{event_id}?q=zoe nobody")
    assert status == 200 and names_on(page) == []
    # Punctuation alone is no word: the names it is in, not everyone (a "-" is in every
    # phone number here, which the search matches too).
    status, page = await get(http, f"{base_url}/events/{event_id}?q='")
    assert [html.unescape(name) for name in names_on(page)] == ["Zoë Ö'Brien-Ähm"]
