"""Six-digit secrets behind personal links (a candidate's PIN, an interviewer's meeting
code), checked under the limits on guessing (app.throttle, app.guessing; README "Limits on
guessing"): wrong tries slow down the client that makes them, a device that has entered the
secret before is never locked out by anyone else's, and unknown devices together get at
most `limits.unknown_per_hour` tries an hour. The log names ids only: never the secret or
the link.
"""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass

import asyncpg

from app import guessing, throttle
from app.events.tokens import six_digit_code
from app.settings import LimitSettings


@dataclass(frozen=True)
class GuardedCode:
    """Where one kind of code lives: its table and column, and its scope in app.guessing."""

    table: str
    code_column: str
    scope: str
    described_as: str  # for the log line

    def secret(self, row_id: int, event_id: int | None = None) -> guessing.Secret:
        event = f" (event {event_id})" if event_id is not None else ""
        return guessing.Secret(self.scope, str(row_id), f"{self.described_as} {row_id}{event}")


CANDIDATE_PIN = GuardedCode("candidate", "pin", "pin", "personal link of candidate")
INTERVIEWER_CODE = GuardedCode("event_interviewer", "access_code", "code", "meeting link of interviewer")


def typed_code(text: str) -> str:
    """The digits of a code as typed or pasted: spaces and dashes between them dropped (a
    mail's "399 147" copied as "399-147"), and the forms of digits that NFKC folds to the
    plain ones read as those (a full-width keyboard's; circled and styled digits too, which
    is harmless). Anything else stays, for the caller to refuse as malformed."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not (ch.isspace() or unicodedata.category(ch) == "Pd"))


async def check_code(
    connection: asyncpg.Connection,
    kind: GuardedCode,
    row_id: int,
    event_id: int,
    given: str,
    client: guessing.Client,
    limits: LimitSettings,
) -> guessing.Outcome:
    async def compare() -> bool:
        code = await connection.fetchval(f"SELECT {kind.code_column} FROM {kind.table} WHERE id = $1", row_id)
        return code is not None and hmac.compare_digest(given.encode(), code.encode())

    return await guessing.check(connection, kind.secret(row_id, event_id), client, limits, compare)


async def refusal(
    connection: asyncpg.Connection,
    kind: GuardedCode,
    row_id: int,
    client: guessing.Client,
    limits: LimitSettings,
) -> throttle.Verdict:
    """Whether this client would be turned away now (the page then says until when)."""
    return await guessing.refusal(connection, kind.secret(row_id), client, limits)


async def reissue(connection: asyncpg.Connection, kind: GuardedCode, row_id: int, new_token: str) -> str:
    """A new link and code for the row, in the caller's transaction: the old ones stop
    working, and so does every device and count of the old ones. Returns the new code. The
    row's link_generation grows, so the calendar entry mailed with the new link replaces the
    one with the old link (app/events/notify.py)."""
    code = six_digit_code()
    await connection.execute(
        f"""UPDATE {kind.table} SET access_token = $2, {kind.code_column} = $3,
                   link_generation = link_generation + 1
            WHERE id = $1""",
        row_id,
        new_token,
        code,
    )
    await guessing.forget(connection, kind.scope, str(row_id))
    return code
