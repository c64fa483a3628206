"""The realtime channel's messages, without I/O: parsing what a browser sends, and the
shapes the server sends. app/live/PROTOCOL.md is the table of every type; keep them in step.

A message is a JSON object with a "type". Each type a browser may send is a pydantic model
below, and the models form a union discriminated by "type". Whatever a client sends that is
not one of its side's types, with the right fields, gets {"type": "error", "code": ...}
back and changes nothing (app/live/PROTOCOL.md, "Error codes"): `malformed` when it is not a JSON
object with a string "type", `unknown_type` when the type is not its side's, and
`invalid_fields` when the fields do not fit the type's model.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from app.auth.validation import LINE_BREAKS, has_control_characters, shows_something
from app.live.rules import MAX_COMMENT, MAX_NOTES

MAX_FRAME = 64 * 1024  # a save with 20 ratings and long notes fits easily
MAX_MESSAGE_TEXT = 500  # live_message.text allows as much
MAX_ITEMS = 100  # questions covered, ratings: far more than an event has

# Codes the channel itself gives, beside app.live.errors.CODES.
CHANNEL_CODES = frozenset(
    {"malformed", "unknown_type", "invalid_fields", "busy_retry", "unavailable", "server_error"}
)


class BadMessage(Exception):
    def __init__(self, code: str):
        assert code in CHANNEL_CODES, code
        super().__init__(code)
        self.code = code


def _storable(value: str) -> str:
    """Text PostgreSQL can keep: no NUL, and encodable (no lone surrogates from "\\ud800")."""
    if "\x00" in value:
        raise ValueError("NUL in text")
    value.encode("utf-8")  # UnicodeEncodeError is a ValueError: the field is invalid
    return value


def _shown_alike(value: str) -> str:
    """Text of several lines that others read (notes in the employer's summary, a comment):
    without what would make it read as another or show as nothing (controls but line breaks
    and tabs, bidi overrides, U+FFFD: app/auth/validation.py). Dropped rather than refused:
    notes pasted from a word processor carry form feeds, and a save refused whole would
    keep the interviewer's ratings and notes from being saved at all."""
    if not has_control_characters(value.translate(LINE_BREAKS)):
        return value
    return "".join(
        char
        for char in value
        if char in "\n\r\t\u2028\u2029" or not has_control_characters(char) or _private_use(char)
    )


def _private_use(char: str) -> bool:
    """A symbol font's bullet (U+F0B7 from Word): shown as the font has it, kept."""
    return unicodedata.category(char) == "Co"


def _digit_keys(ratings: dict[str, Any]) -> dict[int, Any]:
    """Ratings arrive as {"attribute position": 1–5}; JSON keys are strings of ASCII digits."""
    if not all(key.isascii() and key.isdigit() for key in ratings):
        raise ValueError("a rating's key is not a position")
    return {int(key): value for key, value in ratings.items()}  # int() refuses > 4300 digits


def _stripped_text(text: str) -> str:
    """A message to everyone waiting: one that shows something, and nothing that would make
    it read as another on every waiting page (the forms' rule, app/auth/validation.py)."""
    text = text.strip()
    if not 0 < len(text) <= MAX_MESSAGE_TEXT or not shows_something(text):
        raise ValueError("empty (zero-width characters alone look so) or too long")
    if has_control_characters(text.translate(LINE_BREAKS)):
        raise ValueError("a character that cannot be shown")
    return text


# Strict: JSON's true is not the number 1, 7.0 is not an id, "7" is neither.
Id = Annotated[int, Field(strict=True, gt=0, lt=2**62)]
StorableText = Annotated[str, Field(strict=True), AfterValidator(_storable)]
# Notes and a comment: what StorableText refuses (NUL, lone surrogates) is dropped with the
# rest of what _shown_alike drops, for the same reason (a save refused whole loses them).
ShownText = Annotated[str, Field(strict=True), AfterValidator(_shown_alike)]


class _Message(BaseModel):
    # Fields a type does not have are ignored (older or newer pages may send more).
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class Ping(_Message):
    type: Literal["ping"]


class Sync(_Message):
    """The page asks for its whole state (it could not apply a `queue` message)."""

    type: Literal["sync"]


class CheckIn(_Message):
    type: Literal["check_in"]


class Leave(_Message):
    type: Literal["leave"]


class Accept(_Message):
    type: Literal["accept"]


class Prepare(_Message):
    type: Literal["prepare"]


class Feedback(_Message):
    type: Literal["feedback"]
    interested: bool
    comment: Annotated[ShownText, Field(max_length=MAX_COMMENT)] = ""


MediaProblem = Literal["blocked", "in_use", "no_camera", "no_microphone", "not_found", "other", "unsupported"]


class Devices(_Message):
    """Which of this page's microphone and camera are on, in the sender's own interview
    (either side): the other side's page says so (app/live/PROTOCOL.md)."""

    type: Literal["devices"]
    microphone: bool
    camera: bool
    # Why this page could not start them (the browser refused: device-check.js PROBLEMS;
    # `unsupported`: the browser cannot make video calls at all), or None when it could.
    problem: MediaProblem | None = None


class Next(_Message):
    type: Literal["next"]


class Pick(_Message):
    type: Literal["pick"]
    candidate: Id


class Withdraw(_Message):
    type: Literal["withdraw"]


class Pause(_Message):
    type: Literal["pause"]


class Resume(_Message):
    type: Literal["resume"]


class Message(_Message):
    type: Literal["message"]
    text: Annotated[StorableText, AfterValidator(_stripped_text)]


class Extend(_Message):
    type: Literal["extend"]


class End(_Message):
    type: Literal["end"]


class Save(_Message):
    """The interviewer's record; its bounds against the event's own questions and
    attributes are checked by outcome.save_record."""

    type: Literal["save"]
    interview: Id | None = None
    # The record's version the page's form was based on: a save from an older one is refused
    # (another window saved since). None (an older page): saved whatever the version.
    version: Annotated[int, Field(strict=True, ge=0, lt=2**31)] | None = None
    notes: Annotated[ShownText, Field(max_length=MAX_NOTES)] = ""
    covered: Annotated[list[Any], Field(max_length=MAX_ITEMS)] = Field(default=[], alias="questions_covered")
    ratings: Annotated[dict[str, Any], Field(max_length=MAX_ITEMS), AfterValidator(_digit_keys)] = {}


# A page's mark for one `call_here` notice, and how many of its own it sends back (`since`).
CallMark = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9-]{1,64}$")]
MAX_CALL_MARKS = 32


