from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.i18n import negotiate, safe_next

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "cookie, header, expected",
    [
        (None, None, "sv"),
        ("en", "sv-SE,sv;q=0.9", "en"),
        ("de", "en-GB,en;q=0.8", "en"),  # an unknown cookie is ignored
        (None, "de-DE,en;q=0.5,sv;q=0.4", "en"),
        (None, "fi, sv-FI;q=0.9", "sv"),
        (None, "de, fr;q=0.5", "sv"),  # nothing we speak: the default
        (None, "en;q=0, sv;q=0.1", "sv"),  # q=0 means "not this"
        (None, "en;q=abc", "sv"),  # a broken quality counts as 0
        (None, "!!, ;;, en", "en"),
    ],
)
def test_language_negotiation(cookie, header, expected):
    assert negotiate(cookie, header, "sv") == expected


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/events?x=1", "/events?x=1"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_switch_redirects_only_within_the_site(target, expected):
    assert safe_next(target) == expected


def test_swedish_catalog_is_complete_and_current():
    with open(ROOT / "locales" / "messages.pot", "rb") as handle:
        template = read_po(handle)
    with open(ROOT / "locales" / "sv" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        swedish = read_po(handle, locale="sv")
    missing = [
        m.id
        for m in template
        if m.id and (m.id not in swedish or not swedish[m.id].string or swedish[m.id].fuzzy)
    ]
    assert missing == [], "untranslated in sv (run scripts/translations.py): " + repr(missing)
