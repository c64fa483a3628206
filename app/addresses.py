"""E-mail addresses with an internationalized domain (åäö.se): stored and mailed in the
domain's ASCII form (xn--…), which every mail server accepts, and shown to people as written."""

from __future__ import annotations


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
    """An address as a person wrote it: a domain stored in its ASCII form (xn--…) shown with
    its own letters again (åäö.se); unchanged when it cannot be converted."""
    local, at, domain = address.rpartition("@")
    if not at or "xn--" not in domain.lower():
        return address
    try:
        return f"{local}@{domain.lower().encode('ascii').decode('idna')}"
    except UnicodeError:
        return address
