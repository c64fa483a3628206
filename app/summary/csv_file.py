"""The summary as a CSV file for Excel and other spreadsheets: a row per interview, then one
per candidate registered and not interviewed, in the viewer's language and its separators."""

from __future__ import annotations

import csv
import io
from typing import Callable

from app.candidates.rules import PHONE_PATTERN
from app.i18n import N_
from app.summary.model import Interview, Summary
from app.timefmt import in_swedish_time

# A cell starting with one of these is a formula to Excel; an apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TextFormula(str):
    """A cell made a formula on purpose (phone_cell), that safe_cell leaves as it is."""


def safe_cell(value: object) -> str:
    if isinstance(value, TextFormula):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def phone_cell(phone: str) -> str:
    """A phone number as Excel shows it as typed: as a text formula (="+46 70-123 45 67"),
    which nothing in it can break out of (the registration takes digits, spaces and
    +()./- only: app/candidates/rules.py PHONE_PATTERN). Plain, "+46 70" was a formula to
    Excel and got the apostrophe that makes it text, which Excel then showed; "0701234567"
    became the number 701234567. Anything else (none is taken) goes as any other cell."""
    if phone and PHONE_PATTERN.fullmatch(phone):
        return TextFormula(f'="{phone}"')
    return safe_cell(phone)


def minutes(seconds: int | None, language: str) -> str:
    if seconds is None:
        return ""
    text = f"{seconds / 60:.1f}"
    return text.replace(".", ",") if language == "sv" else text


# The length column is a number a spreadsheet sums and averages, so a length not known
# leaves it empty (as AVERAGE skips it, the page's average leaves it out) and the column
# beside it says why; words in the number column made the whole column text.
UNKNOWN_LENGTH_NOTE = N_(
    "Unknown: the interview ended when its time was up, and the video service did not report "
    "whether both sides were still in the call."
)


def length_cells(item: Interview, language: str, gettext: Callable[[str], str]) -> tuple[str, str]:
    """(length in minutes, note on the length) of an interview's row."""
    if not item.length_known:
        return "", gettext(UNKNOWN_LENGTH_NOTE)
    return minutes(item.seconds, language), ""


def summary_csv(
    summary: Summary, gettext: Callable[[str], str], language: str, contacts: bool = False
) -> bytes:
    """UTF-8 with a byte order mark. The separators go together as Excel's regional settings
    pair them: in Swedish semicolons and a decimal comma, in English commas and a decimal
    point (a "9.1" in Swedish Excel would become a date, a ";" file in English Excel one
    column). `contacts`: each candidate's e-mail and phone beside their name, for the
    organization that follows up (not the interviewers' copy: they see names only). A row
    per interview, then one per candidate registered and not interviewed."""
    _ = gettext
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=";" if language == "sv" else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    writer.writerow(
        [
            safe_cell(text)
            for text in [
                _("Interviewer"),
                _("Candidate"),
                *((_("E-mail"), _("Phone")) if contacts else ()),
                _("Date"),
                _("Start time"),
                _("Length (minutes)"),
                _("About the length"),
                _("Outcome"),
                _("Candidate's comment"),
                *summary.attributes,
                _("Questions covered"),
                _("Notes"),
            ]
        ]
    )
    for group in summary.groups:
        for item in group.interviews:
            local = in_swedish_time(item.at)
            writer.writerow(
                [
                    safe_cell(value)
                    for value in [
                        group.interviewer,
                        _(item.candidate) if item.erased else item.candidate,
                        *((item.email, phone_cell(item.phone)) if contacts else ()),
                        local.strftime("%Y-%m-%d"),
                        local.strftime("%H:%M"),
                        *length_cells(item, language, _),
                        _(item.outcome_label),
                        item.comment,
                        *(rating or "" for _text, rating in item.ratings),
                        "\n".join(item.questions),
                        item.notes,
                    ]
                ]
            )
    # Then everyone registered and not interviewed, as the PDF's list has them: with no
    # interviewer and no interview, their status where an interview's outcome goes.
    for person, status in summary.not_interviewed_with_status:
        writer.writerow(
            [
                safe_cell(value)
                for value in [
                    "",
                    _(person.name) if person.erased else person.name,
                    *((person.email, phone_cell(person.phone)) if contacts else ()),
                    *("", "", "", ""),  # no date, start time, length or note on it
                    _(status),
                    "",  # no comment
                    *("" for _attribute in summary.attributes),
                    *("", ""),  # no questions covered, no notes
                ]
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
