"""E-mail addresses with an internationalized domain (åäö.se): stored and mailed in the
domain's ASCII form (xn--…), which every mail server accepts, and shown to people as written."""

from __future__ import annotations

import unicodedata


def ascii_domain(address: str) -> str:
    """The address with an internationalized domain (åäö.se) in its ASCII form (xn--…),
    which every mail server accepts; unchanged when it cannot be converted."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def readable_domain(address: str) -> str:
    """An address as a person wrote it: a domain label stored in its ASCII form (xn--…) is
    shown with its own letters again (exämple.se) when they are all of the Latin script, as
    Swedish, Finnish or German names are. Any other label keeps its ASCII form: a Cyrillic
    or Greek one may imitate a Latin name letter for letter ("аррӏе"), and a right-to-left
    one would reorder the address around it. Unchanged when it cannot be converted."""
    local, at, domain = address.rpartition("@")
    if not at or "xn--" not in domain.lower():
        return address
    return f"{local}@{'.'.join(_readable_label(label) for label in domain.split('.'))}"


def _readable_label(label: str) -> str:
    if not label.lower().startswith("xn--"):
        return label
    try:
        decoded = label.lower().encode("ascii").decode("idna")
    except UnicodeError:
        return label
    if not all(char.isascii() or unicodedata.name(char, "").startswith("LATIN ") for char in decoded):
        return label
    return decoded
