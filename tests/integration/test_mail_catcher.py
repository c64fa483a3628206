"""The mail catcher is a real SMTP server; the development page lists what it caught."""

from __future__ import annotations

import mailbox
import re
import smtplib
from email.message import EmailMessage

from aiohttp import ClientSession

from app.application import create_app
from app.localstack.processes import free_port
from app.settings import load_settings
from app.views.dev_mail import read_message
from tests.serving import serving


def send_test_mail(settings, subject: str) -> None:
    message = EmailMessage()
    message["From"] = settings.mail.sender
    # Long enough to be folded into encoded words that split it inside a word.
    message["To"] = "Åsa Maximiliana von Hohenzollern-Sigmaringen Östergötland Öberg <asa@example.se>"
    message["Subject"] = subject
    message["Date"] = "Fri, 05 Jun 2026 12:00:00 +0000"  # 14:00 in Swedish (summer) time
    message.set_content("Hej Åsa!\nDin intervju börjar kl. 14.00.")
    message.add_alternative("<p>Hej Åsa!</p><p>Din intervju börjar kl. 14.00.</p>", subtype="html")
    with smtplib.SMTP(settings.mail.smtp_host, settings.mail.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


async def test_caught_mail_is_listed_in_development(stack):
    settings = load_settings(dict(stack.environ, SNABB_ENV="development", SNABB_APP_PORT=str(free_port())))
    send_test_mail(settings, "Bekräftelse: din intervju på fredag")
    box = mailbox.Maildir(settings.mail.catcher_dir, create=False)
    subjects = [str(read_message(box, key)["Subject"]) for key in box.keys()]
    assert "Bekräftelse: din intervju på fredag" in subjects

    async with serving(create_app(settings), settings.app.port) as base:
        async with ClientSession() as http:
            async with http.get(f"{base}/dev/mail") as response:
                listing = await response.text()
            assert response.status == 200
            assert "Bekräftelse: din intervju på fredag" in listing
            # This mail's own link: in a full run, other tests' mail of the same second may
            # be listed before it.
            key = re.search(r'href="/dev/mail/([^"]+)">Bekräftelse: din intervju på fredag<', listing).group(
                1
            )
            async with http.get(f"{base}/dev/mail/{key}") as response:
                message = await response.text()
            assert "Din intervju börjar kl. 14.00." in message
            assert "Hohenzollern-Sigmaringen Östergötland Öberg" in message  # as a mail program shows it
            # In Swedish time, as every other page says the time (the header's is UTC).
            assert "2026-06-05 14:00:00 +0200" in message
            # The HTML part comes from a URL of its own, sandboxed, with a policy of its own.
            assert f'src="/dev/mail/{key}/html"' in message
            assert "frame-src 'self'" in response.headers["Content-Security-Policy"]
            async with http.get(f"{base}/dev/mail/{key}/html") as response:
                assert "<p>Din intervju börjar kl. 14.00.</p>" in await response.text()
                policy = response.headers["Content-Security-Policy"]
                assert "sandbox" in policy and "script-src" not in policy
                assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
            async with http.get(f"{base}/dev/mail/nonexistent", headers={"Accept": "text/html"}) as response:
                assert response.status == 404
