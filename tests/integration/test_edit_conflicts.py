"""Two people editing one event: a form made before someone else's save is refused (409),
changes nothing and mails nobody, instead of silently replacing that save (and un-inviting
the interviewer it added); it comes back saying which fields differ from the event as it is
now, and may then be saved over it on purpose. Changes outside the form (publish, the invite
link) do not make an open form stale."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import ClientSession, CookieJar

from tests.accounts import log_in, make_user
from tests.forms import csrf_from, edit_form_of, value_in
from tests.integration.test_events import create_event, event_form
from tests.mails import caught, unique_email, wait_for_mail

REFUSED = {
    "sv": (
        "Intervjutillfället ändrades efter att du öppnade formuläret, av någon annan eller av dig i "
        "ett annat fönster. Dina ändringar är inte sparade än, så att inget av det som ändrades skrivs "
        "över utan att du ser det."
    ),
    "en": (
        "This event was changed after you opened this form, by someone else or by you in another "
        "window. Your changes are not saved yet, so that nothing they changed is replaced unseen."
    ),
}


@pytest.fixture
async def colleague(employer, db, base_url, app_server):
    """A second account in the employer's organization, logged in: its aiohttp session."""
    _, user = employer
    other = await make_user(db, organization_id=user["organization_id"], name="Kollega Testsson")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        await log_in(http, base_url, other["email"])
        yield http


async def save(http, base_url, event_id: int, form) -> tuple[int, str]:
    async with http.post(f"{base_url}/events/{event_id}/edit", data=form, allow_redirects=False) as response:
        return response.status, await response.text()


async def stored(db, event_id: int):
    """Everything an edit writes: the event row, its questions, attributes, interviewers."""
    return (
        await db.fetchrow("SELECT * FROM event WHERE id = $1", event_id),
        await db.fetch("SELECT * FROM event_question WHERE event_id = $1 ORDER BY position", event_id),
        await db.fetch("SELECT * FROM event_attribute WHERE event_id = $1 ORDER BY position", event_id),
        await db.fetch("SELECT * FROM event_interviewer WHERE event_id = $1 ORDER BY id", event_id),
    )


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_form_older_than_a_colleagues_save_is_refused_and_changes_nothing(
    employer, colleague, base_url, db, settings, language
):
    http, _ = employer
    anna, xavier = unique_email("anna"), unique_email("xavier")
    event_id = await create_event(
        http, base_url, action="publish", interviewer_email=[anna], interviewer_name=["Anna"], question=["Q1"]
    )
    await http.get(f"{base_url}/lang/{language}")
    edit_url = f"{base_url}/events/{event_id}/edit"
    csrf_a, version_a = await edit_form_of(http, edit_url)
    csrf_b, version_b = await edit_form_of(colleague, edit_url)
    assert version_a == version_b

    status, _ = await save(
        colleague,
        base_url,
        event_id,
        event_form(
            csrf_b,
            edit_version=version_b,
            title="Kollegans titel",
            job_description="Kollegans text.",
            question=["Kollegans fråga"],
            interviewer_email=[anna, xavier],
            interviewer_name=["Anna", "Xavier"],
        ),
    )
    assert status == 303
    await wait_for_mail(settings.mail.catcher_dir, xavier)
    before = await stored(db, event_id)

    status, page = await save(
        http,
        base_url,
        event_id,
        event_form(
            csrf_a,
            edit_version=version_a,
            title="Min gamla titel",
            question=["Min fråga"],
            interviewer_email=[anna],
            interviewer_name=["Anna"],
        ),
    )
    assert status == 409
    assert REFUSED[language] in page
    # At the top, where the form's other errors are, and focused like them (web/static/js/forms.js).
    summary = page.index('id="error-summary"')
    assert (
        summary < page.index('class="event-form"')
        and 'role="alert" tabindex="-1"' in page[summary - 100 : summary]
    )
    # A way to the event as it is now, in a new form, beside the input kept to copy from.
    assert f'href="/events/{event_id}/edit" target="_blank"' in page
    assert 'value="Min gamla titel"' in page and 'value="Min fråga"' in page
    # Each field this form would change from the event as it is now, with its value now:
    # the colleague's title, question and interviewers (the description the colleague
    # changed too; the date and the rest are the same in both).
    differing = page[summary : page.index("</div>", summary)]
    assert {"sv": "nu ”Kollegans titel”", "en": "now “Kollegans titel”"}[language] in differing
    assert "Kollegans fråga" in differing and "Xavier (" in differing
    assert "Kollegans text." in differing
    assert 'href="#date"' not in differing and 'href="#capacity"' not in differing
    # The form may now be saved over it, on purpose: it carries the event's current version.
    assert {"sv": "Spara min version", "en": "Save my version"}[language] in page
    current = await db.fetchval("SELECT edit_version FROM event WHERE id = $1", event_id)
    assert f'name="edit_version" value="{current}"' in page

    assert await stored(db, event_id) == before
    # Nothing was mailed for the refused form: the only mail to the colleague's interviewer
    # is its invitation, in the outbox (every mail is a row there first) and, after a moment
    # for the worker to send anything pending, in the catcher.
    templates = await db.fetch("SELECT template FROM mail_outbox WHERE to_address = $1", xavier)
    assert [row["template"] for row in templates] == ["interviewer_invitation"]
    await asyncio.sleep(1.5)
    assert len(caught(settings.mail.catcher_dir, xavier)) == 1


