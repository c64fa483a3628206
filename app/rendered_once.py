"""A template rendered once for what many renders share, with what is personal spliced in.

A registration's confirmation mail and page differ between the candidates of one event only
in a few values (name, link, PIN, address, CSRF token) that the template only prints. Such a
template is rendered once per shared context with a random marker in place of each personal
value and cut at the markers; each later render joins the pieces around the values, escaped
where the template escapes (HTML): the text a full render gives, for a fraction of its cost
(BENCHMARKS.md, "Registration").

The contract: a personal value is only printed (as it is, or as an argument of `_()`), never
tested, measured or filtered. The first render of each shared context is also made in full
and compared; if they differ (a template that does more with a value), that context is
always rendered in full. tests/unit/test_rendered_once.py renders the templates that use
this both ways for many values.
"""

from __future__ import annotations

import logging
import re
import secrets
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from markupsafe import escape

from app.i18n import Renderer

log = logging.getLogger(__name__)
# Shared contexts kept (events × languages × templates recently rendered).
ENTRIES = 512

MARKER_TRACE = re.compile("zq[0-9a-f]{4}", re.IGNORECASE)
# One cut template: literal text and slot names alternating, starting with text.
Pieces = tuple[str, ...]


def frozen(value: Any) -> Hashable:
    """The value as a cache key: mappings and sequences made hashable, in their order (the
    same items in another order are another key: a miss, never a wrong hit). Raises
    TypeError for a value that cannot be (the render is then made in full)."""
    if isinstance(value, Mapping):
        items = tuple(value.items())
        try:
            hash(items)  # keys and values hashable as they are (an event's record): done
        except TypeError:
            return tuple((key, frozen(item)) for key, item in items)
        return items
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
    hash(value)
    return value


class SplicingRenderer:
    def __init__(self, renderer: Renderer, entries: int = ENTRIES):
        self.renderer = renderer
        self.entries = entries
        # None: this shared context does more with a personal value than print it.
        self._cut: OrderedDict[Hashable, Pieces | None] = OrderedDict()

    def render(
        self,
        language: str,
        template: str,
        shared: Mapping[str, Any],
        personal: Mapping[str, str],
        shared_key: Hashable | None = None,
    ) -> str:
        """What renderer.render(language, template, shared | personal) gives. `shared_key`:
        frozen(shared), for a caller rendering several templates with one context."""
        try:
            key = (language, template, shared_key or frozen(shared), tuple(personal))
        except TypeError:
            return self.renderer.render(language, template, {**shared, **personal})
        if key in self._cut:
            self._cut.move_to_end(key)
            pieces = self._cut[key]
            if pieces is None:
                return self.renderer.render(language, template, {**shared, **personal})
            return self._join(language, template, pieces, personal)
        full = self.renderer.render(language, template, {**shared, **personal})
        pieces = self._cut_at_markers(language, template, shared, personal)
        if pieces is not None and self._join(language, template, pieces, personal) != full:
            log.warning("%s prints a personal value other than as it is: rendered in full", template)
            pieces = None
        self._cut[key] = pieces
        if len(self._cut) > self.entries:
            self._cut.popitem(last=False)
        return full

    def _cut_at_markers(
        self, language: str, template: str, shared: Mapping[str, Any], personal: Mapping[str, str]
    ) -> Pieces | None:
        markers = {f"zq{secrets.token_hex(10)}zq": name for name in personal}
        text = self.renderer.render(language, template, {**shared, **{v: k for k, v in markers.items()}})
        parts = re.split("(" + "|".join(markers) + ")", text)
        if any(MARKER_TRACE.search(part) for part in parts[::2]):
            return None  # a marker the template changed (shortened, upper-cased, ...)
        return tuple(markers.get(part, part) if n % 2 else part for n, part in enumerate(parts))

    def _join(self, language: str, template: str, pieces: Pieces, personal: Mapping[str, str]) -> str:
        escaped = self._escapes(language, template)
        values = {name: str(escape(value)) if escaped else value for name, value in personal.items()}
        return "".join(values[piece] if n % 2 else piece for n, piece in enumerate(pieces))

    def _escapes(self, language: str, template: str) -> bool:
        autoescape = self.renderer.environments[language].autoescape
        return bool(autoescape(template) if callable(autoescape) else autoescape)


_SPLICING: weakref.WeakKeyDictionary[Renderer, SplicingRenderer] = weakref.WeakKeyDictionary()


def splicing(renderer: Renderer) -> SplicingRenderer:
    """The one SplicingRenderer of `renderer` (mails and pages share its cache)."""
    if renderer not in _SPLICING:
        _SPLICING[renderer] = SplicingRenderer(renderer)
    return _SPLICING[renderer]
