"""Names are kept composed (Unicode NFC): "Jörgen" pasted with a combining diaeresis (from a
PDF, a macOS file name) looks the same as the one typed, and the interviewers' search for
"jörg" must find it (app/auth/validation.py clean_text, app/live/roster.py)."""

from __future__ import annotations

import unicodedata

from aiohttp import ClientSession, CookieJar

from app.paths import MIGRATIONS_DIR
from tests.browser.interviewer_support import make_meeting_event
from tests.candidate_support import make_event, register
from tests.integration.channel_support import INTERVIEWER_CODE, sign_in_interviewer
from tests.mails import unique_email

DECOMPOSED = "Jo\u0308rgen Ma\u030attsson"
COMPOSED = "Jörgen Måttsson"


async def test_a_name_registered_decomposed_is_kept_composed(db, base_url, app_server):
    assert DECOMPOSED != COMPOSED and unicodedata.normalize("NFC", DECOMPOSED) == COMPOSED
    event = await make_event(db)
    email = unique_email("jorgen")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        status, page = await register(http, base_url, event["invite_token"], name=DECOMPOSED, email=email)
    assert status == 200, page
    assert await db.fetchval("SELECT name FROM candidate WHERE email = $1", email) == COMPOSED


async def test_the_roster_finds_a_name_whatever_form_it_was_stored_or_typed_in(db, base_url, app_server):
    event, (token,), _ = await make_meeting_event(db, candidates=2)
    candidate = event.candidates[0]
    # Stored before names were composed: the migration composes it.
    await db.execute("UPDATE candidate SET name = $2 WHERE id = $1", candidate, DECOMPOSED)
    await db.execute((MIGRATIONS_DIR / "0052_names_composed.sql").read_text())
    assert await db.fetchval("SELECT name FROM candidate WHERE id = $1", candidate) == COMPOSED
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        # (The meeting code as a full-width keyboard types it, with a dash between its
        # halves: the code, app/link_codes.py typed_code.)
        wide = "".join(chr(ord(digit) - ord("0") + ord("０")) for digit in INTERVIEWER_CODE)
        assert await sign_in_interviewer(http, base_url, token, f"{wide[:3]}-{wide[3:]}") == 303
        # And without the accents, as typed on a keyboard without them (app/names.py).
        for query in ("Jörg", "jörg", "MÅTT", "o\u0308rgen", "jorgen mattsson", "MATT"):
            async with http.get(f"{base_url}/i/{token}/roster", params={"q": query}) as response:
                found = await response.json()
            assert [c["name"] for c in found["candidates"]] == [COMPOSED], query


async def test_the_migration_composes_an_events_texts_the_form_sends_back_composed(db):
    """Else a question held by interviews (app/events/held.py) stored decomposed would never
    equal what the form sends back, and every save of that event would be refused."""
    event, _, _ = await make_meeting_event(db, candidates=1)
    await db.execute("UPDATE event SET title = $2, job_description = $2 WHERE id = $1", event.id, DECOMPOSED)
    await db.execute("UPDATE event_question SET text = $2 WHERE event_id = $1", event.id, DECOMPOSED)
    await db.execute("UPDATE event_attribute SET text = $2 WHERE event_id = $1", event.id, DECOMPOSED)
    await db.execute((MIGRATIONS_DIR / "0052_names_composed.sql").read_text())
    assert await db.fetchrow("SELECT title, job_description FROM event WHERE id = $1", event.id) == (
        COMPOSED,
        COMPOSED,
    )
    for table in ("event_question", "event_attribute"):
        texts = await db.fetch(f"SELECT DISTINCT text FROM {table} WHERE event_id = $1", event.id)
        assert [row["text"] for row in texts] == [COMPOSED], table
