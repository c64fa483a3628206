"""Parsing what a browser sends on the realtime channel (app/live/protocol.py,
app/live/PROTOCOL.md): the parsed message for good input, and the stable error code for bad
input (`malformed`, `unknown_type`, `invalid_fields`) that the pages and the fuzz tests rely on."""

from __future__ import annotations

import json

import pytest

from app.live.protocol import (
    CANDIDATE_TYPES,
    INTERVIEWER_TYPES,
    MAX_FRAME,
    BadMessage,
    parse,
)
from app.live.rules import MAX_COMMENT, MAX_NOTES

BOTH = CANDIDATE_TYPES | INTERVIEWER_TYPES


def test_each_side_has_its_own_types():
    assert CANDIDATE_TYPES == {
        "ping",
        "sync",
        "check_in",
        "leave",
        "accept",
        "prepare",
        "feedback",
        "devices",
    }
    assert INTERVIEWER_TYPES == {
        "ping",
        "next",
        "pick",
        "withdraw",
        "pause",
        "resume",
        "message",
        "extend",
        "end",
        "save",
        "record",
        "call_here",
        "devices",
    }


@pytest.mark.parametrize(
    "message, parsed",
    [
        ({"type": "ping"}, {"type": "ping"}),
        ({"type": "next", "candidate": "ignored"}, {"type": "next"}),
        ({"type": "pick", "candidate": 7}, {"type": "pick", "candidate": 7}),
        ({"type": "pick", "candidate": 2**62 - 1}, {"type": "pick", "candidate": 2**62 - 1}),
        (
            {"type": "message", "text": "  Fem minuter kvar  "},
            {"type": "message", "text": "Fem minuter kvar"},
        ),
        ({"type": "message", "text": "å" * 500}, {"type": "message", "text": "å" * 500}),
        ({"type": "feedback", "interested": False}, {"type": "feedback", "interested": False, "comment": ""}),
        (
            {"type": "devices", "microphone": False, "camera": True},
            {"type": "devices", "microphone": False, "camera": True, "problem": None},
        ),
        (
            {"type": "devices", "microphone": True, "camera": True, "problem": "no_camera"},
            {"type": "devices", "microphone": True, "camera": True, "problem": "no_camera"},
        ),
        (
            {"type": "feedback", "interested": True, "comment": "Kul jobb!"},
            {"type": "feedback", "interested": True, "comment": "Kul jobb!"},
        ),
        (
            {"type": "feedback", "interested": True, "comment": "x" * MAX_COMMENT},
            {"type": "feedback", "interested": True, "comment": "x" * MAX_COMMENT},
        ),
        (
            {"type": "save"},
            {"type": "save", "interview": None, "version": None, "notes": "", "covered": [], "ratings": {}},
        ),
        (
            {
                "type": "save",
                "interview": None,
                "notes": "n" * MAX_NOTES,
                "questions_covered": [1, "2", None],
                "ratings": {"1": 5, "02": "x"},
            },
            {
                "type": "save",
                "interview": None,
                "version": None,
                "notes": "n" * MAX_NOTES,
                "covered": [1, "2", None],
                "ratings": {1: 5, 2: "x"},
            },
        ),
        (
            {"type": "save", "interview": 3, "notes": "Bra", "questions_covered": [2], "ratings": {"1": 4}},
            {
                "type": "save",
                "interview": 3,
                "version": None,
                "notes": "Bra",
                "covered": [2],
                "ratings": {1: 4},
            },
        ),
        (
            {"type": "save", "interview": 3, "version": 0, "notes": "Bra"},
            {"type": "save", "interview": 3, "version": 0, "notes": "Bra", "covered": [], "ratings": {}},
        ),
        ({"type": "record", "interview": 3}, {"type": "record", "interview": 3}),
        (  # what would read as another text dropped, not the whole answer refused
            {"type": "feedback", "interested": True, "comment": "\u202eevil\ufffd"},
            {"type": "feedback", "interested": True, "comment": "evil"},
        ),
        (  # notes pasted from a word processor: a form feed, a symbol font's bullet, an isolate
            {"type": "save", "notes": "a\x0cb \uf0b7 c\u2066d"},
            {
                "type": "save",
                "interview": None,
                "version": None,
                "notes": "ab \uf0b7 cd",
                "covered": [],
                "ratings": {},
            },
        ),
        (  # NUL and a lone surrogate (which no database keeps) dropped too, the rest saved
            {"type": "save", "notes": "nul\x00 och \ud800surrogat"},
            {
                "type": "save",
                "interview": None,
                "version": None,
                "notes": "nul och surrogat",
                "covered": [],
                "ratings": {},
            },
        ),
        (
            {"type": "feedback", "interested": False, "comment": "x\x00y"},
            {"type": "feedback", "interested": False, "comment": "xy"},
        ),
        (  # notes of several lines, with tabs, emoji and a zero-width joiner
            {"type": "save", "notes": "Rad ett\r\n\tRad två 👩\u200d💻"},
            {
                "type": "save",
                "interview": None,
                "version": None,
                "notes": "Rad ett\r\n\tRad två 👩\u200d💻",
                "covered": [],
                "ratings": {},
            },
        ),
    ],
)
def test_good_messages_parse_to_their_fields(message, parsed):
    assert parse(json.dumps(message), BOTH) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "",
        "null",
        "[]",
        "[1, 2]",
        '"check_in"',
        "5",
        '{"type": 5}',
        '{"type": null}',
        '{"type": ["check_in"]}',
        '{"kind": "ping"}',
        "[" * 100_000,
        " " * (MAX_FRAME + 1),
        json.dumps({"type": "message", "text": "a" * MAX_FRAME}),
    ],
)
def test_what_is_not_a_message_is_malformed(text):
    with pytest.raises(BadMessage) as raised:
        parse(text, BOTH)
    assert raised.value.code == "malformed"


