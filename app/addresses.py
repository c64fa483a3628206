"""E-mail addresses with an internationalized domain (åäö.se): stored and mailed in the
domain's ASCII form (xn--…), which every mail server accepts, and shown to people as written.

The conversion is UTS #46 without its transitional mappings, as browsers and mail systems
convert a domain today: `straße.de` is `xn--strae-oqa.de`, another domain than `strasse.de`.
Python's own "idna" codec follows the older IDNA 2003, which made it `strasse.de` and
silently dropped joiners: a personal link would have gone to another domain's owner.
"""

from __future__ import annotations

import unicodedata

import idna
from markupsafe import Markup, escape

# The accents a letter of a European language's alphabet may carry (å, ä, é, ñ, ş, ș, ž, ő,
# ą …): grave, acute, circumflex, tilde, macron, breve, diaeresis, ring, double acute,
# caron, comma below (Romanian), cedilla, ogonek. A dot is a speck beside its plain letter:
# a dot below (Vietnamese ạ) is left out, and a dot above is taken only on the letters whose
# alphabets have it (DOTTED).
EUROPEAN_ACCENTS = frozenset("\u0300\u0301\u0302\u0303\u0304\u0306\u0308\u030a\u030b\u030c\u0326\u0327\u0328")
DOTTED = frozenset("ċėġż")  # Maltese, Lithuanian, Irish, Polish
# Letters of those alphabets that are no plain letter with an accent (Sami ŋ ŧ among them).
EUROPEAN_LETTERS = frozenset("ßæøœðþłđħŋŧ")


def ascii_domain(address: str) -> str:
    """The address with an internationalized domain (åäö.se) in its ASCII form (xn--…),
    which every mail server accepts; unchanged when it cannot be converted (the address
    checks then refuse it: app/auth/validation.py)."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{idna.encode(domain, uts46=True, transitional=False).decode('ascii')}"
    except (idna.IDNAError, UnicodeError):
        return address


def readable_domain(address: str) -> str:
    """An address as a person wrote it: a domain label stored in its ASCII form (xn--…) is
    shown with its own letters again (exämple.se) when each is a letter of a European
    alphabet (a Latin letter, alone or with an accent those alphabets use, or one of ß æ ø œ
    ð þ ł đ ħ ŋ ŧ), as Swedish, Finnish or German names are. Any other label keeps its ASCII form: a
    Cyrillic or Greek one may imitate a Latin name letter for letter ("аррӏе"), so may the
    Latin script's own rarer letters (ǀ for l, ı for i), and a right-to-left one would
    reorder the address around it. Unchanged when it cannot be converted."""
    local, at, domain = address.rpartition("@")
    if not at or "xn--" not in domain.lower():
        return address
    return f"{local}@{'.'.join(_readable_label(label) for label in domain.split('.'))}"


def readable_breaking_at_at_first(address: str) -> Markup:
    """readable_domain's address, escaped, for a narrow column that may have to break it: at
    its "@" first ("anna.karlsson / @foretaget.se"), and only a part still too long for the
    line at its dots ("annakarin.johansson / .lindqvist"), never inside a word while a dot is
    left. Each side of the "@" is a box of its own (`address-part`, an inline-block that
    takes at most its line, site.css): the line breaks between the boxes before a box breaks
    inside; a <wbr> before a dot is where it breaks first inside. The page's overflow-wrap
    breaks a word only as the last resort (one of 60 letters)."""
    local, at, domain = readable_domain(address).rpartition("@")
    if not at:
        return escape(domain)
    return _part(local) + Markup("<wbr>") + _part(at + domain)


def _part(text: str) -> Markup:
    pieces = Markup("<wbr>.").join(escape(piece) for piece in text.split("."))
    return Markup('<span class="address-part">{}</span>').format(pieces)


def _readable_label(label: str) -> str:
    if not label.lower().startswith("xn--"):
        return label
    try:
        decoded = idna.decode(label.lower())
    except (idna.IDNAError, UnicodeError):
        return label
    if not all(_european(char) for char in decoded):
        return label
    return decoded


def _european(char: str) -> bool:
    if char.isascii() or char in EUROPEAN_LETTERS or char in DOTTED:
        return True
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    return base.isascii() and base.isalpha() and bool(marks) and all(m in EUROPEAN_ACCENTS for m in marks)
