"""Writing mails: rendered now, in the recipient's language, into the caller's transaction.

    await request.app[MAILER].enqueue(connection, to_address=..., to_name=..., language="sv",
                                      template="password_reset", context={...})

renders web/templates/mail/<template>.subject.txt (one line), .txt and .html and inserts an
outbox row on `connection`, so the mail exists exactly when the change that caused it is
committed; the worker (app/mail/worker.py) sends it afterwards. Every template gets `lang`,
`public_url`, `support_email` and `subject` (the rendered subject line) besides `context`.
The .html extends mail/_base.html (layout and footer); the .txt holds the message only, and
mail/_footer.txt is appended to it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import asyncpg

from app.i18n import LANGUAGES, Renderer
from app.mail import store
from app.mail.calendar import CalendarEntry, calendar_text
from app.mail.message import mailbox, new_message_id, one_line, sender_mailbox
from app.rendered_once import frozen, splicing
from app.settings import Settings

__all__ = ["CalendarEntry", "Mailer", "PreparedMail", "RenderedMail"]

# A template is named by letters, digits and underscores: no paths, and names starting with
# "_" are layouts (mail/_base.html), not mails.
TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,99}$")
SUBJECT_MAX = 500
NAME_MAX = 200
# Ends every plain-text mail, as mail/_base.html ends every HTML one.
TEXT_FOOTER = "mail/_footer.txt"


@dataclass(frozen=True)
class PreparedMail:
    """A mail rendered and addressed, ready for its outbox row (store.insert's columns)."""

    message_id: str
    to_address: str
    to_name: str
    language: str
    template: str
    subject: str
    text_body: str
    html_body: str
    ics: str | None
    ics_method: str | None


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class Mailer:
    def __init__(self, settings: Settings, renderer: Renderer):
        self.settings = settings
        self.renderer = renderer
        self.spliced = splicing(renderer)
        self.sender = sender_mailbox(settings.mail.sender)

    def render(
        self,
        language: str,
        template: str,
        context: dict[str, Any],
        personal: Mapping[str, str] | None = None,
    ) -> RenderedMail:
        """`personal`: values of the context that the templates only print (a recipient's
        name, link, PIN): rendered once per `context` and spliced in (app/rendered_once.py)."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        if not TEMPLATE_NAME.match(template):
            raise ValueError(f"not a mail template name: {template!r}")
        full = dict(
            context,
            lang=language,
            public_url=self.settings.app.public_url,
            support_email=self.settings.app.support_email,
        )
        base = f"mail/{template}"
        # The shared context's cache key, made once for the mail's four templates.
        key: Hashable | None = None
        if personal:
            try:
                key = frozen(full)
            except TypeError:
                personal = None  # not a key: rendered in full

        def render(name: str) -> str:
            if personal:
                return self.spliced.render(language, name, full, personal, shared_key=key)
            return self.renderer.render(language, name, full)

        subject = one_line(render(f"{base}.subject.txt"))
        if not subject or len(subject) > SUBJECT_MAX:
            raise ValueError(f"{base}.subject.txt must give one line of 1–{SUBJECT_MAX} characters")
        full["subject"] = subject
        key = (key, subject)
        text = "\n\n".join(render(name).strip("\n") for name in (f"{base}.txt", TEXT_FOOTER)) + "\n"
        html = render(f"{base}.html")
        return RenderedMail(subject, text, html)

    def prepare(
        self,
        *,
        to_address: str,
        to_name: str,
        language: str,
        template: str,
        context: dict[str, Any],
        calendar: CalendarEntry | None = None,
        personal: Mapping[str, str] | None = None,
    ) -> PreparedMail:
        """Render a mail in `language`, without the database: a caller holding a lock renders
        before taking it and inserts (`insert`) under it. Raises ValueError for a bad
        address, language or template name. `personal`: as for render."""
        recipient = mailbox(to_address, one_line(to_name)[:NAME_MAX])
        rendered = self.render(language, template, context, personal)
        ics = None
        if calendar is not None:
            ics = calendar_text(
                calendar, organizer=self.sender, attendee=recipient, stamp=datetime.now(timezone.utc)
            )
        return PreparedMail(
            message_id=new_message_id(self.sender),
            to_address=recipient.addr_spec,
            to_name=recipient.display_name,
            language=language,
            template=template,
            subject=rendered.subject,
            text_body=rendered.text,
            html_body=rendered.html,
            ics=ics,
            ics_method=calendar.method if calendar is not None else None,
        )

    def prepare_to(
        self,
        recipient: Mapping[str, Any],
        template: str,
        context: dict[str, Any],
        calendar: CalendarEntry | None = None,
        personal: Mapping[str, str] | None = None,
    ) -> PreparedMail:
        """`prepare` for a row with the recipient's email, name and language (a candidate's,
        an interviewer's)."""
        return self.prepare(
            to_address=recipient["email"],
            to_name=recipient["name"],
            language=recipient["language"],
            template=template,
            context=context,
            calendar=calendar,
            personal=personal,
        )

    @staticmethod
    async def insert(connection: asyncpg.Connection, mail: PreparedMail) -> int:
        """The prepared mail's outbox row, inside the caller's transaction; its id."""
        return await store.insert(connection, **dataclasses.asdict(mail))

    async def enqueue(
        self,
        connection: asyncpg.Connection,
        *,
        to_address: str,
        to_name: str,
        language: str,
        template: str,
        context: dict[str, Any],
        calendar: CalendarEntry | None = None,
    ) -> int:
        """Render the mail in `language` now and insert its outbox row using `connection`
        (inside the caller's transaction); returns the row's id. Raises ValueError for a bad
        address, language or template name."""
        return await self.insert(
            connection,
            self.prepare(
                to_address=to_address,
                to_name=to_name,
                language=language,
                template=template,
                context=context,
                calendar=calendar,
            ),
        )
