from __future__ import annotations

import logging

from app.logs import SecretRedactingFilter, redact_path


def test_secret_values_are_redacted_from_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "connect %s with %s",
                               ("postgresql://u:pw-1234567890@h/db", "tok-ABCDEFGHIJ"), None)
    SecretRedactingFilter(["pw-1234567890", "tok-ABCDEFGHIJ"]).filter(record)
    assert record.getMessage() == "connect postgresql://u:[redacted]@h/db with [redacted]"


def test_access_log_paths_hide_tokens_and_queries():
    assert redact_path("/c/Zx81kq0PlmN3vB7tYw2R/checkin?pin=123456") == "/c/…/checkin"
    assert redact_path("/events/12/edit") == "/events/12/edit"
