"""/dev/mail: the mails the development mail catcher caught (development mode only).

The catcher (app.localstack.mailcatcher) is a real SMTP server on loopback that files every
message into a Maildir; this page reads that folder.
"""

from __future__ import annotations

import email.policy
import mailbox
import re
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, cast

from aiohttp import web

from app.events.rules import SWEDISH_TIME
from app.headers import CSP, content_security_policy
from app.keys import SETTINGS
from app.views.pages import render

routes = web.RouteTableDef()


def open_maildir(request: web.Request) -> mailbox.Maildir:
    settings = request.app[SETTINGS]
    if not settings.development:
        raise web.HTTPNotFound()
    path = Path(settings.mail.catcher_dir)
    return mailbox.Maildir(path, factory=None, create=True)


def read_message(box: mailbox.Maildir, key: str) -> EmailMessage:
    with box.get_file(key) as handle:
        # A mailbox's file is a binary file; typeshed's overloads do not say so.
        return email.message_from_binary_file(cast(BinaryIO, handle), policy=email.policy.default)


def summary(key: str, message: EmailMessage) -> dict:
    try:
        sent = parsedate_to_datetime(message["Date"]) if message["Date"] else None
        if sent is not None and sent.tzinfo is not None:
            # In Swedish time, as every page and mail says the time (a header may be in UTC).
            sent = sent.astimezone(SWEDISH_TIME)
    except (TypeError, ValueError):
        sent = None
    return {
        "key": key,
        "subject": header_text(message, "Subject"),
        "to": header_text(message, "To"),
        "sender": header_text(message, "From"),
        "sent": sent,
    }


def header_text(message: EmailMessage, name: str) -> str:
    """A header as a mail program shows it. Decoded from its raw value by RFC 2047's rules,
    not read through the parsed header: Python's parser of address headers keeps the space
    between two encoded words that split a long name in the middle of a word
    ("Österg ötland"), which the mail as sent does not have."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            unfolded = re.sub(r"\r?\n(?=[ \t])", "", value)  # a long header's line breaks
            try:
                return str(make_header(decode_header(unfolded)))
            except (LookupError, HeaderParseError, UnicodeDecodeError):  # a charset unknown here
                return str(message[name])
    return ""


@routes.get("/dev/mail", name="dev_mail")
async def mail_list(request: web.Request) -> web.Response:
    box = open_maildir(request)
    mails = [summary(key, read_message(box, key)) for key in box.keys()]
    mails.sort(key=lambda m: (m["sent"] is None, m["sent"]), reverse=True)
    return render(request, "dev_mail.html", {"mails": mails})


def message_of(request: web.Request) -> tuple[str, EmailMessage]:
    box = open_maildir(request)
    key = request.match_info["key"]
    if key not in box:
        raise web.HTTPNotFound()
    return key, read_message(box, key)


@routes.get("/dev/mail/{key}", name="dev_mail_message")
async def mail_message(request: web.Request) -> web.Response:
    key, message = message_of(request)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    attachments = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
    response = render(
        request,
        "dev_mail_message.html",
        {
            "mail": summary(key, message),
            "text": text_part.get_content() if text_part else "",
            "has_html": html_part is not None,
            "attachments": attachments,
        },
    )
    # The HTML part is shown in a frame of this site (below); the site's policy allows no frames.
    response.headers[CSP] = content_security_policy(request.app[SETTINGS], frame_src="'self'")
    return response


@routes.get("/dev/mail/{key}/html", name="dev_mail_html")
async def mail_html(request: web.Request) -> web.Response:
    """The HTML part alone, for the frame on the message page. Not in the page's srcdoc: a
    srcdoc frame inherits the page's policy, and a mail's styles are inline by necessity
    (mail/_base.html). Its own policy: inline styles and data: images, nothing else, no
    script, sandboxed, framed only by this site."""
    _, message = message_of(request)
    html_part = message.get_body(preferencelist=("html",))
    if html_part is None:
        raise web.HTTPNotFound()
    return web.Response(
        text=html_part.get_content(),
        content_type="text/html",
        headers={
            CSP: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'self'; sandbox",
            "X-Frame-Options": "SAMEORIGIN",
        },
    )
