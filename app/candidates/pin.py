"""Checking a candidate's PIN, with locks that stop guessing.

After `pin_attempts` wrong PINs in a row the personal link locks; each further lock of the
same link lasts twice as long (settings: candidates.pin_lock_seconds, pin_lock_max_seconds).
While locked no PIN is even compared, the right one included, so guessing gains nothing.
Checks of one link take turns on its row lock, so parallel guesses cannot slip past the
count. A lock is logged with the candidate's and event's ids: never the PIN or the link.
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
class PinCheck:
    ok: bool
    locked_until: dt.datetime | None = None   # the link is locked until then
    attempts_left: int | None = None          # after a wrong PIN that did not lock it


async def lock_of(connection: asyncpg.Connection, candidate: asyncpg.Record) -> dt.datetime | None:
    """When the candidate's link opens again, or None when it is open."""
    until = candidate["pin_locked_until"]
    if until is not None and until > await connection.fetchval("SELECT clock_timestamp()"):
        return until
    return None


async def check_pin(connection: asyncpg.Connection, candidate_id: int, given: str,
                    limits: CandidateSettings) -> PinCheck:
    async with connection.transaction():
        row = await connection.fetchrow("""
            SELECT id, event_id, pin, pin_failures, pin_lockouts, pin_locked_until
            FROM candidate WHERE id = $1 FOR UPDATE""", candidate_id)
        now = await connection.fetchval("SELECT clock_timestamp()")
        if row["pin_locked_until"] is not None and row["pin_locked_until"] > now:
            return PinCheck(False, locked_until=row["pin_locked_until"])
        if hmac.compare_digest(given.encode(), row["pin"].encode()):
            if row["pin_failures"] or row["pin_lockouts"]:
                await connection.execute("""
                    UPDATE candidate SET pin_failures = 0, pin_lockouts = 0,
                        pin_locked_until = NULL WHERE id = $1""", candidate_id)
            return PinCheck(True)
        failures = row["pin_failures"] + 1
        if failures < limits.pin_attempts:
            await connection.execute("UPDATE candidate SET pin_failures = $2 WHERE id = $1",
                                     candidate_id, failures)
            return PinCheck(False, attempts_left=limits.pin_attempts - failures)
        lockouts = row["pin_lockouts"] + 1
        until = now + lock_duration(lockouts, limits.pin_lock_seconds, limits.pin_lock_max_seconds)
        await connection.execute("""
            UPDATE candidate SET pin_failures = 0, pin_lockouts = $2, pin_locked_until = $3
            WHERE id = $1""", candidate_id, lockouts, until)
    log.warning("personal link of candidate %s (event %s) locked until %s: %d wrong PINs in a "
                "row (lock number %d)", candidate_id, row["event_id"],
                until.isoformat(timespec="seconds"), failures, lockouts)
    return PinCheck(False, locked_until=until)
