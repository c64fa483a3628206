"""The summary's pure logic: outcomes, lengths, sorting, totals, the CSV. (The order of names
comes from the database: tests/integration/test_name_order.py.)"""

from __future__ import annotations

import csv
import datetime as dt
import io

from app.events.rules import is_finished
from app.summary.csv_file import phone_cell, safe_cell, summary_csv
from app.summary.lengths import CallLength, call_length
from app.summary.model import (
    Interview,
    Totals,
    build_summary,
    format_length,
    outcome_of,
    parse_sort,
    sort_interviews,
)

NOW = dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.timezone.utc)


def interview(id, candidate="A", outcome="interested", seconds=300, minute=0, candidate_id=None):
    return Interview(
        id=id,
        interviewer_id=1,
        candidate_id=candidate_id or id,
        candidate=candidate,
        at=NOW + dt.timedelta(minutes=minute),
        seconds=seconds,
        outcome=outcome,
        comment="",
        ratings=(),
        questions=(),
        notes="",
    )


def test_outcomes():
    assert outcome_of("ended", True, None, NOW) == "interested"
    assert outcome_of("ended", False, None, NOW) == "not_interested"
    assert outcome_of("ended", None, None, NOW) == "no_answer"
    assert outcome_of("missed", None, None, NOW) == "missed"
    assert outcome_of("active", None, None, NOW) == "in_progress"
    # An offer past its time is missed even before the sweeper has marked it.
    assert outcome_of("offered", None, NOW - dt.timedelta(seconds=1), NOW) == "missed"
    assert outcome_of("offered", None, NOW + dt.timedelta(seconds=1), NOW) is None
    assert outcome_of("failed", None, None, NOW) is None
    # Called in, the candidate left instead (the offer's *Leave the queue*, or their own
    # cancellation or erasure then): not a miss.
    for reason in ("left", "cancelled", "erased"):
        assert outcome_of("missed", None, None, NOW, reason) == "declined"
    assert outcome_of("missed", None, None, NOW, "offer_expired") == "missed"


def test_finished_by_state_or_by_the_clock():
    start = NOW - dt.timedelta(minutes=60)
    assert is_finished("finished", NOW, 60, NOW)
    assert is_finished("live", start, 60, NOW)
    assert not is_finished("live", start, 61, NOW)


def test_lengths():
    assert format_length(None) == "—"
    assert format_length(40) == "40 s"
    assert format_length(540) == "9 min"
    assert format_length(545) == "9 min 5 s"


def backwards(name: str) -> str:
    """A name order of the test's own (the real one is the viewer's language's)."""
    return name[::-1]


def test_names_sort_by_the_order_given():
    items = [interview(1, "Ab", minute=1), interview(2, "Ba", minute=2)]
    assert [i.id for i in sort_interviews(items, "candidate", False, str)] == [1, 2]
    assert [i.id for i in sort_interviews(items, "candidate", False, backwards)] == [2, 1]


def test_sorting_keeps_unknown_lengths_last():
    items = [
        interview(1, "B", seconds=None, minute=1),
        interview(2, "A", seconds=200, minute=2),
        interview(3, "C", seconds=100, minute=0),
    ]
    assert [i.id for i in sort_interviews(items, "length", False, str)] == [3, 2, 1]
    assert [i.id for i in sort_interviews(items, "length", True, str)] == [2, 3, 1]
    assert [i.id for i in sort_interviews(items, "time", False, str)] == [3, 1, 2]
    assert [i.id for i in sort_interviews(items, "candidate", True, str)] == [3, 1, 2]


def test_odd_sort_parameters_fall_back():
    assert parse_sort({}) == ("time", False)
    assert parse_sort({"sort": "garbage", "dir": "desc"}) == ("time", True)
    assert parse_sort({"sort": "outcome", "dir": "sideways"}) == ("outcome", False)


def test_totals_count_candidates_and_average_held_interviews():
    items = [
        interview(1, outcome="interested", seconds=300),
        interview(2, outcome="not_interested", seconds=500),
        interview(3, outcome="missed", seconds=None),
        interview(4, outcome="in_progress", seconds=None),
        interview(5, outcome="no_answer", seconds=400, candidate_id=1),
        interview(6, outcome="declined", seconds=None),
    ]
    totals = Totals.of(items)
    assert totals == Totals(
        interviews=4,
        candidates=3,
        interested=1,
        not_interested=1,
        no_answer=1,
        missed=1,
        average_seconds=400,
        in_progress=1,
        declined=1,
    )
    assert Totals.of([]).average_seconds is None


def test_formula_cells_are_made_text():
    for text in ("=1+1", "+46 70", "-2", "@SUM(A1)", "\tx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Åsa") == "Åsa" and safe_cell(None) == "" and safe_cell(5) == "5"


