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
