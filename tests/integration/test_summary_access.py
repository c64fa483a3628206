"""Who may see the summary, in every format: the organization's users at any time, the
event's interviewers (personal link or linked account) once it has finished, nobody else."""

from __future__ import annotations

import re

import pytest

from tests.accounts import log_in, make_user
from tests.integration.channel_support import new_client, sign_in_interviewer
from tests.pdfs import pdf_text
from tests.summary_support import add_interviewer, make_event, org_user, sample_event

FORMATS = ["", ".pdf", ".csv"]
CONTENT_TYPES = {"": "text/html", ".pdf": "application/pdf", ".csv": "text/csv"}
RUNNING = {"state": "live", "started_minutes_ago": 30, "duration_minutes": 120}
NOT_YET = "Sammanställningen blir tillgänglig när intervjutillfället är slut"


async def fetch(http, url: str) -> tuple[int, str, str]:
    async with http.get(url, allow_redirects=False) as response:
        body = await response.read()
        return (
            response.status,
            response.content_type,
            response.headers.get("Location", "")
            or (body.decode("utf-8", "replace") if response.content_type == "text/html" else ""),
        )


@pytest.mark.parametrize("suffix", FORMATS)
async def test_organization_users_see_it_while_it_runs_and_after(db, http, base_url, suffix):
    for options in (RUNNING, {}):
        event = await sample_event(db, **options)
        user = await org_user(db, event)
        await log_in(http, base_url, user["email"])
        status, content_type, _ = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
        assert (status, content_type) == (200, CONTENT_TYPES[suffix])


@pytest.mark.parametrize("suffix", FORMATS)
async def test_anonymous_is_sent_to_log_in(db, http, base_url, suffix):
    event = await sample_event(db)
    status, _, location = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
    assert status == 303
    assert location == f"/login?next=/events/{event.id}/summary{suffix}"


@pytest.mark.parametrize("suffix", FORMATS)
async def test_another_organization_gets_404(db, http, base_url, suffix):
    event = await sample_event(db)
    stranger = await make_user(db)
    await log_in(http, base_url, stranger["email"])
    status, _, _ = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
    assert status == 404


@pytest.mark.parametrize("suffix", FORMATS)
async def test_deleted_event_is_404(db, http, base_url, suffix):
    event = await sample_event(db)
    user = await org_user(db, event)
    await db.execute("UPDATE event SET state = 'cancelled', deleted_at = now() WHERE id = $1", event.id)
    await log_in(http, base_url, user["email"])
    status, _, _ = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
    assert status == 404
    token = event.interviewers["Lena Åkesson"][1]
    async with new_client() as interviewer:
        status, _, _ = await fetch(interviewer, f"{base_url}/i/{token}/summary{suffix}")
    assert status == 404


@pytest.mark.parametrize("suffix", FORMATS)
async def test_interviewer_link_after_the_event(db, base_url, suffix):
    event = await sample_event(db)
    token = event.interviewers["Lena Åkesson"][1]
    async with new_client() as interviewer:
        # Not signed in with the code: the link's page asks for it.
        status, _, location = await fetch(interviewer, f"{base_url}/i/{token}/summary{suffix}")
        assert (status, location) == (303, f"/i/{token}")
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        status, content_type, body = await fetch(interviewer, f"{base_url}/i/{token}/summary{suffix}")
        assert (status, content_type) == (200, CONTENT_TYPES[suffix])
        if suffix == "":
            assert "Åsa Öberg" in body and f'href="/i/{token}"' in body
            assert "/logout" not in body  # no account links on the personal link's pages


async def test_interviewer_link_finished_by_the_clock_before_the_sweeper(db, base_url):
    event = await sample_event(db, state="live", started_minutes_ago=130, duration_minutes=120)
    token = event.interviewers["Örjan Ekström"][1]
    async with new_client() as interviewer:
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        status, _, body = await fetch(interviewer, f"{base_url}/i/{token}/summary")
    assert status == 200 and "Åsa Öberg" in body


@pytest.mark.parametrize("suffix", FORMATS)
async def test_interviewer_before_the_end_is_told_when(db, base_url, suffix):
    event = await sample_event(db, **RUNNING)
    token = event.interviewers["Lena Åkesson"][1]
    async with new_client() as interviewer:
        interviewer.cookie_jar.update_cookies({"lang": "sv"})
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        status, content_type, body = await fetch(interviewer, f"{base_url}/i/{token}/summary{suffix}")
    # The page says when; the files do not exist yet. Either way no interview is shown.
    assert (status, content_type) == ((200 if suffix == "" else 404), "text/html")
    assert NOT_YET in body and "Åsa Öberg" not in body


@pytest.mark.parametrize("suffix", FORMATS)
async def test_interviewer_of_another_event_gets_nothing(db, http, base_url, suffix):
    event = await sample_event(db)
    other = await make_event(db)
    account = await make_user(db)
    await add_interviewer(db, other, "Annan Intervjuare", user_id=account["id"])
    other_token = other.interviewers["Annan Intervjuare"][1]
    # With an account: this event's page is not theirs.
    await log_in(http, base_url, account["email"])
    status, _, _ = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
    assert status == 404
    # With their own link's code: it opens nothing on this event's links.
    async with new_client() as interviewer:
        assert await sign_in_interviewer(interviewer, base_url, other_token) == 303
        status, _, _ = await fetch(interviewer, f"{base_url}/i/{other_token}/summary{suffix}")
        assert status == 200
        token = event.interviewers["Lena Åkesson"][1]
        status, _, location = await fetch(interviewer, f"{base_url}/i/{token}/summary{suffix}")
        assert (status, location) == (303, f"/i/{token}")
        status, _, _ = await fetch(interviewer, f"{base_url}/events/{event.id}/summary{suffix}")
        assert status == 303  # no account: asked to log in, like every event page


