"""Checking a log-in: limits first, then the password, all recorded for the limits."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import asyncpg

from app.auth.ratelimit import current_lockout, record_attempt, serialize
from app.auth.users import user_by_email, verify_password_async

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginOutcome:
    user: asyncpg.Record | None = None      # set when the log-in may go ahead
    locked_until: dt.datetime | None = None  # set while the limits pause log-in
    disabled: bool = False                   # right password, but the account is disabled


async def check_login(connection: asyncpg.Connection, email: str, password: str,
                      address: str) -> LoginOutcome:
    async with connection.transaction():
        await serialize(connection, email, address)
        lockout = await current_lockout(connection, email, address)
        if lockout is not None:
            # Not recorded: waiting out a pause must not make it longer.
            log.info("log-in refused while paused (%s limit) until %s", lockout.scope,
                     lockout.until.isoformat(timespec="seconds"))
            return LoginOutcome(locked_until=lockout.until)
        user = await user_by_email(connection, email)
        if not await verify_password_async(user["password_hash"] if user else None, password):
            lockout = await record_attempt(connection, email, address, succeeded=False)
            return LoginOutcome(locked_until=lockout.until if lockout else None)
        if user["disabled"]:
            log.info("disabled user %s tried to log in", user["id"])
            await record_attempt(connection, email, address, succeeded=False)
            return LoginOutcome(disabled=True)
        await record_attempt(connection, email, address, succeeded=True)
        return LoginOutcome(user=user)


async def check_current_password(connection: asyncpg.Connection, user_id: int, email: str,
                                 password: str, address: str) -> LoginOutcome:
    """Re-checking the password of a logged-in user (to change it) counts toward the same
    limits: a stolen session must not become a way to guess the password."""
    outcome = await check_login(connection, email, password, address)
    if outcome.user is not None and outcome.user["id"] != user_id:
        return LoginOutcome()
    return outcome