class CallHere(_Message):
    """This page of the interviewer has joined (or taken back) the call of their interview,
    or (no `interview`) Next or Pick was pressed on it and the call to come is its: their
    other pages leave it (another device's call would be heard twice). `mark`: what the page
    made to know its own notice when it comes back (`call_taken`). `since`: said again after
    the page's socket was down, with the marks of its own earlier notices: only if the last
    page that said it has the call is one of them (or none has), else refused with
    `call_elsewhere` (another page took the call meanwhile and this one stays out)."""

    type: Literal["call_here"]
    interview: Id | None = None
    mark: CallMark
    since: Annotated[list[CallMark], Field(max_length=MAX_CALL_MARKS)] | None = None


class Record(_Message):
    """The interviewer's saved record of one of their interviews (another window saved it)."""

    type: Literal["record"]
    interview: Id


CandidateMessage = Ping | Sync | CheckIn | Leave | Accept | Prepare | Feedback | Devices
InterviewerMessage = (
    Ping
    | Next
    | Pick
    | Withdraw
    | Pause
    | Resume
    | Message
    | Extend
    | End
    | Save
    | Record
    | CallHere
    | Devices
)
ClientMessage = Annotated[CandidateMessage | InterviewerMessage, Field(discriminator="type")]
_CLIENT_MESSAGE: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def _types(union: Any) -> frozenset[str]:
    return frozenset(get_args(model.model_fields["type"].annotation)[0] for model in get_args(union))


CANDIDATE_TYPES = _types(CandidateMessage)
INTERVIEWER_TYPES = _types(InterviewerMessage)


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
    # The side's types first: another side's type is unknown here, whatever its fields.
    if message["type"] not in allowed:
        raise BadMessage("unknown_type")
    try:
        parsed = _CLIENT_MESSAGE.validate_python(message)
    except ValidationError:
        raise BadMessage("invalid_fields") from None
    return dict(parsed)


def error(code: str, **fields: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, **fields}
