"""Log-in limits: after too many failures, per account and per client address, wait.

A sliding window: at most ACCOUNT_LIMIT failed attempts for one e-mail address (whether or
not it has an account, so the limit says nothing about which ones do), and ADDRESS_LIMIT
from one client address, within WINDOW. Reaching a limit pauses log-in, even with the right
password, until the oldest of those failures leaves the window. A successful log-in clears
the account's count, not the address's. Attempts are kept for a day.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import asyncpg

log = logging.getLogger(__name__)

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Lockout:
    until: dt.datetime
    scope: str  # "account" or "address"


def lockout_from(failures: list[dt.datetime], limit: int, window: dt.timedelta,
                 now: dt.datetime) -> dt.datetime | None:
    """When log-in opens again, given the recent failures (newest first), or None if open."""
    if len(failures) < limit:
        return None
    until = failures[limit - 1] + window
    return until if until > now else None


def normalized_email(email: str) -> str:
    return email.strip().lower()[:254]


async def serialize(connection: asyncpg.Connection, email: str, address: str) -> None:
    """Attempts on one account, and from one address, take turns (inside a transaction), so
    parallel guesses cannot all slip past the count. Always in this order: no deadlock."""
    await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))",
                             "login-account:" + normalized_email(email))
    await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))",
                             "login-address:" + address)


async def current_lockout(connection: asyncpg.Connection, email: str,
                          address: str) -> Lockout | None:
    email = normalized_email(email)
    now = await connection.fetchval("SELECT now()")
    account = await connection.fetch(
        """SELECT attempted_at FROM login_attempt
           WHERE email = $1 AND NOT succeeded AND attempted_at > $2::timestamptz - $3::interval
             AND attempted_at > coalesce((SELECT max(attempted_at) FROM login_attempt
                                          WHERE email = $1 AND succeeded), '-infinity')
           ORDER BY attempted_at DESC LIMIT $4""", email, now, WINDOW, ACCOUNT_LIMIT)
    address_rows = await connection.fetch(
        """SELECT attempted_at FROM login_attempt
           WHERE client_address = $1 AND NOT succeeded
             AND attempted_at > $2::timestamptz - $3::interval
           ORDER BY attempted_at DESC LIMIT $4""", address, now, WINDOW, ADDRESS_LIMIT)
    found = [Lockout(until, scope) for until, scope in (
        (lockout_from([r[0] for r in account], ACCOUNT_LIMIT, WINDOW, now), "account"),
        (lockout_from([r[0] for r in address_rows], ADDRESS_LIMIT, WINDOW, now), "address"))
        if until is not None]
    return max(found, key=lambda lockout: lockout.until) if found else None


async def record_attempt(connection: asyncpg.Connection, email: str, address: str,
                         succeeded: bool) -> Lockout | None:
    """Note an attempt; returns the lockout a failure has just started, if it did."""
    await connection.execute(
        "INSERT INTO login_attempt (email, client_address, succeeded) VALUES ($1, $2, $3)",
        normalized_email(email), address, succeeded)
    lockout = None if succeeded else await current_lockout(connection, email, address)
    if succeeded or lockout is not None:
        await connection.execute(
            "DELETE FROM login_attempt WHERE attempted_at < now() - $1::interval", KEEP)
    if lockout is not None:
        # Which account is being guessed at is worth an operator's attention; never a password.
        subject = (f"account {normalized_email(email)}" if lockout.scope == "account"
                   else f"client address {address}")
        limit = ACCOUNT_LIMIT if lockout.scope == "account" else ADDRESS_LIMIT
        log.warning("log-in paused until %s for %s: %d failed attempts within %d minutes",
                    lockout.until.isoformat(timespec="seconds"), subject, limit,
                    WINDOW.total_seconds() // 60)
    return lockout