@pytest.mark.parametrize(
    "text, allowed",
    [
        ('{"type": "next"}', CANDIDATE_TYPES),
        ('{"type": "accept"}', INTERVIEWER_TYPES),
        ('{"type": "CHECK_IN"}', CANDIDATE_TYPES),
        ('{"type": "check_in\\u0000"}', CANDIDATE_TYPES),
        ('{"type": "pong"}', BOTH),
        ('{"type": "error"}', BOTH),
        ('{"type": ""}', BOTH),
        # The type is checked before the fields: another side's type with bad fields is unknown.
        ('{"type": "pick", "candidate": "x"}', CANDIDATE_TYPES),
    ],
)
def test_a_type_the_socket_does_not_take_is_unknown(text, allowed):
    with pytest.raises(BadMessage) as raised:
        parse(text, allowed)
    assert raised.value.code == "unknown_type"


@pytest.mark.parametrize(
    "message",
    [
        {"type": "pick"},
        {"type": "pick", "candidate": None},
        {"type": "pick", "candidate": "7"},
        {"type": "pick", "candidate": 7.0},
        {"type": "pick", "candidate": True},
        {"type": "pick", "candidate": 0},
        {"type": "pick", "candidate": -3},
        {"type": "pick", "candidate": 2**62},
        {"type": "pick", "candidate": 10**40},
        {"type": "message"},
        {"type": "message", "text": 5},
        {"type": "message", "text": ""},
        {"type": "message", "text": " \n\t "},
        {"type": "message", "text": "a" * 501},
        {"type": "message", "text": "nul\x00"},
        {"type": "message", "text": "surrogate \ud800"},
        {"type": "message", "text": "\u202eevil"},  # a bidi override: reads as another text
        {"type": "message", "text": "\u200b\u200b"},  # zero-width alone: shows nothing
        {"type": "message", "text": "undecodable \ufffd"},
        {"type": "message", "text": "escape \x1b[31m"},
        {"type": "feedback"},
        {"type": "feedback", "interested": "yes"},
        {"type": "devices", "microphone": True},
        {"type": "devices", "microphone": 0, "camera": True},
        {"type": "devices", "microphone": "off", "camera": True},
        {"type": "devices", "microphone": True, "camera": True, "problem": "NotAllowedError"},
        {"type": "devices", "microphone": True, "camera": True, "problem": 1},
        {"type": "feedback", "interested": 1},
        {"type": "feedback", "interested": None},
        {"type": "feedback", "interested": True, "comment": 5},
        {"type": "feedback", "interested": True, "comment": None},
        {"type": "feedback", "interested": True, "comment": {"a": {"b": []}}},
        {"type": "feedback", "interested": True, "comment": "x" * (MAX_COMMENT + 1)},
        {"type": "save", "interview": "3"},
        {"type": "save", "interview": 0},
        {"type": "save", "interview": False},
        {"type": "save", "notes": 5},
        {"type": "save", "notes": None},
        {"type": "save", "notes": "n" * (MAX_NOTES + 1)},
        {"type": "save", "questions_covered": "1,2"},
        {"type": "save", "questions_covered": {"1": True}},
        {"type": "save", "questions_covered": list(range(101))},
        {"type": "save", "ratings": [5]},
        {"type": "save", "ratings": {"a": 5}},
        {"type": "save", "ratings": {"": 5}},
        {"type": "save", "ratings": {"-1": 5}},
        {"type": "save", "ratings": {"1.5": 5}},
        {"type": "save", "ratings": {"١": 5}},  # a digit, but not an ASCII one
        {"type": "save", "ratings": {"9" * 5000: 5}},  # more digits than int() reads
        {"type": "save", "ratings": {str(n): 3 for n in range(1, 102)}},
        {"type": "save", "version": -1},
        {"type": "save", "version": "2"},
        {"type": "save", "version": 2.0},
        {"type": "save", "version": True},
        {"type": "save", "version": 2**31},
        {"type": "record"},
        {"type": "record", "interview": None},
        {"type": "record", "interview": "3"},
    ],
)
def test_bad_fields_are_invalid_fields(message):
    with pytest.raises(BadMessage) as raised:
        parse(json.dumps(message), BOTH)
    assert raised.value.code == "invalid_fields"
