"""Six-digit secrets behind personal links — a candidate's PIN, an interviewer's meeting
code — with locks that stop guessing. One policy for both (settings candidates.pin_*).

After `pin_attempts` wrong tries in a row the link locks; each further lock of the same link
lasts twice as long, up to `pin_lock_max_seconds`. While locked nothing is even compared, the
right one included, so guessing gains nothing. Checks of one link take turns on its row lock,
so parallel guesses cannot slip past the count. A lock is logged with ids only: never the
secret or the link.
"""
from __future__ import annotations

import datetime as dt
import hmac
import logging
from dataclasses import dataclass

import asyncpg

from app.candidates.rules import lock_duration
from app.settings import CandidateSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    locked_until: dt.datetime | None = None   # the link is locked until then
    attempts_left: int | None = None          # after a wrong try that did not lock it


@dataclass(frozen=True)
class GuardedCode:
    """Where one kind of code lives: its table, its column, and the counters' prefix."""
    table: str
    code_column: str
    prefix: str
    described_as: str  # for the log line


CANDIDATE_PIN = GuardedCode("candidate", "pin", "pin", "personal link of candidate")
INTERVIEWER_CODE = GuardedCode("event_interviewer", "access_code", "code",
                               "meeting link of interviewer")


async def check_code(connection: asyncpg.Connection, kind: GuardedCode, row_id: int, given: str,
                     limits: CandidateSettings) -> CodeCheck:
    p = kind.prefix
    async with connection.transaction():
        row = await connection.fetchrow(f"""
            SELECT event_id, {kind.code_column} AS code, {p}_failures AS failures,
                   {p}_lockouts AS lockouts, {p}_locked_until AS locked_until
            FROM {kind.table} WHERE id = $1 FOR UPDATE""", row_id)
        now = await connection.fetchval("SELECT clock_timestamp()")
        if row["locked_until"] is not None and row["locked_until"] > now:
            return CodeCheck(False, locked_until=row["locked_until"])
        if hmac.compare_digest(given.encode(), row["code"].encode()):
            if row["failures"] or row["lockouts"]:
                await connection.execute(f"""
                    UPDATE {kind.table} SET {p}_failures = 0, {p}_lockouts = 0,
                        {p}_locked_until = NULL WHERE id = $1""", row_id)
            return CodeCheck(True)
        failures = row["failures"] + 1
        if failures < limits.pin_attempts:
            await connection.execute(f"UPDATE {kind.table} SET {p}_failures = $2 WHERE id = $1",
                                     row_id, failures)
            return CodeCheck(False, attempts_left=limits.pin_attempts - failures)
        lockouts = row["lockouts"] + 1
        until = now + lock_duration(lockouts, limits.pin_lock_seconds, limits.pin_lock_max_seconds)
        await connection.execute(f"""
            UPDATE {kind.table} SET {p}_failures = 0, {p}_lockouts = $2, {p}_locked_until = $3
            WHERE id = $1""", row_id, lockouts, until)
    log.warning("%s %s (event %s) locked until %s: %d wrong tries in a row (lock number %d)",
                kind.described_as, row_id, row["event_id"], until.isoformat(timespec="seconds"),
                failures, lockouts)
    return CodeCheck(False, locked_until=until)


async def locked_until(connection: asyncpg.Connection, kind: GuardedCode,
                       row_id: int) -> dt.datetime | None:
    """When the link opens again after wrong tries, or None when it is open."""
    return await connection.fetchval(f"""
        SELECT {kind.prefix}_locked_until FROM {kind.table}
        WHERE id = $1 AND {kind.prefix}_locked_until > clock_timestamp()""", row_id)
