"""Every text the browser code marks with _("…") or N_("…") (web/static/js) is in the catalog
template, so it reaches /texts/<lang>.json and gets its Swedish entry.

babel's JavaScript extractor misses a call nested inside another one's arguments
(`_(x || N_("…"))`, `_("…", {name: _("…")})`): such a text showed in English on a Swedish page.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
MARKED = re.compile(r'\bN?_\("((?:[^"\\]|\\.)*)"')


def marked_texts(path: Path) -> set[str]:
    code = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("//")
    )  # comments show examples
    return {re.sub(r"\\(.)", r"\1", text) for text in MARKED.findall(code)}


def test_every_marked_browser_text_is_in_the_catalog_template():
    with open(ROOT / "locales" / "messages.pot", "rb") as handle:
        template = {message.id for message in read_po(handle) if message.id}
    scripts = sorted((ROOT / "web" / "static" / "js").rglob("*.js"))
    assert len(scripts) > 10
    missing = sorted(
        f"{path.relative_to(ROOT)}: {text!r}"
        for path in scripts
        for text in marked_texts(path)
        if text not in template
    )
    assert missing == [], (
        "not extracted (a call nested in another's arguments?), or "
        "scripts/translations.py not run: " + repr(missing)
    )


PLURAL = re.compile(r'\bngettext\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')


def test_every_browser_text_with_a_count_is_in_the_catalogs_with_both_forms():
    """ngettext("…", "…", n) in web/static/js: extracted as one entry with both forms, and
    both translated into Swedish (the page picks the form by the count: texts.js)."""
    with open(ROOT / "locales" / "sv" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        swedish = {message.id: message.string for message in read_po(handle) if isinstance(message.id, tuple)}
    found = {
        (path.relative_to(ROOT), tuple(re.sub(r"\\(.)", r"\1", form) for form in forms))
        for path in (ROOT / "web" / "static" / "js").rglob("*.js")
        for forms in PLURAL.findall(
            "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if "//" not in line[:8])
        )
    }
    assert len(found) >= 2
    for path, forms in found:
        assert forms in swedish, f"{path}: {forms} not extracted"
        assert all(swedish[forms]), f"{path}: {forms} not translated"