def test_phone_numbers_are_shown_as_typed_and_nothing_else_is_a_formula():
    # Excel shows ="…" as the text inside: no apostrophe before +46, no leading zero lost.
    assert safe_cell(phone_cell("+46 70-123 45 67")) == '="+46 70-123 45 67"'
    assert safe_cell(phone_cell("0701234567")) == '="0701234567"'
    assert safe_cell(phone_cell("")) == ""
    # What the registration would not take goes as any other cell.
    assert safe_cell(phone_cell('+1"&HYPERLINK("x")')) == '\'+1"&HYPERLINK("x")'


def row(**values):
    base = {
        "id": 1,
        "interviewer_id": 7,
        "candidate_id": 3,
        "candidate_name": "Åsa Öberg",
        "state": "ended",
        "offered_at": NOW,
        "offer_expires_at": NOW,
        "started_at": NOW,
        "ended_at": NOW + dt.timedelta(seconds=90),
        "notes": "=cmd",
        "questions_covered": [2],
        "interested": True,
        "comment": "Bra",
    }
    return {**base, **values}


def small_summary(over: bool = True):
    return build_summary(
        interviewers=[{"id": 7, "name": "", "email": "x@example.se"}],
        interviews=[row(), row(id=2, state="failed", candidate_id=4)],
        ratings={1: {1: 4}},
        attributes=["Driv", "Noggrannhet"],
        questions=["F1", "F2"],
        candidates=[
            {"id": 3, "name": "Åsa Öberg", "cancelled_at": None, "checked_in": True},
            {"id": 5, "name": "Bo", "cancelled_at": None, "checked_in": False},
            {"id": 6, "name": "Cecilia", "cancelled_at": NOW, "checked_in": False},
        ],
        now=NOW,
        over=over,
        order=str,
    )


def test_build_summary_and_its_csv():
    summary = small_summary()
    assert summary.groups[0].interviewer == "x@example.se"
    (item,) = summary.groups[0].interviews
    assert item.ratings == (("Driv", 4), ("Noggrannhet", None)) and item.questions == ("F2",)
    assert [p.name for p in summary.no_shows] == ["Bo"] and summary.not_interviewed == []
    with_contacts = summary_csv(summary, lambda text: text, "sv", contacts=True).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(with_contacts), delimiter=";"))
    assert header[:4] == ["Interviewer", "Candidate", "E-mail", "Phone"]
    body = summary_csv(summary, lambda text: text, "sv")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == [
        "x@example.se",
        "Åsa Öberg",
        "2026-12-04",
        "16:00",
        "1,5",
        "",
        "Interested",
        "Bra",
        "4",
        "",
        "F2",
        "'=cmd",
    ]


def test_not_checked_in_is_a_no_show_only_once_the_event_is_over():
    before = small_summary(over=False)
    assert [p.name for p in before.not_checked_in] == ["Bo"] and before.no_shows == [] and not before.over
    after = small_summary(over=True)
    assert (
        [p.name for p in after.not_checked_in] == ["Bo"]
        and [p.name for p in after.no_shows] == ["Bo"]
        and after.over
    )


def test_an_erased_candidates_interview_is_counted_without_details():
    start = NOW - dt.timedelta(minutes=30)
    row = {
        "id": 7,
        "interviewer_id": 1,
        "candidate_id": 9,
        "candidate_name": "–",
        "candidate_erased": True,
        "state": "ended",
        "offered_at": start,
        "offer_expires_at": start,
        "started_at": start,
        "ended_at": start + dt.timedelta(minutes=8),
        "notes": "",
        "questions_covered": [],
        "interested": None,
        "comment": "",
    }
    summary = build_summary(
        interviewers=[{"id": 1, "name": "Ida", "email": "i@x.se"}],
        interviews=[row],
        ratings={},
        candidates=[],
        attributes=["Lugn"],
        questions=[],
        now=NOW,
        over=True,
        order=str,
    )
    [item] = summary.groups[0].interviews
    assert item.erased and item.candidate == "Erased candidate" and item.outcome == "erased"
    assert item.outcome_label == "Details erased" and not item.has_details
    assert summary.totals.interviews == 1 and summary.totals.no_answer == 0
    text = summary_csv(summary, lambda s: {"Erased candidate": "Raderad kandidat"}.get(s, s), "sv")
    assert "Raderad kandidat" in text.decode("utf-8-sig") and "–" not in text.decode("utf-8-sig")


def ended_row(**values):
    """An interview of 10 minutes (its time box), started at NOW - 30 min."""
    start = NOW - dt.timedelta(minutes=30)
    return row(started_at=start, ended_at=start + dt.timedelta(minutes=10), **values)


def test_a_call_ended_by_hand_lasted_from_its_start_to_its_end():
    start = NOW - dt.timedelta(minutes=30)
    assert call_length(ended_row(end_reason="interviewer")) == CallLength(600)
    # The sides' media stopped when the room closed, just after the end: still the end.
    after = start + dt.timedelta(minutes=10, seconds=1)
    media = {
        "candidate_media_started_at": start,
        "interviewer_media_started_at": start,
        "candidate_media_stopped_at": after,
        "interviewer_media_stopped_at": after,
    }
    assert call_length(ended_row(end_reason="time", **media)) == CallLength(600)
    assert call_length(row(state="active", ended_at=None)) == CallLength(None)


