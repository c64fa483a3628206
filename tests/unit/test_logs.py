from __future__ import annotations

import json
import logging
import sys

from app.logs import RedactingFormatter, Redactor, redact_path

TOKEN = "Zx81kq0PlmN3vB7tYw2Rab"


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, message, args, exc_info)


def test_secret_values_are_redacted_from_records():
    formatter = RedactingFormatter(Redactor(["pw-1234567890", "tok-ABCDEFGHIJ"]), "%(message)s")
    written = formatter.format(
        record("connect %s with %s", "postgresql://u:pw-1234567890@h/db", "tok-ABCDEFGHIJ")
    )
    assert written == "connect postgresql://u:[redacted]@h/db with [redacted]"


def test_personal_links_lose_their_token_and_query_wherever_they_stand():
    redact = Redactor()
    assert redact(f"b'GET /c/{TOKEN}?pad=xxxx HTTP/1.1'") == "b'GET /c/… HTTP/1.1'"
    assert redact(f"/i/{TOKEN}/summary.pdf") == "/i/…/summary.pdf"
    assert redact(f"next=%2Fc%2F{TOKEN}%2Fcancel") == "next=%2Fc%2F…%2Fcancel"
    assert redact("/password/reset/abcdefghijklmnopq and /r/zzzzzzzzzz") == "/password/reset/… and /r/…"
    assert redact("/events/12/edit?pin=123456&x=1") == "/events/12/edit?pin=[redacted]&x=1"
    assert redact(f"KeyError: '{TOKEN}'") == "KeyError: '[redacted]'"


def test_tracebacks_are_redacted_and_the_record_keeps_the_clean_copy():
    try:
        raise RuntimeError(f"failed for /c/{TOKEN}/checkin")
    except RuntimeError:
        failed = record("unhandled", exc_info=sys.exc_info())
    written = RedactingFormatter(Redactor()).format(failed)
    assert TOKEN not in written and "RuntimeError: failed for /c/…/checkin" in written
    assert TOKEN not in failed.exc_text
    assert 'File "' in written and "test_logs.py" in written  # the traceback is still useful


def test_access_log_paths_hide_tokens_and_queries():
    assert redact_path("/c/Zx81kq0PlmN3vB7tYw2R/checkin?pin=123456") == "/c/…/checkin"
    assert redact_path("/events/12/edit") == "/events/12/edit"
    # The site's own files keep their names, a failed load is found by it.
    assert redact_path("/static/js/live/candidate-offer-note.js") == "/static/js/live/candidate-offer-note.js"
    assert redact_path("/static/js/live/../../c/Zx81kq0PlmN3vB7tYw2R") == "/static/js/live/../../c/…"


def test_json_lines_are_redacted_one_object_each_and_keep_the_request_id():
    from app.logs import JsonFormatter

    try:
        raise RuntimeError(f"failed for /c/{TOKEN}/checkin\nsecond line")
    except RuntimeError:
        failed = record("unhandled for %s", f"/i/{TOKEN}", exc_info=sys.exc_info())
    failed.request_id = "0123456789abcdef0123456789abcdef"
    written = JsonFormatter(Redactor()).format(failed)
    assert "\n" not in written and TOKEN not in written
    line = json.loads(written)
    assert line["message"] == "unhandled for /i/…" and line["level"] == "ERROR"
    assert line["request_id"] == "0123456789abcdef0123456789abcdef"
    assert "RuntimeError: failed for /c/…/checkin" in line["exception"]
    assert line["time"].endswith("Z")


def test_text_lines_keep_a_proxy_request_id_that_looks_like_a_token():
    line = record("seen %s", TOKEN)
    line.request_id = "0123456789abcdef0123456789abcdef"
    written = RedactingFormatter(Redactor()).format(line)
    assert "[0123456789abcdef0123456789abcdef]: seen [redacted]" in written


def test_every_secret_of_the_settings_is_redacted_whatever_section_holds_it():
    from app.logs import secret_values
    from app.settings import load_settings
    from tests.unit.test_settings import SECRETS

    settings = load_settings(
        dict(
            SECRETS,
            SNABB_TURN_SECRET="turn-shared-secret-0123456789abcdef",
            SNABB_MAIL_SMTP_PASSWORD="smtp-pass-0123",
            DATABASE_URL="postgresql://user:p%40ss-db-0123@127.0.0.1:5432/snabb",
        )
    )
    values = set(secret_values(settings))
    assert {"turn-shared-secret-0123456789abcdef", "smtp-pass-0123", "a" * 32, "e" * 32} <= values
    # The database's password alone, as a driver's error may quote it, in both spellings.
    assert {"p%40ss-db-0123", "p@ss-db-0123"} <= values
    written = RedactingFormatter(Redactor(values), "%(message)s").format(
        record("auth failed for p@ss-db-0123 via turn-shared-secret-0123456789abcdef")
    )
    assert written == "auth failed for [redacted] via [redacted]"


def test_a_line_break_a_client_sent_starts_no_line_of_its_own():
    """A path like /x%0a2026-12-04 18:00:00,000 ERROR app FAKE wrote a second, real-looking
    line into the text log."""
    record = logging.LogRecord(
        "aiohttp.access",
        logging.INFO,
        __file__,
        1,
        "%s %s %s",
        ("GET", "/x\n2026 ERROR app FAKE\x00\u2028", 404),
        None,
    )
    written = RedactingFormatter(Redactor(), "%(levelname)s %(message)s").format(record)
    assert written == "INFO GET /x\\x0a2026 ERROR app FAKE\\x00\\u2028 404"
    assert "\n" not in written
