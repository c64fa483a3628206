"""Logging that never carries a secret (README, "Security headers and logs").

Every record of every logger (ours, aiohttp's server, web and access loggers, libraries')
reaches the one root handler, whose formatter redacts what it writes: the message, and the
traceback and stack of the record too. It removes

- every configured secret value (settings fields of type SecretStr);
- the token of a personal link (/c/, /i/, /r/, /invitation/, /password/reset/, also
  percent-encoded) with the rest of that URL's path kept and its query string dropped: aiohttp
  writes a whole request line into its error when the line is too long;
- values of query parameters that carry a secret (pin, code, token, ticket, password);
- as a net for a bare token (in an exception's text, say), any run of 20 or more URL-safe
  characters with a digit in it: link and session tokens, tickets, hashes. Words, names and
  file paths of a traceback have no such runs.

The access log writes paths with token-like segments and query strings elided as well.

Each record carries the id of the request it was written in (app/request_ids.py). The
format is readable text (development) or one JSON object per line (`app.log_format = "json"`,
for a log collector); both are redacted the same way, the request id left as it is.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, SecretStr

from app.request_ids import REQUEST_ID, RequestIdFilter
from app.settings import Settings

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# Stands in for the request id while a line is redacted: a proxy's id (32 hex digits) looks
# like a token to the redactor, but is what ops search the logs for.
_ID_PLACEHOLDER = "\x00request-id\x00"
# A path segment of 16+ URL-safe characters is a token, a ticket or an id we do not log.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.~]{16,}")
_SLASH = r"(?:/|%2[Ff])"
_PERSONAL_LINK = re.compile(
    rf"({_SLASH}(?:c|i|r|invitation|password{_SLASH}reset){_SLASH})[A-Za-z0-9_\-]+"
    r"((?:/[A-Za-z0-9_.\-]*)*)(?:\?[^\s'\"<>]*)?"
)
_SECRET_PARAMETER = re.compile(r"(?i)([?&](?:pin|code|token|ticket|password)=)[^&\s'\"<>]*")
_TOKEN_RUN = re.compile(
    r"(?<![A-Za-z0-9_\-])(?=[A-Za-z0-9_\-]*[0-9])[A-Za-z0-9_\-]{20,}"
    r"(?![A-Za-z0-9_\-])"
)


def secret_values(settings: Settings) -> list[str]:
    """Every secret of the settings, whatever section holds it (TURN's shared secret, a
    section added later), and the password inside a secret URL (the database's: a driver's
    error may quote it alone)."""
    values: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            if secret:
                values.append(secret)
                password = urlsplit(secret).password if "://" in secret else None
                if password:
                    values.extend({password, unquote(password)})
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(settings)
    return values


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()):
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _PERSONAL_LINK.sub(r"\1…\2", text)
        text = _SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
        return _TOKEN_RUN.sub(REDACTED, text)


# Control characters and line separators in a text line, written as escapes: a request's
# path (or anything else a client sent) with a line break in it would otherwise start a
# line of its own that looks like the service's ("…\n2026-12-04 18:00:00,000 ERROR …").
_ESCAPED = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
    if code != 0x09  # a tab is kept: it starts no line
}


class RedactingFormatter(logging.Formatter):
    """Redacts each part of what it writes, and writes the message on one line (its control
    characters escaped). The traceback is redacted where it is made, so the copy the record
    keeps (exc_text) is clean too."""

    def __init__(self, redact: Redactor, fmt: str = FORMAT):
        super().__init__(fmt)
        self.redact = redact

    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", "-")
        record.request_id = _ID_PLACEHOLDER
        try:
            text = self.redact(super().formatMessage(record))
        finally:
            record.request_id = request_id
        return text.replace(_ID_PLACEHOLDER, request_id).translate(_ESCAPED)

    def formatException(self, ei) -> str:
        return self.redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return self.redact(super().formatStack(stack_info))


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request_id, message,
    and exception or stack when the record has them."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": self.redact(record.message),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = self.redact(record.exc_text)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The site's own files: their names are long words, never tokens, and an operator looking
# for a file that failed to load needs the name.
_STATIC = re.compile(r"/static/(?!.*\.\.)[A-Za-z0-9_\-./]*")


def redact_path(path: str) -> str:
    path = path.split("?", 1)[0]
    return path if _STATIC.fullmatch(path) else _TOKEN_SEGMENT.sub("…", path)


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms",
            request.method,
            redact_path(request.path),
            response.status,
            time * 1000,
            extra={"request_id": request.get(REQUEST_ID, "-")},
        )


class UnreadableRequestFilter(logging.Filter):
    """aiohttp answers a request it cannot read (a request line or header over its limits,
    bytes that are not HTTP) with 400 by itself, and logs that as an ERROR with a traceback
    whose text quotes the request line, a personal link's token and all. It is the client's
    doing, not a fault of ours: one INFO line that names the kind of error, nothing quoted."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and (error.code or 400) < 500:
            record.msg, record.args = (
                "refused a request it could not read (%s, %s)",
                (type(error).__name__, error.code or 400),
            )
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


