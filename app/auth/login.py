"""Checking a log-in under the limits on guessing (app.guessing): the password is compared
only when this browser may try now, and every outcome counts toward the limits."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import asyncpg

from app import guessing
from app.auth.ratelimit import account_secret
from app.auth.users import user_by_email, verify_password_async
from app.settings import LimitSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginOutcome:
    user: asyncpg.Record | None = None  # set when the log-in may go ahead
    locked_until: dt.datetime | None = None  # this browser must wait until then
    closed: bool = False  # new browsers wait until the password is reset
    disabled: bool = False  # right password, but the account is disabled
    device: str | None = None  # after the right password: the device's nonce

    @property
    def refused(self) -> bool:
        return self.locked_until is not None or self.closed


async def check_login(
    connection: asyncpg.Connection,
    email: str,
    password: str,
    client: guessing.Client,
    secret_key: str,
    limits: LimitSettings,
) -> LoginOutcome:
    found: dict = {}

    async def compare() -> bool:
        # With no such user a dummy hash is checked: the answer takes as long either way.
        user = await user_by_email(connection, email)
        found["user"] = user
        return await verify_password_async(user["password_hash"] if user else None, password)

    outcome = await guessing.check(
        connection, account_secret(secret_key, email), client, limits, compare, address_limit=True
    )
    if not outcome.ok:
        if outcome.wait_until is not None or outcome.closed:
            log.info(
                "log-in refused for now (%s)",
                "closed to new devices"
                if outcome.closed or outcome.wait_until is None
                else f"wait until {outcome.wait_until.isoformat(timespec='seconds')}",
            )
        return LoginOutcome(locked_until=outcome.wait_until, closed=outcome.closed)
    user = found["user"]
    if user["disabled"]:
        log.info("disabled user %s tried to log in", user["id"])
        return LoginOutcome(disabled=True)
    return LoginOutcome(user=user, device=outcome.device)


async def check_current_password(
    connection: asyncpg.Connection,
    user_id: int,
    email: str,
    password: str,
    client: guessing.Client,
    secret_key: str,
    limits: LimitSettings,
) -> LoginOutcome:
    """Re-checking the password of a logged-in user (to change it) counts toward the same
    limits: a stolen session must not become a way to guess the password."""
    outcome = await check_login(connection, email, password, client, secret_key, limits)
    if outcome.user is not None and outcome.user["id"] != user_id:
        return LoginOutcome()
    return outcome
