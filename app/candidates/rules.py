"""Plain rules about candidates, without I/O: the registration form, whether an event takes
registrations, PINs and how often a confirmation may be re-sent."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from app.auth.validation import clean_email, clean_language, clean_name, has_control_characters
from app.i18n import N_, kept_whole

PIN_PATTERN = re.compile(r"^[0-9]{6}$")
MAX_PHONE = 40
# Digits, spaces and the usual punctuation of phone numbers: +46 (0)70-123 45 67.
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]+$")
MIN_PHONE_DIGITS = 5
MAX_PHONE_DIGITS = 15  # E.164

# Re-sending a confirmation because someone registered again with the same address: at most
# RESENDS_PER_WINDOW in RESEND_WINDOW, so the public form cannot flood a mailbox.
RESEND_WINDOW = dt.timedelta(hours=1)
RESENDS_PER_WINDOW = 3
# Once the event has been held, whoever holds the link may still have the link and PIN sent
# (the interest question and the data stay behind the PIN for months): as many a day, not an
# hour, so that a link passed on cannot keep a mailbox busy all that time.
RESEND_WINDOW_AFTER_THE_EVENT = dt.timedelta(days=1)

# Why an event does (not) take registrations; the invite page says which.
OPEN, DRAFT, CANCELLED, FINISHED, CLOSED, FULL = ("open", "draft", "cancelled", "finished", "closed", "full")


@dataclass(frozen=True)
class Registration:
    name: str
    email: str
    phone: str
    language: str


@dataclass
class RegistrationForm:
    values: dict[str, str]  # what was typed, to show the form again
    errors: dict[str, tuple[str, dict]] = field(default_factory=dict)
    registration: Registration | None = None


def clean_phone(value: object, errors: dict, name: str = "phone") -> str:
    """Optional; when given, a phone number of 5–15 digits in the usual notation."""
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        return ""
    digits = sum(char.isdigit() for char in text)
    if (
        len(text) > MAX_PHONE
        or has_control_characters(text)
        or not PHONE_PATTERN.fullmatch(text)
        or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS
    ):
        # The examples kept whole: at a phone's width "070-" ended one line and "123 45 67"
        # began the next, which reads as two numbers.
        errors[name] = (
            N_("Enter a phone number like %(local)s or %(international)s, or leave the field empty."),
            {"local": kept_whole("070-123 45 67"), "international": kept_whole("+46 70 123 45 67")},
        )
    return text


def parse_registration(form: Mapping[str, str], default_language: str) -> RegistrationForm:
    """The invite form: name, e-mail, phone (optional), language and the consent."""

    def text(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    errors: dict[str, tuple[str, dict]] = {}
    language_given = text("language") or default_language
    values = {
        "name": clean_name(text("name"), errors),
        "email": clean_email(text("email"), errors),
        "phone": clean_phone(text("phone"), errors),
        "language": clean_language(language_given, errors),
        "consent": "yes" if text("consent") == "yes" else "",
    }
    if "language" in errors:
        values["language"] = default_language
    if not values["consent"]:
        errors["consent"] = (N_("Tick the box to agree, or we cannot register you."), {})
    result = RegistrationForm(values=values, errors=errors)
    if not errors:
        result.registration = Registration(
            values["name"], values["email"], values["phone"], values["language"]
        )
    return result


def ends_at(starts_at: dt.datetime, duration_minutes: int) -> dt.datetime:
    return starts_at + dt.timedelta(minutes=duration_minutes)


def open_until(
    state: str, deleted: bool, invite_open: bool, starts_at: dt.datetime, duration_minutes: int
) -> dt.datetime | None:
    """Until when the event takes registrations, the count aside (as registration_state
    decides it); None when it takes none now."""
    if deleted or state in ("cancelled", "draft", "finished") or not invite_open:
        return None
    return ends_at(starts_at, duration_minutes)


def event_open_until(event: Mapping[str, Any]) -> dt.datetime | None:
    """`open_until` of an event's row."""
    return open_until(
        event["state"],
        event["deleted_at"] is not None,
        event["invite_open"],
        event["starts_at"],
        event["duration_minutes"],
    )


def takes_registrations_now(event: Mapping[str, Any], now: dt.datetime) -> bool:
    """Whether the event's invite link takes registrations at `now`, the count aside: what a
    page or mail that offers "register again" asks first."""
    until = event_open_until(event)
    return until is not None and now < until


def registration_state(
    state: str,
    deleted: bool,
    invite_open: bool,
    starts_at: dt.datetime,
    duration_minutes: int,
    registered: int,
    capacity: int,
    now: dt.datetime,
) -> str:
    """Whether the invite link takes a registration now, or why not."""
    if deleted or state == "cancelled":
        return CANCELLED
    if state == "draft":
        return DRAFT
    if state == "finished" or now >= ends_at(starts_at, duration_minutes):
        return FINISHED
    if not invite_open:
        return CLOSED
    if registered >= capacity:
        return FULL
    return OPEN


def pin_is_well_formed(text: str) -> bool:
    return bool(PIN_PATTERN.fullmatch(text))


def resend_allowed(
    window_started_at: dt.datetime | None,
    resends_in_window: int,
    now: dt.datetime,
    window: dt.timedelta = RESEND_WINDOW,
) -> tuple[bool, dt.datetime, int]:
    """(may re-send now, the window's new start, its new count)."""
    if window_started_at is None or now - window_started_at >= window:
        return True, now, 1
    if resends_in_window < RESENDS_PER_WINDOW:
        return True, window_started_at, resends_in_window + 1
    return False, window_started_at, resends_in_window


def reminder_is_due(
    starts_at: dt.datetime,
    registered_at: dt.datetime,
    reminder_sent_at: dt.datetime | None,
    reminder_hours: int,
    now: dt.datetime,
) -> bool:
    """The reminder goes `reminder_hours` before the start, to those who registered before
    that moment: a later registration's confirmation mail arrived inside that window and
    already says everything a reminder would. One sent before that moment was for an
    earlier start time (the event has been moved later since). The worker's SQL states the
    same rule."""
    remind_at = starts_at - dt.timedelta(hours=reminder_hours)
    already = reminder_sent_at is not None and reminder_sent_at >= remind_at
    return remind_at <= now < starts_at and registered_at < remind_at and not already
