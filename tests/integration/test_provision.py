"""scripts/provision, run as an admin would: a separate process on the same database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.accounts import PASSWORD, fresh_log_in_limits, try_log_in  # noqa: F401 (a fixture)
from tests.forms import get_page, post_form
from tests.mails import unique_email

pytestmark = pytest.mark.usefixtures("fresh_log_in_limits")

ROOT = Path(__file__).resolve().parents[2]


async def provision(stack, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(ROOT / "scripts" / "provision"),
        *args,
        env=stack.environ,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else b""), 60)
    return process.returncode, out.decode(), err.decode()


async def test_create_list_disable_and_enable(stack, http, base_url):
    email = unique_email("admin-made")
    code, out, err = await provision(
        stack,
        "create-organization",
        "--name",
        "Provisionerade AB",
        "--email",
        email,
        "--user-name",
        "Petra Provision",
        "--language",
        "en",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert "Created organization" in out and email in out
    assert PASSWORD not in out + err

    code, out, _ = await provision(stack, "list")
    assert code == 0
    assert "Provisionerade AB" in out and f"Petra Provision <{email}>, en, active" in out

    status, _, _ = await try_log_in(http, base_url, email, PASSWORD)
    assert status == 303
    assert (await get_page(http, f"{base_url}/account"))[0] == 200

    code, out, _ = await provision(stack, "disable-user", email.upper())
    assert code == 0 and "1 session(s) ended" in out
    async with http.get(f"{base_url}/account", allow_redirects=False) as response:
        assert response.status == 303  # the session stopped working at once
    status, page, _ = await post_form(
        http, base_url, "/login", {"email": email, "password": PASSWORD}, headers={"Accept-Language": "en"}
    )
    assert status == 400 and "This account has been disabled." in page
    code, out, _ = await provision(stack, "list")
    assert f"<{email}>, en, DISABLED" in out

    code, out, _ = await provision(stack, "enable-user", email)
    assert code == 0
    assert (await try_log_in(http, base_url, email, PASSWORD))[0] == 303


async def test_refusals_are_explained_and_change_nothing(stack, db):
    email = unique_email("twice")
    base = ["create-organization", "--name", "Dubbel AB", "--user-name", "Dubbel", "--email"]
    assert (await provision(stack, *base, email, "--password-stdin", stdin=PASSWORD))[0] == 0
    count = await db.fetchval("SELECT count(*) FROM organization")

    code, _, err = await provision(stack, *base, email.upper(), "--password-stdin", stdin=PASSWORD)
    assert code == 1 and "already a user with the e-mail address" in err
    code, _, err = await provision(stack, *base, unique_email(), "--password-stdin", stdin="kort\n")
    assert code == 1 and "password: Use at least 10 characters." in err
    code, _, err = await provision(stack, *base, "inte-en-adress", "--password-stdin", stdin=PASSWORD)
    assert code == 1 and "--email: Enter an e-mail address like name@example.se." in err
    code, _, err = await provision(stack, *base, unique_email())  # no terminal, no --password-stdin
    assert code == 1 and "--password-stdin" in err
    assert await db.fetchval("SELECT count(*) FROM organization") == count

    code, _, err = await provision(stack, "disable-user", unique_email("nobody"))
    assert code == 1 and "no user has the e-mail address" in err
    code, _, err = await provision(stack, "frobnicate")
    assert code == 2 and "invalid choice" in err


async def test_a_person_of_the_staff_is_erased_on_request_once_no_event_to_come_needs_them(stack, db):
    """An employer's user who interviewed at a past event and interviews at one to come:
    refused while that one needs them (nothing erased); taken off it, erased: no account, no
    name or address on the past event (its interviews stay), no mail to them readable."""
    from tests.integration.live_support import make_live_event

    email = unique_email("erase-me")
    base = ["create-organization", "--name", "Radera AB", "--user-name", "Rut Radera", "--email", email]
    assert (await provision(stack, *base, "--password-stdin", stdin=PASSWORD))[0] == 0
    past = await make_live_event(db, interviewers=1, candidates=0, starts_in_minutes=-120)
    coming = await make_live_event(db, interviewers=1, candidates=0, starts_in_minutes=60, state="published")
    for event in (past, coming):
        await db.execute(
            "UPDATE event_interviewer SET email = $2, name = 'Rut Radera' WHERE id = $1",
            event.interviewers[0],
            email.upper(),
        )
    await db.execute(
        """INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                                    text_body, html_body, sent_at)
           VALUES ('<erase-me@test>', $1, 'Rut Radera', 'sv', 'test', 'Möteslänk', 'Hej Rut', '', now())""",
        email,
    )

    code, _, err = await provision(stack, "erase-person", email)
    assert code == 1 and f"{coming.id} (" in err and "nothing was erased" in err
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE lower(email) = lower($1)", email) == 1

    await db.execute("DELETE FROM event_interviewer WHERE id = $1", coming.interviewers[0])
    code, out, err = await provision(stack, "erase-person", email)
    assert code == 0, err
    assert "1 account(s), 1 place(s) as an interviewer" in out and "1 mail(s)" in out
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE lower(email) = lower($1)", email) == 0
    kept = await db.fetchrow("SELECT email, name FROM event_interviewer WHERE id = $1", past.interviewers[0])
    assert (kept["email"], kept["name"]) == (f"erased-{past.interviewers[0]}@invalid", "")
    mail = await db.fetchrow(
        "SELECT to_address, to_name, text_body FROM mail_outbox WHERE message_id = '<erase-me@test>'"
    )
    assert tuple(mail) == ("", "", "")
    # Once more: nothing left under the address.
    code, _, err = await provision(stack, "erase-person", email)
    assert code == 1 and "nothing on the staff side has the e-mail address" in err