@pytest.mark.parametrize("suffix", FORMATS)
async def test_interviewer_account_of_another_organization(db, http, base_url, suffix):
    """An interviewer whose account is linked to the event sees it there once it is over."""
    account = await make_user(db)
    for options, expected in ((RUNNING, 200 if suffix == "" else 404), ({}, 200)):
        event = await sample_event(db, **options)
        await add_interviewer(db, event, "Extern Intervjuare", user_id=account["id"])
        await log_in(http, base_url, account["email"])
        http.cookie_jar.update_cookies({"lang": "sv"})
        status, content_type, body = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
        assert status == expected
        if options:
            assert NOT_YET in body
        else:
            assert content_type == CONTENT_TYPES[suffix]


@pytest.mark.parametrize("suffix", FORMATS)
async def test_cancelled_event_is_404_to_interviewers_by_account_too(db, http, base_url, suffix):
    """As through the personal link; the organization still sees what was recorded."""
    account = await make_user(db)
    event = await sample_event(db)
    await add_interviewer(db, event, "Extern Intervjuare", user_id=account["id"])
    await db.execute("UPDATE event SET state = 'cancelled' WHERE id = $1", event.id)
    await log_in(http, base_url, account["email"])
    status, _, _ = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
    assert status == 404
    await log_in(http, base_url, (await org_user(db, event))["email"])
    status, content_type, _ = await fetch(http, f"{base_url}/events/{event.id}/summary{suffix}")
    assert (status, content_type) == (200, CONTENT_TYPES[suffix])


async def test_an_interviewers_csv_names_the_candidates_without_their_contact_details(db, base_url):
    """The organization's CSV has each candidate's e-mail and phone, to follow up; the copy
    an interviewer downloads through their link names them only."""
    event = await sample_event(db)
    token = event.interviewers["Lena Åkesson"][1]
    await db.execute("UPDATE candidate SET phone = '070-' || (1000000 + id) WHERE event_id = $1", event.id)
    people = await db.fetch("SELECT email, phone FROM candidate WHERE event_id = $1", event.id)
    emails = [row["email"] for row in people] + [row["phone"] for row in people]
    async with new_client() as interviewer:
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        async with interviewer.get(f"{base_url}/i/{token}/summary.csv") as response:
            assert response.status == 200
            body = (await response.read()).decode("utf-8-sig")
    assert "Åsa Öberg" in body
    assert not any(email in body for email in emails)
    assert "E-post" not in body.splitlines()[0] and "E-mail" not in body.splitlines()[0]


async def test_the_organizations_summary_says_how_to_reach_each_candidate_an_interviewers_not(
    db, http, base_url, tmp_path
):
    """Under each candidate's name, on the page and in the PDF, the organization's users see
    their e-mail and phone: two of the same name are told apart, and those interested
    reached without the CSV. The copy an interviewer reads through their link names them only."""
    event = await sample_event(db)
    await db.execute("UPDATE candidate SET phone = '070-' || (1000000 + id) WHERE event_id = $1", event.id)
    twins = [event.candidates["Åsa Öberg"], event.candidates["Ida Lind"]]  # interviewed, and not
    await db.execute("UPDATE candidate SET name = 'Ann-Sofie Lindström' WHERE id = ANY($1)", twins)
    people = await db.fetch("SELECT email, phone FROM candidate WHERE id = ANY($1)", twins)
    await log_in(http, base_url, (await org_user(db, event))["email"])
    for language in ("sv", "en"):
        http.cookie_jar.update_cookies({"lang": language})
        _, _, page = await fetch(http, f"{base_url}/events/{event.id}/summary")
        text = re.sub(r"<[^>]+>", "", page)
        async with http.get(f"{base_url}/events/{event.id}/summary.pdf") as response:
            pdf = " ".join(pdf_text(await response.read(), tmp_path).split())
        for person in people:
            assert f"{person['email']} · {person['phone']}" in text
            assert f"{person['email']} · {person['phone']}" in pdf
    token = event.interviewers["Lena Åkesson"][1]
    async with new_client() as interviewer:
        assert await sign_in_interviewer(interviewer, base_url, token) == 303
        _, _, page = await fetch(interviewer, f"{base_url}/i/{token}/summary")
        async with interviewer.get(f"{base_url}/i/{token}/summary.pdf") as response:
            pdf = pdf_text(await response.read(), tmp_path)
    assert "Ann-Sofie Lindström" in page and "Ann-Sofie Lindström" in pdf
    assert 'class="contact-line"' not in page
    # The PDF points to the page a screen reader reads, but not by the interviewer's own
    # address: that is their personal link, and a PDF is passed on.
    joined = " ".join(pdf.split())
    assert "sida på möteswebben" in joined or "page of the meeting web" in joined, joined[:600]
    assert token not in "".join(pdf.split()) and "/summary" not in joined
    for person in people:
        assert person["email"] not in page and person["email"] not in pdf