class OutOfFilesFilter(logging.Filter):
    """A process out of open files refuses every connection, and asyncio logs each refusal
    with a traceback (it stops accepting on that listener for a second, then tries again:
    a line a second per listener, for as long as the files stay out). Told once a minute
    instead, with how many since (app/open_files.py says how the live sockets stop short of
    it)."""

    EVERY_SECONDS = 60.0

    def __init__(self) -> None:
        super().__init__()
        self._told_at = -math.inf
        self._since = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("socket.accept() out of system resource"):
            return True
        self._since += 1
        if record.created - self._told_at < self.EVERY_SECONDS:
            return False
        error = record.exc_info[1] if record.exc_info else None
        record.msg = "out of open files: connections refused (%s); %s refusal(s) since this was last said"
        record.args = (type(error).__name__ if error else "?", self._since)
        record.exc_info = record.exc_text = None
        self._told_at, self._since = record.created, 0
        return True


def http_server_logger() -> logging.Logger:
    """The logger aiohttp's request handler writes to, with unreadable requests told as
    what they are (UnreadableRequestFilter); given to the server in SERVER_OPTIONS."""
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(known, UnreadableRequestFilter) for known in logger.filters):
        logger.addFilter(UnreadableRequestFilter())
    return logger


def log_handler(settings: Settings, stream=None) -> logging.Handler:
    """The one handler every record goes through: redacted, with its request id, as text
    or JSON lines (`app.log_format`)."""
    return redacting_handler(settings.app.log_format, secret_values(settings), stream)


def redacting_handler(log_format: str, secrets: Iterable[str], stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    formatter = JsonFormatter if log_format == "json" else RedactingFormatter
    handler.setFormatter(formatter(Redactor(secrets)))
    # On the handler, not a logger: every record of every logger passes through it.
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(settings: Settings) -> None:
    configure_handler(settings.app.log_format, settings.app.log_level, secret_values(settings))


def configure_handler(log_format: str, log_level: str, secrets: Iterable[str]) -> None:
    """The root logger's one handler; also the health listener's process
    (app/health_process.py), which knows of the secrets only the database URL."""
    root = logging.getLogger()
    root.handlers[:] = [redacting_handler(log_format, secrets)]
    root.setLevel(log_level)
    # janus-client logs whole request bodies at DEBUG: they carry tokens and room secrets.
    logging.getLogger("janus_client").setLevel(logging.WARNING)
    # asyncpg's pool logs a traceback for every failed attempt to keep its minimum of
    # connections while the database is down; the outage is logged once by the live
    # channel (app/live/channel.py) and by each background worker instead.
    logging.getLogger("asyncpg.pool").setLevel(logging.ERROR)
    asyncio_logger = logging.getLogger("asyncio")
    if not any(isinstance(known, OutOfFilesFilter) for known in asyncio_logger.filters):
        asyncio_logger.addFilter(OutOfFilesFilter())
