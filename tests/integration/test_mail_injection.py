"""User text cannot get out of its mail header: the mails the real SMTP server (the test
catcher) received, read back byte for byte.

Names, event titles and organization names that are RFC 2047 encoded words decoding to line
breaks, or that hold raw line breaks of any kind, or that are long, go into every mail template:
first straight through the mail layer (which must be safe on its own), then through the forms
a stranger or an employer fills in (registration by invite link, the event form's interviewers,
sign-up and the password reset, a colleague invitation).
"""

from __future__ import annotations

import asyncio
import mailbox
import re
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import ClientSession, CookieJar

from app.keys import MAILER
from app.mail import CalendarEntry
from tests.accounts import PASSWORD, fresh_log_in_limits, log_in, make_user  # noqa: F401
from tests.candidate_support import make_event, register
from tests.forms import csrf_from, post_form
from tests.integration.mail_support import event_context
from tests.integration.test_events import event_form
from tests.mail_headers import (
    HOSTILE_NAMES,
    LINE_BREAKING,
    assert_one_line_headers,
    assert_recipient,
)
from tests.mails import link_in, unique_email

STARTS = datetime(2026, 12, 4, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
# Every template in web/templates/mail/, and whether the code that sends it adds a calendar entry.
TEMPLATES = {
    "candidate_registration": True,
    "candidate_reminder": True,
    "candidate_cancelled": True,
    "candidate_link_after": False,
    "event_time_changed": True,
    "event_cancelled": True,
    "interviewer_invitation": True,
    "colleague_invitation": False,
    "colleague_invitation_existing": False,
    "password_reset": False,
    "signup_confirm": False,
    "signup_existing": False,
}
# The headers the product writes: none may be pushed down into a body part.
PRODUCT_HEADER_LINE = re.compile(
    r"^(Message-ID|Date|From|Reply-To|Subject|Auto-Submitted|"
    r"Content-Language|MIME-Version|Content-Type):",
    re.MULTILINE | re.IGNORECASE,
)


def raw_mails_to(maildir: str, address: str) -> dict[str, bytes]:
    """Every message the catcher filed that names `address` anywhere, by Maildir key: read
    as bytes, so a mail whose To header broke is found as well (and parses nothing else)."""
    box = mailbox.Maildir(maildir, factory=None, create=False)
    return {key: raw for key in box.keys() if address.encode() in (raw := box.get_bytes(key))}


async def take_raw(maildir: str, address: str, timeout: float = 30) -> bytes:
    """The one mail to `address`, taken out of the catcher: the next one to the same
    address is then the only one there."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := raw_mails_to(maildir, address)):
        assert asyncio.get_running_loop().time() < deadline, f"no mail to {address} arrived"
        await asyncio.sleep(0.1)
    [(key, raw)] = found.items()
    mailbox.Maildir(maildir, factory=None, create=False).remove(key)
    return raw


def check_received(
    raw: bytes, *, address: str, name: str, subject: str, reply_to: str, calendar: bool
) -> dict[str, str]:
    """The mail as received: our headers only, each one line, the recipient and Reply-To ours,
    and the body our parts with none of the attacker's headers in them."""
    headers = assert_one_line_headers(raw)
    message = message_from_bytes(raw, policy=policy.default)
    [recipient] = message["To"].addresses
    assert recipient.addr_spec == address
    # Decoded as RFC 2047 says (Python's address parser keeps the space between two encoded
    # words of a folded name, which mail clients drop).
    assert_recipient(headers["To"], name, address)
    [answer_to] = message["Reply-To"].addresses
    assert answer_to.addr_spec == reply_to
    assert headers["Subject"] == subject
    expected = ["multipart/alternative", "text/plain", "text/html"]
    if calendar:
        expected = ["multipart/mixed"] + expected + ["text/calendar"]
    assert [part.get_content_type() for part in message.walk()] == expected
    for part in list(message.walk())[1:]:
        assert set(part.keys()) <= {
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
            "Content-Disposition",
        }, part.keys()
        if not part.is_multipart():
            body = part.get_content()
            assert not PRODUCT_HEADER_LINE.search(body), PRODUCT_HEADER_LINE.search(body)
    return headers


def every_context(hostile: str) -> dict:
    """What all mail templates read, with the hostile text in every slot a user fills."""
    context = event_context(hostile, STARTS, name=hostile)
    context["event"].update(organization_name=hostile, interview_minutes=10)
    return dict(
        context,
        pin="123456",
        again=False,
        by_employer=True,
        invite_link=None,
        inviter_name=hostile,
        organization_name=hostile,
        organization=hostile,
        valid_days=7,
        valid_minutes=60,
        valid_hours=24,
        accept_url="https://snabb.example.se/invitation/abc",
        reset_url="https://snabb.example.se/password/reset/abc",
        confirm_url="https://snabb.example.se/signup/confirm/abc",
        login_url="https://snabb.example.se/login",
        forgot_url="https://snabb.example.se/password/forgot",
    )


@pytest_asyncio.fixture(scope="module")
async def mailed_by_the_mail_layer(stack, app_server):
    """One mail per (template, hostile name), queued at once and sent by the application's
    worker: {(template, case): (address, outbox row)}."""
    connection = await asyncpg.connect(stack.environ["DATABASE_URL"])
    mailed = {}
    try:
        async with connection.transaction():
            for case, hostile in HOSTILE_NAMES.items():
                for template, with_calendar in TEMPLATES.items():
                    address = unique_email(f"inject-{case}")
                    calendar = (
                        CalendarEntry(
                            uid=f"inject-{address}",
                            sequence=0,
                            method="REQUEST",
                            summary=hostile,
                            description="",
                            starts_at=STARTS,
                            ends_at=STARTS + timedelta(hours=1),
                        )
                        if with_calendar
                        else None
                    )
                    mail_id = await app_server[MAILER].enqueue(
                        connection,
                        to_address=address,
                        to_name=hostile,
                        language="en",
                        template=template,
                        context=every_context(hostile),
                        calendar=calendar,
                    )
                    mailed[template, case] = address, mail_id
        rows = {
            row["id"]: row
            for row in await connection.fetch(
                "SELECT id, to_name, subject FROM mail_outbox WHERE id = any($1::bigint[])",
                [mail_id for _, mail_id in mailed.values()],
            )
        }
    finally:
        await connection.close()
    return {key: (address, rows[mail_id]) for key, (address, mail_id) in mailed.items()}


def test_every_mail_template_is_covered():
    folder = Path(__file__).resolve().parents[2] / "web" / "templates" / "mail"
    assert {path.name.removesuffix(".subject.txt") for path in folder.glob("*.subject.txt")} == set(TEMPLATES)


@pytest.mark.parametrize("case", HOSTILE_NAMES)
@pytest.mark.parametrize("template", TEMPLATES)
async def test_every_template_keeps_hostile_names_in_their_headers(
    mailed_by_the_mail_layer, settings, template, case
):
    address, row = mailed_by_the_mail_layer[template, case]
    # What the outbox keeps is one line already; the mail shows exactly that.
    assert not LINE_BREAKING.search(row["to_name"] + row["subject"])
    raw = await take_raw(settings.mail.catcher_dir, address)
    check_received(
        raw,
        address=address,
        name=row["to_name"],
        subject=row["subject"],
        reply_to=settings.app.support_email,
        calendar=TEMPLATES[template],
    )


# Through the forms: names a person types (or a script posts) into the product.
ENGLISH = {"Accept-Language": "en"}
FORM_CASES = ["q-utf8", "b-utf8", "q-latin1", "b-latin1", "crlf", "nel", "u2028", "long"]


def one_line(text: str) -> str:
    """What the forms keep of a name: every kind of line break and run of spaces one space."""
    return " ".join(LINE_BREAKING.sub(" ", text).split())


async def check_form_mail(db, settings, address: str, name: str, template: str) -> bytes:
    """The mail to `address` as received, against what its outbox row says; and its text
    has no line the attacker made look like a header. Takes it out of the catcher after."""
    # Waited for: some forms queue their mail after their answer (app/after_answer.py).
    for _ in range(200):
        row = await db.fetchrow(
            """SELECT to_name, subject FROM mail_outbox
                                    WHERE to_address = $1 AND template = $2""",
            address,
            template,
        )
        if row is not None:
            break
        await asyncio.sleep(0.05)
    assert row is not None, f"no {template} mail to {address} queued within 10 s"
    assert row["to_name"] == name
    calendar = TEMPLATES[template]
    raw = await take_raw(settings.mail.catcher_dir, address)
    check_received(
        raw,
        address=address,
        name=name,
        subject=row["subject"],
        reply_to=settings.app.support_email,
        calendar=calendar,
    )
    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    assert not re.search(r"^(X-Injected|Reply-To|Bcc):", text, re.MULTILINE | re.IGNORECASE), text
    return raw


@pytest.mark.parametrize("case", FORM_CASES)
async def test_registering_by_invite_link_with_a_hostile_name(http, base_url, db, settings, case):
    event = await make_event(db)
    address = unique_email(f"register-{case}")
    status, page = await register(
        http, base_url, event["invite_token"], name=HOSTILE_NAMES[case], email=address, language="en"
    )
    assert status == 200, page
    name = await db.fetchval("SELECT name FROM candidate WHERE email = $1", address)
    assert name == one_line(HOSTILE_NAMES[case])
    raw = await check_form_mail(db, settings, address, name, "candidate_registration")
    assert (
        f"Hello {name}," in message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    )


@pytest.mark.usefixtures("fresh_log_in_limits")
@pytest.mark.parametrize("case", FORM_CASES)
async def test_an_interviewer_name_in_the_event_form(http, base_url, db, settings, case):
    """The invitation mail an interviewer gets when the event is published; the title too."""
    user = await make_user(db)
    await log_in(http, base_url, user["email"])
    address = unique_email(f"interviewer-{case}")
    title = "Säljare " + HOSTILE_NAMES["q-utf8"]
    csrf = await csrf_from(http, f"{base_url}/events/new")
    form = event_form(
        csrf,
        title=title,
        action="publish",
        interviewer_email=[address],
        interviewer_name=[HOSTILE_NAMES[case]],
    )
    async with http.post(f"{base_url}/events/new", data=form, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
    name = await db.fetchval("SELECT name FROM event_interviewer WHERE email = $1", address)
    assert name == one_line(HOSTILE_NAMES[case])
    raw = await check_form_mail(db, settings, address, name, "interviewer_invitation")
    assert title in assert_one_line_headers(raw)["Subject"]


@pytest.mark.usefixtures("fresh_log_in_limits")
@pytest.mark.parametrize("case", ["q-utf8", "b-latin1", "crlf", "u2028"])
async def test_the_sign_up_name_in_every_account_mail(http, base_url, db, settings, case):
    """Sign-up (its confirmation, and the warning when the address is taken), a colleague
    invitation carrying the name and organization, and the password reset."""
    hostile, email = HOSTILE_NAMES[case], unique_email(f"signup-{case}")
    name, organization = one_line(hostile), one_line(f"{hostile} AB")
    form = {
        "organization": f"{hostile} AB",
        "name": hostile,
        "email": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    status, page, _ = await post_form(http, base_url, "/signup", form, headers=ENGLISH)
    assert status == 303, page
    raw = await check_form_mail(db, settings, email, name, "signup_confirm")
    link = link_in(
        message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content(),
        base_url,
        "/signup/confirm/",
    )
    status, page, headers = await post_form(http, base_url, link[len(base_url) :], {"password": PASSWORD})
    assert status == 303 and headers["Location"] == "/events", page
    stored = await db.fetchrow(
        """SELECT u.name, o.name AS organization FROM app_user u
                                   JOIN organization o ON o.id = u.organization_id
                                  WHERE u.email = $1""",
        email,
    )
    assert (stored["name"], stored["organization"]) == (name, organization)

    colleague = unique_email(f"colleague-{case}")
    status, page, _ = await post_form(
        http, base_url, "/account/colleagues", {"email": colleague, "language": "en"}, headers=ENGLISH
    )
    assert status == 303, page
    raw = await check_form_mail(db, settings, colleague, "", "colleague_invitation")
    assert assert_one_line_headers(raw)["Subject"] == (
        f"{name} invites you to {organization} on Snabbintervjuer"
    )

    status, page, _ = await post_form(http, base_url, "/password/forgot", {"email": email})
    assert status == 303, page
    await check_form_mail(db, settings, email, name, "password_reset")

    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as stranger:
        status, page, _ = await post_form(stranger, base_url, "/signup", form, headers=ENGLISH)
    assert status == 303, page
    await check_form_mail(db, settings, email, name, "signup_existing")


async def test_an_address_holding_an_encoded_word_is_refused_at_the_form(http, base_url, db):
    # The mailer would refuse it as well; the form says so in its own words, first.
    event = await make_event(db)
    status, page = await register(
        http,
        base_url,
        event["invite_token"],
        name="Eve",
        email="=?utf-8?q?eve=0D=0AX-Injected=3A_yes?=@example.se",
        accept_language="en",
    )
    assert status == 422 and "Enter an e-mail address like name@example.se." in page
    assert await db.fetchval("SELECT count(*) FROM candidate WHERE event_id = $1", event["id"]) == 0
