from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from markupsafe import Markup

from app.i18n import hyphenated_words_kept_whole, negotiate, safe_next

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


def test_a_labels_hyphenated_words_are_kept_whole_and_its_spaces_still_break():
    kept = '<span class="kept-whole">{}</span>'.format
    assert (
        str(hyphenated_words_kept_whole("Ny länk och PIN-kod"))
        == f"<span>Ny länk och {kept('PIN-kod')}</span>"
    )
    # What clings to a word goes with it; a hyphen at a word's edge keeps nothing.
    assert str(hyphenated_words_kept_whole("med e-post, PIN-koden.")) == (
        f"<span>med {kept('e-post,')} {kept('PIN-koden.')}</span>"
    )
    assert str(hyphenated_words_kept_whole("New link and PIN")) == "New link and PIN"
    assert str(hyphenated_words_kept_whole("ett - två")) == "ett - två"
    # Escaped, once: a catalog's Markup as it is, plain text made safe.
    assert (
        str(hyphenated_words_kept_whole(Markup("Åsa &amp; Co-op")))
        == f"<span>Åsa &amp; {kept('Co-op')}</span>"
    )
    assert str(hyphenated_words_kept_whole("<b>x-y</b>")) == f"<span>{kept('&lt;b&gt;x-y&lt;/b&gt;')}</span>"


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
