"""Checks for account forms: plain functions without I/O.

Each returns the cleaned value and adds (message, params) to `errors` under the field's
name. Messages are English source text marked for the catalogs and translated where they
are shown (web/templates/_forms.html).
"""

from __future__ import annotations

import re
import unicodedata

from app.addresses import ascii_domain
from app.i18n import LANGUAGES, N_

Errors = dict[str, tuple[str, dict]]

MAX_EMAIL = 254
MAX_NAME = 200
# Said of a text holding a character nobody can see (a control, a bidi mark pasted along):
# one message for every field, names and passwords alike.
HIDDEN_CHARACTER = N_("This holds a hidden character, often from pasted text: type it in again.")
MIN_PASSWORD = 10
# Argon2 takes any length; a cap keeps one request from costing much.
MAX_PASSWORD = 200

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")


# Bidirectional overrides can make a name display as something else.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REFUSED = _BIDI_CONTROLS | {"\ufffd"}


def has_control_characters(text: str) -> bool:
    """Line breaks (CR, LF, NEL, U+2028/2029), NUL and other controls, lone surrogates,
    private use, bidi overrides, and U+FFFD, which stands for bytes that were not text (a
    form sent in another encoding): kept, it would be a name of "Anna����Berg"."""
    return any(
        unicodedata.category(char) in ("Cc", "Cs", "Co", "Zl", "Zp") or char in _REFUSED for char in text
    )


# The line breaks and tab a text of several lines may hold (a job description, notes):
# `has_control_characters(text.translate(LINE_BREAKS))` checks it for the rest.
LINE_BREAKS = str.maketrans("", "", "\n\r\t\u2028\u2029")


def is_email(address: str) -> bool:
    """A deliverable-looking address: local@domain.tld with an ASCII domain; no spaces,
    quoting or comments, and no "=?" (mail readers decode what follows as RFC 2047)."""
    local, at, domain = address.rpartition("@")
    if not at or not local or len(local) > 64 or not _LOCAL_PART.match(local) or "=?" in local:
        return False
    labels = domain.split(".")
    if len(labels) < 2 or len(labels[-1]) < 2 or labels[-1].isdigit():
        return False
    return all(0 < len(label) <= 63 and _DOMAIN_LABEL.match(label) for label in labels)


def clean_email(value: object, errors: Errors, field: str = "email") -> str:
    text = ascii_domain(value.strip()) if isinstance(value, str) else ""
    if not text:
        errors[field] = (N_("Enter the e-mail address."), {})
    elif len(text) > MAX_EMAIL:
        errors[field] = (N_("An e-mail address is at most %(max)s characters."), {"max": MAX_EMAIL})
    elif has_control_characters(text) or not is_email(text):
        local = text.rpartition("@")[0]
        if local and not local.isascii() and is_email(f"{_plain(local)}@{text.rpartition('@')[2]}"):
            # Mail servers do not all take å, ä, ö before the @ (only after it, in the domain).
            errors[field] = (
                N_("Letters such as å, ä and ö cannot be used before the @ in an e-mail address."),
                {},
            )
        else:
            errors[field] = (N_("Enter an e-mail address like name@example.se."), {})
    return text


def _plain(text: str) -> str:
    """The text with its letters' accents left off (å → a), to tell whether an address is
    refused for them alone."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def clean_text(value: object, errors: Errors, field: str, missing: str, maximum: int = MAX_NAME) -> str:
    """A one-line text such as a name: required, at most `maximum` characters. Line breaks
    of every kind (str.split() breaks at CR, LF, NEL, U+2028/2029) become spaces. Kept
    composed (NFC): "ö" pasted as o and a combining diaeresis is the "ö" a search types."""
    text = unicodedata.normalize("NFC", " ".join(value.split())) if isinstance(value, str) else ""
    if not text:
        errors[field] = (missing, {})
    elif len(text) > maximum:
        errors[field] = (N_("At most %(max)s characters."), {"max": maximum})
    elif has_control_characters(text):
        errors[field] = (HIDDEN_CHARACTER, {})
    return text


# What draws nothing of its own: format characters (zero-width spaces and joiners, bidi
# marks), spaces, marks with nothing to sit on, controls.
_INVISIBLE = ("Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cc")


def shows_something(text: str) -> bool:
    """Whether a text shows anything at all: a title of "★★★" or "🎤" does, one of
    zero-width spaces alone does not (it was a link with no text in the list of events)."""
    return any(unicodedata.category(char) not in _INVISIBLE for char in text)


def has_letter_or_digit(text: str) -> bool:
    """Whether a text shows a name: zero-width spaces and joiners, marks and punctuation
    alone look empty in a mail's greeting and a list of names."""
    return any(unicodedata.category(char)[0] in "LN" for char in text)


def clean_name(value: object, errors: Errors, field: str = "name") -> str:
    text = clean_text(value, errors, field, N_("Enter your name."))
    if field not in errors and not has_letter_or_digit(text):
        # Something was typed (emoji, punctuation): say what a name needs, not to type one.
        errors[field] = (N_("A name needs at least one letter or digit."), {})
    return text


def clean_organization(value: object, errors: Errors, field: str = "organization") -> str:
    return clean_text(value, errors, field, N_("Enter the name of your organization."))


# What a password may not hold: NUL (no C library takes it), and U+FFFD and lone surrogates,
# which stand for bytes that were not text (a form sent in another encoding): kept, every
# such password would be the same one whatever bytes were sent in its place.
_NOT_IN_PASSWORDS = frozenset("\x00\ufffd")


def clean_new_password(
    value: object,
    confirmation: object,
    errors: Errors,
    email: str = "",
    field: str = "password",
    confirm_field: str = "password_confirm",
) -> str:
    """A new password (never stripped: spaces are part of it) and its repetition."""
    password = value if isinstance(value, str) else ""
    if not password:
        errors[field] = (N_("Choose a password."), {})
    elif len(password) < MIN_PASSWORD:
        errors[field] = (N_("Use at least %(min)s characters."), {"min": MIN_PASSWORD})
    elif len(password) > MAX_PASSWORD:
        errors[field] = (N_("Use at most %(max)s characters."), {"max": MAX_PASSWORD})
    elif any(char in _NOT_IN_PASSWORDS or unicodedata.category(char) == "Cs" for char in password):
        errors[field] = (HIDDEN_CHARACTER, {})
    elif email and email.strip().lower() in {
        typed.lower() for typed in (password.strip(), ascii_domain(password.strip()))
    }:
        # (the address is kept with its domain in the ASCII form: sven@åkeri.se typed as
        # the password is the address sven@xn--keri-poa.se)
        errors[field] = (N_("Your password must not be your e-mail address."), {})
    elif confirmation != password:
        errors[confirm_field] = (N_("The two passwords are not the same."), {})
    return password


def clean_language(value: object, errors: Errors, field: str = "language") -> str:
    if value not in LANGUAGES:
        errors[field] = (N_("Choose Swedish or English."), {})
        return LANGUAGES[0]
    return str(value)


def form_text(form, name: str) -> str:
    """A form field as text, or "" (a file upload or a missing field is no text)."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""
