"""The event form: parse and check what a browser sent, without I/O.

Errors are (field, message, parameters); the message is English source text marked with N_
and translated where the form is shown, so the user reads it in their own language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence, TypeVar

from app.events.rules import (
    MAX_ATTRIBUTES,
    MAX_INTERVIEWERS,
    MAX_QUESTIONS,
    SWEDISH_TIME,
    local_start,
    wall_clock_exists,
    wall_clock_repeats,
    years_after,
)
from app.addresses import readable_domain
from app.auth.validation import (
    ascii_domain,
    HIDDEN_CHARACTER,
    LINE_BREAKS,
    has_control_characters,
    has_letter_or_digit,
    is_email,
    shows_something,
)
from app.i18n import N_

T = TypeVar("T")
LANGUAGES = ("sv", "en")
# Far enough for any real plan, near enough that calendars and date sums never overflow.
MAX_YEARS_AHEAD = 2
# A published event's invite link takes registrations, so someone must be there to interview
# the candidates: publishing, and saving an event already published, need an interviewer.
# The key says which of the two the form does (a draft may have none).
NEEDS_INTERVIEWER = {
    "publish": N_("Add at least one interviewer to publish the event, or save it as a draft."),
    "published": N_(
        "The event is published, so it needs at least one interviewer: candidates can register for it."
    ),
}


@dataclass
class EventInput:
    title: str
    job_description: str
    starts_at: dt.datetime
    duration_minutes: int
    interview_minutes: int
    capacity: int
    language: str
    questions: list[str]
    attributes: list[str]
    interviewers: list[tuple[str, str]]  # (e-mail, name)


@dataclass
class FormResult:
    values: dict[str, Any]  # what the user typed, to show the form again
    errors: dict[str, tuple[str, dict]] = field(default_factory=dict)
    event: EventInput | None = None


def _text(form: Mapping[str, str], name: str) -> str:
    # A browser sends a textarea's line breaks as CR LF but counts each as one character
    # against its maxlength: stored and counted as LF, what the browser let through fits.
    # Composed (NFC), as every text is kept (app/auth/validation.py clean_text).
    return unicodedata.normalize("NFC", (form.get(name) or "").replace("\r\n", "\n").strip())


def _int(result: FormResult, name: str, low: int, high: int, message: str) -> int | None:
    raw = str(result.values.get(name) or "")
    # Plain digits, as a number field sends them: int() would also take "1_0" and other
    # scripts' digits, which nothing shows back as the number saved.
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    if value is None or not low <= value <= high:
        result.errors[name] = (message, {"low": low, "high": high})
        return None
    return value


# What a date field and a time field send (HTML's "valid date string" and "valid time
# string"): fromisoformat alone would also take week dates, compact forms and an offset,
# which would be dropped unseen.
PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PLAIN_TIME = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?")


def _plain_date(text: str) -> dt.date:
    if not PLAIN_DATE.fullmatch(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def _plain_time(text: str) -> dt.time:
    if not PLAIN_TIME.fullmatch(text):
        raise ValueError(text)
    return dt.time.fromisoformat(text)


def _parsed(result: FormResult, name: str, parse: Callable[[str], T], empty: str, malformed: str) -> T | None:
    """The field read by `parse`, or None with an error. An empty field is asked for; the
    format is named only to a value typed wrongly (a browser without a date or time picker)."""
    text = str(result.values.get(name) or "")
    if not text:
        result.errors[name] = (empty, {})
        return None
    try:
        return parse(text)
    except ValueError:
        result.errors[name] = (malformed, {})
        return None


def _list(
    values: Sequence[str],
    limit: int,
    length: int,
    name: str,
    result: FormResult,
    too_many: str,
    too_long: str,
) -> list[str]:
    items = [unicodedata.normalize("NFC", v.strip()) for v in values if v.strip()]
    if any(has_control_characters(item) for item in items):
        result.errors[name] = (HIDDEN_CHARACTER, {})
    elif len(items) > limit:
        result.errors[name] = (too_many, {"count": limit})
    elif any(len(item) > length for item in items):
        result.errors[name] = (too_long, {"count": length})
    return items


# The form's fields of one value, and all its fields, in the order it shows them (a refused
# save lists those that differ in this order).
TEXT_FIELDS = (
    "title",
    "job_description",
    "date",
    "start_time",
    "duration_minutes",
    "interview_minutes",
    "capacity",
    "language",
)
FORM_FIELDS = (*TEXT_FIELDS, "questions", "attributes", "interviewers")


def parse_event_form(
    form: Mapping[str, str],
    lists: Mapping[str, Sequence[str]],
    *,
    now: dt.datetime,
    registered: int = 0,
    previous_start: dt.datetime | None = None,
    previous_duration: int | None = None,
    needs_interviewer: str | None = None,
) -> FormResult:
    """`lists` holds the repeated fields (question, attribute, interviewer_email/_name).
    `previous_start`: when editing, an unchanged start may lie in the past.
    `previous_duration`: when editing an event ended early, its length (the minutes it ran,
    maybe fewer than a form allows or than one interview), which stands as it is unchanged.
    `needs_interviewer`: a key of NEEDS_INTERVIEWER when the saved event is to be published."""
    result = FormResult(values={name: _text(form, name) for name in TEXT_FIELDS})
    values = result.values
    if not shows_something(values["title"]):  # zero-width characters alone look empty
        result.errors["title"] = (N_("Enter a title."), {})
    elif len(values["title"]) > 200:
        result.errors["title"] = (N_("Enter a title of at most %(count)s characters."), {"count": 200})
    elif has_control_characters(values["title"]):
        result.errors["title"] = (HIDDEN_CHARACTER, {})
    if len(values["job_description"]) > 20000:
        result.errors["job_description"] = (
            N_("The job description may be at most %(count)s characters."),
            {"count": 20000},
        )
    elif has_control_characters(values["job_description"].translate(LINE_BREAKS)):
        result.errors["job_description"] = (HIDDEN_CHARACTER, {})
    if values["language"] not in LANGUAGES:
        result.errors["language"] = (N_("Choose Swedish or English."), {})

    starts_at = None
    date = _parsed(result, "date", _plain_date, N_("Enter the date."), N_("Enter a date as YYYY-MM-DD."))
    time = _parsed(
        result,
        "start_time",
        _plain_time,
        N_("Enter the start time."),
        N_("Enter a start time as HH:MM."),
    )
    if date is not None and time is not None:
        starts_at = local_start(date, time.replace(second=0, microsecond=0))
        # Unchanged as the form shows it, to the minute: an event ended early starts at its
        # first call-in, seconds and all, and its form, which shows 15:41, must not read that
        # as a new start in the past. The start is then kept to its second.
        kept = previous_start is not None and starts_at == previous_start.replace(second=0, microsecond=0)
        if not wall_clock_exists(starts_at):
            result.errors["start_time"] = (
                N_("That time does not exist on that day (the clocks go forward). Choose another."),
                {},
            )
        elif wall_clock_repeats(starts_at) and not kept:
            result.errors["start_time"] = (
                N_("That time comes twice on that day (the clocks go back). Choose another."),
                {},
            )
        if starts_at <= now and not kept:
            result.errors["date"] = (N_("That date and time have already passed."), {})
        elif date > years_after(
            now.astimezone(SWEDISH_TIME).date(), MAX_YEARS_AHEAD
        ):  # the form's dates are Swedish
            result.errors["date"] = (N_("Choose a date within %(count)s years."), {"count": MAX_YEARS_AHEAD})
        if kept:
            starts_at = previous_start

    kept_duration = previous_duration is not None and values["duration_minutes"] == str(previous_duration)
    duration = (
        previous_duration
        if kept_duration
        else _int(
            result,
            "duration_minutes",
            5,
            1440,
            N_("Enter the duration in minutes, from %(low)s to %(high)s."),
        )
    )
    minutes = _int(
        result, "interview_minutes", 1, 240, N_("Enter the minutes per interview, from %(low)s to %(high)s.")
    )
    if duration is not None and minutes is not None and duration < minutes and not kept_duration:
        result.errors["duration_minutes"] = (
            N_("The event is shorter than one interview (%(count)s minutes)."),
            {"count": minutes},
        )
    capacity = _int(
        result, "capacity", 1, 10000, N_("Enter how many candidates may register, from %(low)s to %(high)s.")
    )
    if capacity is not None and capacity < registered:
        result.errors["capacity"] = (
            N_("%(count)s candidates have already registered: the capacity cannot be lower."),
            {"count": registered},
        )

    questions = _list(
        lists.get("question", []),
        MAX_QUESTIONS,
        500,
        "questions",
        result,
        N_("At most %(count)s questions."),
        N_("A question may be at most %(count)s characters."),
    )
    attributes = _list(
        lists.get("attribute", []),
        MAX_ATTRIBUTES,
        200,
        "attributes",
        result,
        N_("At most %(count)s attributes."),
        N_("An attribute may be at most %(count)s characters."),
    )
    interviewers = _interviewers(
        lists.get("interviewer_email", []), lists.get("interviewer_name", []), result
    )
    if needs_interviewer and not interviewers:
        result.errors["interviewers"] = (NEEDS_INTERVIEWER[needs_interviewer], {})
    values.update(
        questions=questions,
        attributes=attributes,
        # Shown again as written (exämple.se), not in the ASCII form they are stored in.
        interviewers=[{"email": readable_domain(e), "name": n} for e, n in interviewers],
    )
    if not result.errors:
        # No errors: every field above was read.
        assert starts_at is not None and duration is not None and minutes is not None and capacity is not None
        result.event = EventInput(
            title=values["title"],
            job_description=values["job_description"],
            starts_at=starts_at,
            duration_minutes=duration,
            interview_minutes=minutes,
            capacity=capacity,
            language=values["language"],
            questions=questions,
            attributes=attributes,
            interviewers=interviewers,
        )
    return result


def is_stale(sent_version: str | None, current_version: int) -> bool:
    """Whether an edit form was made from an older version of the event than `current_version`
    (its `edit_version` field, as sent). A form that names no version, or one that is not
    a plain number, counts as stale: saving it could undo a change it never showed."""
    text = (sent_version or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return True
    return int(text) != current_version


def differing_fields(yours: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """The fields whose value in a refused form (`yours`, the input as parsed) is not the
    event's as it is now (`now`, the values a new form would show): what a save of that
    form would replace, someone else's change among them. Addresses compare without case,
    as they are stored."""

    def same(name: str) -> bool:
        mine, theirs = yours.get(name), now.get(name)
        if name == "interviewers":
            return [(i["email"].casefold(), i["name"]) for i in mine or []] == [
                (i["email"].casefold(), i["name"]) for i in theirs or []
            ]
        if isinstance(theirs, str):
            return str(mine or "").strip() == theirs.strip()
        return list(mine or []) == list(theirs or [])

    return [name for name in FORM_FIELDS if not same(name)]


def _interviewers(emails: Sequence[str], names: Sequence[str], result: FormResult) -> list[tuple[str, str]]:
    rows = []
    # As many rows as either list has: a name sent without its address is a row without one
    # (refused below, as the form's own empty address is), not dropped unseen.
    emails = list(emails) + [""] * (len(names) - len(emails))
    for index, email in enumerate(emails):
        # One line, as every name is (clean_text): line breaks of any kind become spaces.
        name = unicodedata.normalize("NFC", " ".join(names[index].split())) if index < len(names) else ""
        if not has_letter_or_digit(name):
            name = ""  # nothing that shows (zero-width characters alone): no name, shown by address
        if email.strip() or name:
            rows.append((email.strip(), name))
    if len(rows) > MAX_INTERVIEWERS:
        result.errors["interviewers"] = (N_("At most %(count)s interviewers."), {"count": MAX_INTERVIEWERS})
        return rows
    seen = set()
    # One error per row, every row's at once (one at a time, a form with two rows wrong took
    # two sends to learn of both): the first under "interviewers", the others under
    # "interviewers_2", "interviewers_3"… (web/templates/events/form.html shows each at its
    # row and lists each in the error summary).
    found: list[tuple[str, dict]] = []
    for index, (email, name) in enumerate(rows):
        # `row` and `part` say which input the error is about: the form marks it and the
        # error summary links to it (web/templates/events/form.html).
        at_name, at_email = {"row": index + 1, "part": "name"}, {"row": index + 1, "part": "email"}
        if has_control_characters(name):
            found.append((HIDDEN_CHARACTER, at_name))
            continue
        if not email:  # a name typed, its address not (yet)
            found.append((N_("Enter the e-mail address of %(name)s."), {"name": name, **at_email}))
            continue
        # The same check the mailer makes, so an address saved here can always be mailed.
        address = ascii_domain(email)
        if has_control_characters(email) or len(address) > 254 or not is_email(address):
            shown = email.translate({c: None for c in range(32)})
            found.append((N_("“%(address)s” is not an e-mail address."), {"address": shown, **at_email}))
            continue
        rows[index] = (address, name)
        if len(name) > 200:
            found.append((N_("A name may be at most %(count)s characters."), {"count": 200, **at_name}))
            continue
        if address.lower() in seen:
            found.append((N_("%(address)s is listed twice."), {"address": email, **at_email}))
            continue
        seen.add(address.lower())
    for number, error in enumerate(found, 1):
        result.errors["interviewers" if number == 1 else f"interviewers_{number}"] = error
    return rows
