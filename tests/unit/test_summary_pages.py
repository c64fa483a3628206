"""The summary page's interviews a page at a time (app/summary/model.py interviews_page)."""

from __future__ import annotations

from app.summary import model
from app.summary.model import INTERVIEWS_PER_PAGE, Group, interviews_page


def group(interviewer_id: int, count: int) -> Group:
    # Stand-ins for interviews: the paging only counts and slices them.
    return Group(interviewer_id, f"Intervjuare {interviewer_id}", list(range(count)), None)  # type: ignore[arg-type]


def shown(page) -> list[tuple[int, int, bool]]:
    return [(part.group.interviewer_id, len(part.interviews), part.continued) for part in page.parts]


def test_a_small_event_is_one_page_with_every_interviewer(monkeypatch):
    page = interviews_page([group(1, 3), group(2, 0), group(3, 5)], 1)
    assert (page.number, page.pages) == (1, 1)
    assert shown(page) == [(1, 3, False), (2, 0, False), (3, 5, False)]


def test_interviewers_split_across_pages_and_say_they_continue(monkeypatch):
    monkeypatch.setattr(model, "INTERVIEWS_PER_PAGE", 10)
    groups = [group(1, 7), group(2, 0), group(3, 8), group(4, 0)]
    first, second = interviews_page(groups, 1), interviews_page(groups, 2)
    assert first.pages == 2
    assert shown(first) == [(1, 7, False), (2, 0, False), (3, 3, False)]
    assert shown(second) == [(3, 5, True), (4, 0, False)]
    # Every interview on exactly one page.
    assert sum(n for _, n, _ in shown(first) + shown(second)) == 15
    assert (first.first, first.last, first.total) == (1, 10, 15)
    assert (second.first, second.last, second.total) == (11, 15, 15)


def test_a_page_past_the_last_is_the_last_and_none_is_the_first():
    groups = [group(1, INTERVIEWS_PER_PAGE + 1)]
    assert interviews_page(groups, 99).number == 2 and shown(interviews_page(groups, 99)) == [(1, 1, True)]
    assert interviews_page(groups, 0).number == 1
    assert interviews_page([], 1).pages == 1
