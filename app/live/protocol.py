"""The realtime channel's messages, without I/O: parsing what a browser sends, and the
shapes the server sends. app/live/PROTOCOL.md is the table of every type; keep them in step.

A message is a JSON object with a "type". Whatever a client sends that is not one of the
types below, with the right fields, gets an {"type": "error", "code": ...} back and changes
nothing (rule 8).
"""
from __future__ import annotations

import json
from typing import Any

from app.live.rules import MAX_COMMENT, MAX_NOTES

MAX_FRAME = 64 * 1024          # a save with 20 ratings and long notes fits easily
MAX_MESSAGE_TEXT = 500         # live_message.text allows as much

CANDIDATE_TYPES = frozenset({"ping", "sync", "check_in", "leave", "accept", "feedback"})
INTERVIEWER_TYPES = frozenset({"ping", "next", "pick", "withdraw", "pause", "resume",
                               "message", "extend", "end", "save"})
# Codes the channel itself gives, beside app.live.errors.CODES.
CHANNEL_CODES = frozenset({"malformed", "unknown_type", "invalid_fields", "busy_retry",
                           "unavailable", "server_error"})


class BadMessage(Exception):
    def __init__(self, code: str):
        assert code in CHANNEL_CODES, code
        super().__init__(code)
        self.code = code


def _int(value: Any) -> int:
    if type(value) is not int or not 0 < value < 2 ** 62:
        raise BadMessage("invalid_fields")
    return value


def _storable(value: str) -> bool:
    """Text PostgreSQL can keep: no NUL, and encodable (no lone surrogates from "\\ud800")."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse(text: str, allowed: frozenset[str]) -> dict[str, Any]:
    """The validated message: {"type": ..., and its fields as Python values}."""
    if len(text) > MAX_FRAME:
        raise BadMessage("malformed")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than json allows
        raise BadMessage("malformed") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise BadMessage("malformed")
    kind = message["type"]
    if kind not in allowed:
        raise BadMessage("unknown_type")
    if kind == "pick":
        return {"type": kind, "candidate": _int(message.get("candidate"))}
    if kind == "message":
        text_ = message.get("text")
        if not isinstance(text_, str) or not 0 < len(text_.strip()) <= MAX_MESSAGE_TEXT \
                or not _storable(text_):
            raise BadMessage("invalid_fields")
        return {"type": kind, "text": text_.strip()}
    if kind == "feedback":
        comment = message.get("comment", "")
        if not isinstance(message.get("interested"), bool) or not isinstance(comment, str) \
                or len(comment) > MAX_COMMENT or not _storable(comment):
            raise BadMessage("invalid_fields")
        return {"type": kind, "interested": message["interested"], "comment": comment}
    if kind == "save":
        interview = message.get("interview")
        return {"type": kind, "interview": None if interview is None else _int(interview),
                **_record(message)}
    return {"type": kind}


def _record(message: dict[str, Any]) -> dict[str, Any]:
    """notes, questions_covered (positions) and ratings ({attribute position: 1–5}); the
    bounds against the event's own questions are checked by outcome.save_record."""
    notes = message.get("notes", "")
    covered = message.get("questions_covered", [])
    ratings = message.get("ratings", {})
    if not isinstance(notes, str) or len(notes) > MAX_NOTES or not _storable(notes) \
            or not isinstance(covered, list) \
            or not isinstance(ratings, dict) or len(covered) > 100 or len(ratings) > 100:
        raise BadMessage("invalid_fields")
    try:
        parsed = {int(key): value for key, value in ratings.items()
                  if key.isascii() and key.isdigit()}
    except ValueError:
        raise BadMessage("invalid_fields") from None
    if len(parsed) != len(ratings):
        raise BadMessage("invalid_fields")
    return {"notes": notes, "covered": covered, "ratings": parsed}


def error(code: str, **fields: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, **fields}