async def test_two_saves_of_forms_made_together_one_wins_the_other_is_refused(
    employer, colleague, base_url, db
):
    """At the same moment: the row lock orders them, and the second sees the first's version."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish")
    edit_url = f"{base_url}/events/{event_id}/edit"
    (csrf_a, version_a), (csrf_b, version_b) = await asyncio.gather(
        edit_form_of(http, edit_url), edit_form_of(colleague, edit_url)
    )
    results = await asyncio.gather(
        save(http, base_url, event_id, event_form(csrf_a, edit_version=version_a, title="A")),
        save(colleague, base_url, event_id, event_form(csrf_b, edit_version=version_b, title="B")),
    )
    assert sorted(status for status, _ in results) == [303, 409]
    winner = "A" if results[0][0] == 303 else "B"
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event_id) == winner


async def test_a_form_without_a_version_or_with_a_made_up_one_saves_nothing(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url)
    before = await stored(db, event_id)
    csrf = await csrf_from(http, f"{base_url}/events/{event_id}/edit")
    for version in (None, "", "x", "-1", "1" * 400, "٣"):
        form = event_form(csrf, title="Ändrad") + ([] if version is None else [("edit_version", version)])
        status, _ = await save(http, base_url, event_id, form)
        assert status == 409, version
    assert await stored(db, event_id) == before


async def test_changes_outside_the_form_leave_an_open_form_current(employer, colleague, base_url, db):
    """Publishing and opening or closing the invite link change the event row, not what the
    form holds: a form opened before them still saves."""
    http, _ = employer
    event_id = await create_event(http, base_url)
    csrf, version = await edit_form_of(http, f"{base_url}/events/{event_id}/edit")
    for path, data in (("publish", {}), ("invite-link", {"open": "no"}), ("invite-link", {"open": "yes"})):
        page_csrf = await csrf_from(colleague, f"{base_url}/events/{event_id}")
        async with colleague.post(
            f"{base_url}/events/{event_id}/{path}",
            data={**data, "csrf_token": page_csrf},
            allow_redirects=False,
        ) as response:
            assert response.status == 303, path
    status, _ = await save(http, base_url, event_id, event_form(csrf, edit_version=version, title="Sparad"))
    assert status == 303
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event_id) == "Sparad"


async def test_a_form_with_a_mistake_keeps_its_version_and_saves_once_corrected(employer, base_url, db):
    http, _ = employer
    event_id = await create_event(http, base_url)
    edit_url = f"{base_url}/events/{event_id}/edit"
    csrf, version = await edit_form_of(http, edit_url)
    status, page = await save(http, base_url, event_id, event_form(csrf, edit_version=version, title=""))
    assert status == 422 and f'name="edit_version" value="{version}"' in page
    status, _ = await save(http, base_url, event_id, event_form(csrf, edit_version=version, title="Rättad"))
    assert status == 303
    # The save made every form opened before it stale, including the one just used.
    status, _ = await save(http, base_url, event_id, event_form(csrf, edit_version=version, title="Igen"))
    assert status == 409
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event_id) == "Rättad"


async def stale_form_after_colleague_saved(http, colleague, base_url, event_id: int, **theirs):
    """Both open the edit form, the colleague saves `theirs`: the employer's form (its CSRF
    token and version) is then stale."""
    edit_url = f"{base_url}/events/{event_id}/edit"
    csrf_a, version_a = await edit_form_of(http, edit_url)
    csrf_b, version_b = await edit_form_of(colleague, edit_url)
    status, _ = await save(
        colleague, base_url, event_id, event_form(csrf_b, edit_version=version_b, **theirs)
    )
    assert status == 303
    return csrf_a, version_a


async def test_a_refused_form_saved_on_purpose_replaces_the_event_unless_it_changed_again(
    employer, colleague, base_url, db
):
    """The refused page's form, sent again as it came back (its "Save my version"), saves:
    the user saw what it replaces. Refused once more if someone saved again meanwhile."""
    http, _ = employer
    event_id = await create_event(http, base_url, action="publish", question=["Q1"])
    csrf_a, version_a = await stale_form_after_colleague_saved(
        http, colleague, base_url, event_id, title="Kollegans"
    )

    mine = dict(title="Min titel", question=["Min fråga"])
    status, page = await save(http, base_url, event_id, event_form(csrf_a, edit_version=version_a, **mine))
    assert status == 409
    status, page = await save(
        http, base_url, event_id, event_form(csrf_a, edit_version=value_in(page, "edit_version"), **mine)
    )
    assert status == 303
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event_id) == "Min titel"
    questions = await db.fetch("SELECT text FROM event_question WHERE event_id = $1", event_id)
    assert [row["text"] for row in questions] == ["Min fråga"]

    # Refused again, with the newer version, when another save came between.
    status, page = await save(http, base_url, event_id, event_form(csrf_a, edit_version=version_a, title="A"))
    assert status == 409
    again = value_in(page, "edit_version")
    csrf_b, version_b = await edit_form_of(colleague, f"{base_url}/events/{event_id}/edit")
    status, _ = await save(
        colleague, base_url, event_id, event_form(csrf_b, edit_version=version_b, title="Kollegans igen")
    )
    assert status == 303
    status, page = await save(http, base_url, event_id, event_form(csrf_a, edit_version=again, title="A"))
    assert status == 409 and "Kollegans igen" in page
    assert await db.fetchval("SELECT title FROM event WHERE id = $1", event_id) == "Kollegans igen"


async def test_a_refused_form_that_holds_what_the_event_holds_has_nothing_to_save(
    employer, colleague, base_url, db
):
    http, _ = employer
    event_id = await create_event(http, base_url)
    csrf_a, version_a = await stale_form_after_colleague_saved(
        http, colleague, base_url, event_id, title="Samma"
    )
    status, page = await save(
        http, base_url, event_id, event_form(csrf_a, edit_version=version_a, title="Samma")
    )
    assert status == 409
    assert "there is nothing to save" in page or "det finns inget att spara" in page
    assert "Save my version" not in page and "Spara min version" not in page
