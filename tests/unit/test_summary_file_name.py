"""The summary's download names (app/views/summary.py file_name): ASCII, words kept apart."""

from __future__ import annotations

import datetime as dt

import pytest

from app.views.summary import SLUG_LENGTH, file_name

ON = dt.datetime(2026, 12, 6, 9, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "title, name",
    [
        ("Säljare till Malmö", "saljare-till-malmo"),
        # A dash that is no ASCII parts the words as a hyphen would (it joined them).
        ("Örgryte–Härlanda dag och kväll", "orgryte-harlanda-dag-och-kvall"),
        ("Søren & Ægir, Straße", "soren-aegir-strasse"),
        ("日本語", "event"),
        ("Kundtjänst 日本 Åre", "kundtjanst-are"),
    ],
)
def test_a_title_becomes_its_words_in_ascii(title, name):
    assert file_name({"title": title, "starts_at": ON}, ".pdf") == f"{name}-2026-12-06.pdf"


def test_a_long_title_is_cut_after_a_whole_word():
    title = "Kundtjänstmedarbetare till vårt nya kontor i Örgryte–Härlanda med start i januari"
    name = file_name({"title": title, "starts_at": ON}, ".csv")
    assert name == "kundtjanstmedarbetare-till-vart-nya-kontor-i-orgryte-2026-12-06.csv"
    one_word = file_name({"title": "x" * 100, "starts_at": ON}, ".csv")
    assert one_word == "x" * SLUG_LENGTH + "-2026-12-06.csv"


def test_what_the_file_is_ends_its_name_in_ascii():
    event = {"title": "Säljare", "starts_at": ON}
    assert file_name(event, ".csv", "anmälda") == "saljare-2026-12-06-anmalda.csv"
    assert file_name(event, ".pdf", "summary") == "saljare-2026-12-06-summary.pdf"
    # Ended early after a start moved before midnight: the date it was set for.
    moved = {"title": "Säljare", "starts_at": ON - dt.timedelta(hours=9), "planned_starts_at": ON}
    assert file_name(moved, ".csv", "summary") == "saljare-2026-12-06-summary.csv"
