"""Mail: an outbox written in the caller's transaction, sent by a background worker.

outbox.py   Mailer.enqueue: render the templates in the recipient's language, insert the row
calendar.py CalendarEntry and the RFC 5545 text sent as invite.ics
message.py  a row as a MIME message (text and HTML alternatives, the calendar attached)
smtp.py     the SMTP client (aiosmtplib) and how its failures are classified
store.py    the SQL for the mail_outbox table
wire.py     a row as the bytes sent: message.py's message written as text
worker.py   the background sender (cleanup_ctx mail_worker)
__main__.py `python -m app.mail`: the worker as a process of its own (mail.worker_in_app off)
"""

from app.mail.calendar import CalendarEntry
from app.mail.outbox import Mailer

__all__ = ["CalendarEntry", "Mailer"]