def test_an_abandoned_call_lasted_until_both_had_left_not_its_planned_length():
    start = NOW - dt.timedelta(minutes=30)
    media = {
        "candidate_media_started_at": start + dt.timedelta(seconds=4),
        "interviewer_media_started_at": start + dt.timedelta(seconds=2),
    }
    # Both left, the interviewer after 3 minutes and the candidate 20 s later; the time box
    # ended it at 10: it lasted until the last one went.
    both_left = {
        "candidate_media_stopped_at": start + dt.timedelta(minutes=3, seconds=20),
        "interviewer_media_stopped_at": start + dt.timedelta(minutes=3),
    }
    assert call_length(ended_row(end_reason="time", **media, **both_left)) == CallLength(200)
    # One side's stop alone (a second page of theirs closed, a camera that died while the
    # sound went on): the call may well have gone on, and is not cut short.
    one_stop = {"candidate_media_stopped_at": start + dt.timedelta(minutes=4)}
    assert call_length(ended_row(end_reason="time", **media, **one_stop)) == CallLength(600)
    # Ended by someone in it: the call was under way until then, whatever stopped before.
    assert call_length(
        row(
            started_at=start,
            ended_at=start + dt.timedelta(minutes=7),
            end_reason="interviewer",
            **media,
            **both_left,
        )
    ) == CallLength(420)
    # The media service went down after 5 minutes and was still down at the end.
    down = {"media_lost_at": start + dt.timedelta(minutes=5)}
    assert call_length(ended_row(end_reason="cancelled", **media, **down)) == CallLength(300)
    # It came through an outage of 90 s, which the time box gave back: from start to end.
    assert call_length(
        row(
            started_at=start,
            ended_at=start + dt.timedelta(minutes=11, seconds=30),
            end_reason="time",
            media_lost_seconds=90.0,
            **media,
        )
    ) == CallLength(690)


def test_a_call_the_time_box_ended_without_media_times_is_of_unknown_length():
    assert call_length(ended_row(end_reason="time")) == CallLength(None, known=False)
    only_one = {"interviewer_media_started_at": NOW - dt.timedelta(minutes=30)}
    assert call_length(ended_row(end_reason="time", **only_one)) == CallLength(None, known=False)
    # Ended by hand, the end is when someone in it ended it.
    assert call_length(ended_row(end_reason="candidate")).seconds == 600
    # An unknown length says so, in the CSV too, and is left out of the average.
    summary = build_summary(
        interviewers=[{"id": 7, "name": "Ida", "email": "i@x.se"}],
        interviews=[ended_row(end_reason="time"), ended_row(id=2, candidate_id=4, end_reason="interviewer")],
        ratings={},
        attributes=[],
        questions=[],
        candidates=[],
        now=NOW,
        over=True,
        order=str,
    )
    unknown, known = summary.groups[0].interviews
    assert (unknown.seconds, unknown.length_known, known.seconds) == (None, False, 600)
    assert summary.totals.average_seconds == 600 and summary.totals.unknown_lengths == 1
    assert summary.totals.interviews == 2
    rows = list(csv.reader(io.StringIO(summary_csv(summary, str, "en").decode("utf-8-sig"))))
    # The length column holds numbers only, for a spreadsheet to sum and average: an
    # unknown length leaves it empty and the column beside it says why.
    assert rows[0][4:6] == ["Length (minutes)", "About the length"]
    assert [line[4] for line in rows[1:]] == ["", "10.0"]
    assert rows[1][5].startswith("Unknown: the interview ended when its time was up") and rows[2][5] == ""


def test_per_interviewer_a_turn_declined_is_not_a_turn_missed():
    offered = {"state": "missed", "started_at": None, "ended_at": None, "interested": None}
    summary = build_summary(
        interviewers=[
            {"id": 7, "name": "Ida", "email": "i@x.se"},
            {"id": 8, "name": "Bo", "email": "b@x.se"},
        ],
        interviews=[
            row(id=1, candidate_id=3, end_reason="left", **offered),
            row(id=2, candidate_id=4, end_reason="offer_expired", **offered),
            row(id=3, candidate_id=5, interviewer_id=8, end_reason="cancelled", **offered),
        ],
        ratings={},
        attributes=[],
        questions=[],
        candidates=[],
        now=NOW,
        over=True,
        order=str,
    )
    ida, bo = (group.totals for group in sorted(summary.groups, key=lambda group: group.interviewer_id))
    assert (ida.missed, ida.declined, bo.missed, bo.declined) == (1, 1, 0, 1)
    assert (summary.totals.missed, summary.totals.declined, summary.totals.interviews) == (1, 2, 0)
