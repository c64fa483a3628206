"""The summary as plain data, built from rows without I/O: what became of each interview,
how long it was, grouped by interviewer and sorted, with totals; and who may see it when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from app.i18n import N_
from app.summary.lengths import call_length

# What became of an interview, in the order the "outcome" sort uses.
OUTCOMES = {
    "interested": N_("Interested"),
    "not_interested": N_("Not interested"),
    "no_answer": N_("No answer"),
    "missed": N_("Missed"),
    # Called in, the candidate left instead of joining (the offer's *Leave the queue*, or
    # their registration cancelled or erased at their request then): not a miss, since they
    # said so rather than letting the offer run out.
    "declined": N_("Left the queue when called in"),
    "in_progress": N_("In progress"),
    # The candidate's data was erased: that the interview took place is all that is left.
    "erased": N_("Details erased"),
}
HELD = ("interested", "not_interested", "no_answer", "in_progress", "erased")
# A held interview that ended before its time for a reason that is neither side's choice in
# it (interview.end_reason, app/live/leaving.py and cancelling.py): said in place of "No
# answer", since the candidate could not answer afterwards.
ENDED_EARLY = {
    "cancelled": N_("Ended early: the candidate cancelled their registration"),
    "removed": N_("Ended early: the registration was removed"),
    "event_cancelled": N_("Ended early: the event was cancelled"),
}
# The end_reason of an offer the candidate ended themselves ('missed' in the database: the
# queue counts neither as an interview): the candidate's leave (app/live/queue.py `leave`) or
# their own cancellation or erasure (app/live/leaving.py).
DECLINED_BY = ("left", "cancelled", "erased")
# A turn declined by cancelling the registration says so (the queue's leave says the outcome).
CANCELLED_WHEN_CALLED_IN = N_("Cancelled their registration when called in")
# Stands for the name of a candidate whose data was erased (translated where it is shown).
ERASED_CANDIDATE = N_("Erased candidate")
SORTS = ("time", "candidate", "length", "outcome")
DEFAULT_SORT = "time"


def outcome_of(
    state: str,
    interested: bool | None,
    offer_expires_at: dt.datetime | None,
    now: dt.datetime,
    end_reason: str | None = None,
) -> str | None:
    """None for what is not an interview (yet): an offer still open, or one that failed
    because no room could be made (not the candidate's doing)."""
    if state == "missed" and end_reason in DECLINED_BY:
        return "declined"
    if state == "missed" or (state == "offered" and offer_expires_at is not None and offer_expires_at <= now):
        return "missed"
    if state == "active":
        return "in_progress"
    if state == "ended":
        if interested is None:
            return "no_answer"
        return "interested" if interested else "not_interested"
    return None


def format_length(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(max(0, int(round(seconds))), 60)
    if minutes == 0:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


# A sort key for names in the viewer's language's order (app/names.py: name_order).
NameOrder = Callable[[str], Any]


@dataclass(frozen=True)
class Interview:
    id: int
    interviewer_id: int
    candidate_id: int
    candidate: str
    at: dt.datetime  # when it started; for a missed one, when it was offered
    seconds: int | None  # the time talked (lengths.py); None while it runs, or never started
    outcome: str
    comment: str
    ratings: tuple[tuple[str, int | None], ...]  # (attribute, rating 1–5 or None)
    questions: tuple[str, ...]  # the questions covered
    notes: str
    erased: bool = False  # the candidate's data was erased: `candidate` is ERASED_CANDIDATE
    ended_early: str | None = None  # a key of ENDED_EARLY
    # How to reach the candidate (the organization's CSV only; empty once erased).
    email: str = ""
    phone: str = ""
    # False: it ended, but how long it was talked is not known (lengths.py): said so, not a
    # figure (seconds is None).
    length_known: bool = True

    @property
    def outcome_label(self) -> str:
        if self.outcome == "no_answer" and self.ended_early in ENDED_EARLY:
            return ENDED_EARLY[self.ended_early]
        if self.outcome == "declined" and self.ended_early == "cancelled":
            return CANCELLED_WHEN_CALLED_IN
        return OUTCOMES[self.outcome]

    @property
    def rated(self) -> bool:
        return any(rating is not None for _, rating in self.ratings)

    @property
    def has_details(self) -> bool:
        return bool(self.comment or self.notes or self.questions or self.rated)


@dataclass(frozen=True)
class Totals:
    interviews: int  # held: ended or still running
    candidates: int  # different candidates among them
    interested: int
    not_interested: int
    no_answer: int
    missed: int
    average_seconds: int | None
    # Called in, left instead of joining (not counted as missed: they said so).
    declined: int = 0
    # Candidates whose details were erased after their interview: their answer went with
    # them, so they are counted here, or the answers would not add up to those interviewed.
    erased: int = 0
    # Candidates in an interview now (the summary read during the event): no answer yet, and
    # counted apart for the same reason.
    in_progress: int = 0
    # Interviews held whose length is not known (left out of the average).
    unknown_lengths: int = 0

    @classmethod
    def of(cls, interviews: Iterable[Interview]) -> "Totals":
        items = list(interviews)
        held = [item for item in items if item.outcome in HELD]
        lengths = [item.seconds for item in held if item.seconds is not None]

        def candidates(outcome: str) -> int:
            return len({item.candidate_id for item in items if item.outcome == outcome})

        return cls(
            interviews=len(held),
            candidates=len({item.candidate_id for item in held}),
            interested=candidates("interested"),
            not_interested=candidates("not_interested"),
            no_answer=candidates("no_answer"),
            missed=sum(1 for item in items if item.outcome == "missed"),
            average_seconds=round(sum(lengths) / len(lengths)) if lengths else None,
            erased=candidates("erased"),
            declined=sum(1 for item in items if item.outcome == "declined"),
            in_progress=candidates("in_progress"),
            unknown_lengths=sum(1 for item in held if not item.length_known),
        )


@dataclass(frozen=True)
class Group:
    interviewer_id: int
    interviewer: str
    interviews: list[Interview]
    totals: Totals

    @property
    def detail_kinds(self) -> tuple[str, ...]:
        """The details any of the group's interviews has, in the page's order: each of them
        gets its place in every interview's details (an empty one where it has none), so
        they line up under each other."""
        kinds = {
            "comment": lambda item: item.comment,
            "ratings": lambda item: item.rated,
            "questions": lambda item: item.questions,
            "notes": lambda item: item.notes,
        }
        return tuple(kind for kind, has in kinds.items() if any(has(item) for item in self.interviews))


# The status of a candidate not interviewed, by whether the event is over (until then they
# may still check in, or be called in).
NOT_CHECKED_IN = {True: N_("Never checked in"), False: N_("Not checked in yet")}
CHECKED_IN_NOT_INTERVIEWED = {
    True: N_("Checked in, not interviewed"),
    False: N_("Checked in, not interviewed yet"),
}


@dataclass(frozen=True)
class Registered:
    """A candidate registered and not interviewed, with how to reach them (the
    organization's CSV: those who waited in vain are the ones to call back)."""

    name: str  # ERASED_CANDIDATE (translated where shown) once their data was erased
    email: str = ""
    phone: str = ""
    erased: bool = False


@dataclass(frozen=True)
class Summary:
    groups: list[Group]
    totals: Totals
    not_checked_in: list[Registered]  # registered, not checked in (no-shows once it is over)
    not_interviewed: list[Registered]  # checked in, never interviewed
    attributes: list[str]
    questions: list[str]
    sort: str
    descending: bool
    # The event is over (app/events/rules.py: is_over). Until then a candidate who has not
    # checked in may still come: "not checked in yet", as the organizer's live view says,
    # not a no-show.
    over: bool

    @property
    def not_interviewed_with_status(self) -> list[tuple[Registered, str]]:
        """Everyone registered and not interviewed, with their status (a text to translate
        where it is shown): the PDF's list and the CSV's last rows say the same."""
        over = self.over
        return [
            *((person, NOT_CHECKED_IN[over]) for person in self.not_checked_in),
            *((person, CHECKED_IN_NOT_INTERVIEWED[over]) for person in self.not_interviewed),
        ]

    @property
    def no_shows(self) -> list[Registered]:
        """Registered, never checked in: none before the event is over."""
        return self.not_checked_in if self.over else []


# The summary page shows this many interviews at a time, and this many names in each list
# of those not interviewed: a national event's 5,000 interviews made a page of 7.6 MB that
# took seconds to open and half a minute to print. The PDF and the CSV hold everything.
INTERVIEWS_PER_PAGE = 200
NAMES_SHOWN = 500


@dataclass(frozen=True)
class GroupPart:
    """One interviewer's interviews that fall on a page; `continued`: some are on the pages
    before."""

    group: Group
    interviews: list[Interview]
    continued: bool


@dataclass(frozen=True)
class InterviewsPage:
    number: int
    pages: int
    parts: list[GroupPart]
    first: int  # the interviews shown, counted from 1 in the whole summary's order
    last: int
    total: int


def interviews_page(groups: list[Group], number: int) -> InterviewsPage:
    """Page `number` (from 1; past the last, the last) of the interviews in the groups'
    order, each interviewer's heading with their part. An interviewer with no interviews is
    shown where their place in that order falls."""
    total = sum(len(group.interviews) for group in groups)
    pages = max(1, -(-total // INTERVIEWS_PER_PAGE))
    number = min(max(1, number), pages)
    start, end = (number - 1) * INTERVIEWS_PER_PAGE, number * INTERVIEWS_PER_PAGE
    parts, offset = [], 0
    for group in groups:
        count = len(group.interviews)
        if count:
            shown = group.interviews[max(0, start - offset) : max(0, end - offset)]
            if shown:
                parts.append(GroupPart(group, shown, continued=start > offset))
        elif start <= offset < end or (offset == total and number == pages):
            parts.append(GroupPart(group, [], continued=False))
        offset += count
    return InterviewsPage(number, pages, parts, min(start + 1, total), min(end, total), total)


def parse_sort(query: Mapping[str, str]) -> tuple[str, bool]:
    """Anything unknown falls back to the default: odd links never fail."""
    key = query.get("sort")
    return (key if key in SORTS else DEFAULT_SORT), query.get("dir") == "desc"


def _sort_value(item: Interview, key: str, order: NameOrder) -> Any:
    if key == "candidate":
        return order(item.candidate)
    if key == "length":
        return item.seconds
    if key == "outcome":
        return list(OUTCOMES).index(item.outcome)
    return item.at


def sort_interviews(
    items: Iterable[Interview], key: str, descending: bool, order: NameOrder
) -> list[Interview]:
    """By the key, then by time; interviews without a value (no length yet) come last."""
    by_time = sorted(items, key=lambda item: (item.at, item.id))
    known = [item for item in by_time if _sort_value(item, key, order) is not None]
    unknown = [item for item in by_time if _sort_value(item, key, order) is None]
    return sorted(known, key=lambda item: _sort_value(item, key, order), reverse=descending) + unknown


def interview_from_row(
    row: Mapping[str, Any],
    ratings: Mapping[int, int],
    attributes: list[str],
    questions: list[str],
    now: dt.datetime,
) -> Interview | None:
    outcome = outcome_of(row["state"], row["interested"], row["offer_expires_at"], now, row.get("end_reason"))
    if outcome is None:
        return None
    erased = bool(row.get("candidate_erased"))
    # Their answer went with their details; one who never gave one still has "no answer".
    if erased and outcome in ("interested", "not_interested", "no_answer"):
        outcome = "erased" if row.get("answer_erased", True) or outcome != "no_answer" else "no_answer"
    length = call_length(row)
    covered = set(row["questions_covered"] or ())
    return Interview(
        id=row["id"],
        interviewer_id=row["interviewer_id"],
        candidate_id=row["candidate_id"],
        candidate=ERASED_CANDIDATE if erased else row["candidate_name"],
        at=row["started_at"] or row["offered_at"],
        seconds=length.seconds,
        outcome=outcome,
        comment=row["comment"] or "",
        ratings=tuple((text, ratings.get(position)) for position, text in enumerate(attributes, start=1)),
        questions=tuple(text for position, text in enumerate(questions, start=1) if position in covered),
        notes=row["notes"] or "",
        erased=erased,
        ended_early=row.get("end_reason") if row.get("end_reason") in ENDED_EARLY else None,
        email="" if erased else row.get("candidate_email") or "",
        phone="" if erased else row.get("candidate_phone") or "",
        length_known=length.known,
    )


def interviewer_name(row: Mapping[str, Any]) -> str:
    return row["name"] or row["email"]


def build_summary(
    *,
    interviewers: list[Mapping[str, Any]],
    interviews: list[Mapping[str, Any]],
    ratings: Mapping[int, Mapping[int, int]],
    candidates: list[Mapping[str, Any]],
    attributes: list[str],
    questions: list[str],
    sort: str = DEFAULT_SORT,
    descending: bool = False,
    now: dt.datetime,
    over: bool,
    order: NameOrder,
) -> Summary:
    """`order`: the viewer's language's order of names (app/names.py: name_order); `over`:
    the event is over (app/events/rules.py: is_over), which makes those who never checked
    in no-shows."""
    items = [
        item
        for row in interviews
        if (item := interview_from_row(row, ratings.get(row["id"], {}), attributes, questions, now))
        is not None
    ]
    groups = []
    for person in sorted(interviewers, key=lambda p: (order(interviewer_name(p)), p["id"])):
        own = [item for item in items if item.interviewer_id == person["id"]]
        groups.append(
            Group(
                person["id"],
                interviewer_name(person),
                sort_interviews(own, sort, descending, order),
                Totals.of(own),
            )
        )
    interviewed = {item.candidate_id for item in items if item.outcome in HELD}
    present = [row for row in candidates if row["cancelled_at"] is None]
    return Summary(
        groups=groups,
        totals=Totals.of(items),
        not_checked_in=_registered([row for row in present if not row["checked_in"]], order),
        not_interviewed=_registered(
            [row for row in present if row["checked_in"] and row["id"] not in interviewed], order
        ),
        attributes=attributes,
        questions=questions,
        sort=sort,
        descending=descending,
        over=over,
    )


def _registered(rows: list[Mapping[str, Any]], order: NameOrder) -> list[Registered]:
    people = [
        Registered(ERASED_CANDIDATE, erased=True)
        if row.get("erased")
        else Registered(row["name"], row.get("email") or "", row.get("phone") or "")
        for row in rows
    ]
    return sorted(people, key=lambda person: order(person.name))
