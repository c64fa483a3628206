"""Logging that never carries a secret (DESIGN §5.9).

Two guards: every configured secret value is replaced wherever it would appear in a record,
and the access log writes paths with token-like segments and query strings elided, because
personal links carry their token in the path.
"""
from __future__ import annotations

import logging
import re
from typing import Iterable

from aiohttp.abc import AbstractAccessLogger
from aiohttp import web

from app.settings import Settings

REDACTED = "[redacted]"
# A path segment of 16+ URL-safe characters is a token, a ticket or an id we do not log.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.~]{16,}")


def secret_values(settings: Settings) -> list[str]:
    values = []
    for section in (settings.app, settings.database, settings.janus, settings.janus_server,
                    settings.mail):
        for name in type(section).model_fields:
            value = getattr(section, name)
            if hasattr(value, "get_secret_value") and value.get_secret_value():
                values.append(value.get_secret_value())
    return values


class SecretRedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = message
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, REDACTED)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_path(path: str) -> str:
    return _TOKEN_SEGMENT.sub("…", path.split("?", 1)[0])


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.1fms", request.method, redact_path(request.path),
                         response.status, time * 1000)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretRedactingFilter(secret_values(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.app.log_level)
    # janus-client logs whole request bodies at DEBUG: they carry tokens and room secrets.
    logging.getLogger("janus_client").setLevel(logging.WARNING)
