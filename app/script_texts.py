"""The texts of a language as the browser's scripts get them (web/static/js/live/texts.js).

`catalog_texts`: the whole compiled catalog, msgid → text, and each form of a text with a
count as "msgid\\u0000index" (gettext keeps them as (msgid, index)); GET /texts/{lang}.json
sends it (app/views/texts.py), for a language switch in place.

`script_texts`: only the texts the scripts themselves draw (their `_()`, `N_()` and
`ngettext()`, found by babel's JavaScript extractor in web/static/js, as
scripts/translations.py finds them for the catalog). An event-day page carries them in the
page (`page_texts_tag`, a JSON data block: no script runs from it), so what its script draws
before the whole catalog has come (the connection's status, the lobby's first lines) is in
the page's language from the first moment: in English first, a screen reader said every
status twice, "Connected." then "Ansluten.".
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterator
from typing import Any

from babel.messages.extract import extract_from_file
from markupsafe import Markup
from jinja2.utils import htmlsafe_json_dumps

from app.paths import STATIC_DIR

# One dict per loaded catalog (a Renderer's Translations object), built on first use.
_WHOLE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SCRIPTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TAGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def catalog_texts(translations) -> dict[str, str]:
    texts = _WHOLE.get(translations)
    if texts is None:
        texts = {}
        for key, value in getattr(translations, "_catalog", {}).items():
            if isinstance(key, tuple) and value:
                texts[f"{key[0]}\u0000{key[1]}"] = value
            elif isinstance(key, str) and key and value:
                texts[key] = value
        _WHOLE[translations] = texts
    return texts


def _script_files() -> Iterator[str]:
    for path in sorted((STATIC_DIR / "js").rglob("*.js")):
        yield str(path)


@functools.cache
def script_msgids() -> frozenset[str]:
    """Every msgid the scripts use (both forms' first, the singular, for a count)."""
    found = set()
    for path in _script_files():
        for _line, message, _comments, _context in extract_from_file("javascript", path):
            found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)


def script_texts(translations) -> dict[str, str]:
    texts = _SCRIPTS.get(translations)
    if texts is None:
        wanted = script_msgids()
        texts = {
            key: value
            for key, value in catalog_texts(translations).items()
            if key.split("\u0000")[0] in wanted
        }
        _SCRIPTS[translations] = texts
    return texts


def page_texts_tag(translations: Any) -> Markup:
    """<script type="application/json" id="page-texts">…</script>, escaped for HTML; made
    once per catalog (the Renderer makes them as it starts: the extractor's walk over the
    scripts, about 0.1 s, is not in the first event-day page's answer)."""
    tag = _TAGS.get(translations)
    if tag is None:
        body = htmlsafe_json_dumps(
            script_texts(translations), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        tag = Markup('<script type="application/json" id="page-texts">') + body + Markup("</script>")
        _TAGS[translations] = tag
    return tag
