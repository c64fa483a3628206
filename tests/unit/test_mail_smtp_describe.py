"""app/mail/smtp.py describe: what is kept in mail_outbox.last_error, shown on the operations
page and logged says which error and what the server replied, never an address or a secret.
The exceptions are aiosmtplib's own, built as aiosmtplib raises them."""

from __future__ import annotations

import smtplib

import aiosmtplib

from app.logs import REDACTED
from app.mail.smtp import ADDRESS_BLANKED, describe


def test_a_refused_recipient_keeps_the_code_and_the_text_without_the_address():
    error = aiosmtplib.SMTPRecipientRefused(
        550,
        "5.1.1 <kim.svensson@example.se>: Recipient address rejected: User unknown",
        "kim.svensson@example.se",
    )
    assert describe(error, []) == (
        f"SMTPRecipientRefused: 550 5.1.1 <{ADDRESS_BLANKED}>: Recipient address rejected: User unknown"
    )


def test_refused_recipients_say_each_reply_and_not_the_list_of_addresses():
    error = aiosmtplib.SMTPRecipientsRefused(
        [
            aiosmtplib.SMTPRecipientRefused(450, "4.2.1 mailbox busy", "kim@example.se"),
            aiosmtplib.SMTPRecipientRefused(
                550, '5.1.1 "kim k"@example.se does not exist', '"kim k"@example.se'
            ),
        ]
    )
    text = describe(error, [])
    assert text == (
        f"SMTPRecipientsRefused: 450 4.2.1 mailbox busy; 550 5.1.1 {ADDRESS_BLANKED} does not exist"
    )
    assert "@" not in text and "kim" not in text


def test_a_refused_sender_and_a_refused_message_lose_their_addresses():
    sender = aiosmtplib.SMTPSenderRefused(
        553, "5.7.1 <no-reply@snabbintervjuer.se>: Sender rejected", "no-reply@snabbintervjuer.se"
    )
    assert describe(sender, []) == f"SMTPSenderRefused: 553 5.7.1 <{ADDRESS_BLANKED}>: Sender rejected"
    data = aiosmtplib.SMTPDataError(554, "5.7.1 Message to kim@example.se\r\n  rejected as spam")
    assert describe(data, []) == f"SMTPDataError: 554 5.7.1 Message to {ADDRESS_BLANKED} rejected as spam"


def test_other_errors_keep_their_text_with_secrets_and_addresses_blanked():
    login = aiosmtplib.SMTPAuthenticationError(535, "5.7.8 bad password hunter22 for relay@example.org")
    assert describe(login, ["hunter22"]) == (
        f"SMTPAuthenticationError: 535 5.7.8 bad password {REDACTED} for {ADDRESS_BLANKED}"
    )
    assert describe(aiosmtplib.SMTPServerDisconnected(""), []) == "SMTPServerDisconnected: no details"
    assert describe(ConnectionRefusedError(111, "Connection refused"), []) == (
        "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    # Another library's error whose text is its dict of refused addresses: the addresses go.
    other = smtplib.SMTPRecipientsRefused({"kim@example.se": (550, b"5.1.1 unknown")})
    assert "kim@example.se" not in describe(other, []) and "550" in describe(other, [])


def test_the_description_fits_last_error():
    long = aiosmtplib.SMTPDataError(554, "x" * 5000)
    assert len(describe(long, [])) == 1000
