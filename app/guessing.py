"""Checking a PIN, meeting code or password under the limits of app.throttle, with what
they need kept in PostgreSQL (migration 0009). SQL by hand; each check is one transaction
(a savepoint inside the caller's) that takes turns with other checks of the same secret, and
of the same address for log-ins, on advisory locks, so parallel guesses cannot slip past a
count. Logs name ids or an account, never a secret or a link.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from app import throttle
from app.known_devices import device_hash, new_nonce
from app.settings import LimitSettings

log = logging.getLogger(__name__)


def policy_of(limits: LimitSettings) -> throttle.Policy:
    return throttle.Policy(
        free_failures=limits.free_failures,
        first_delay=dt.timedelta(seconds=limits.first_delay_seconds),
        max_delay=dt.timedelta(seconds=limits.max_delay_seconds),
        unknown_per_hour=limits.unknown_per_hour,
        unknown_in_a_row=limits.unknown_in_a_row,
        address_failures=limits.address_failures,
    )


@dataclass(frozen=True)
class Secret:
    scope: str  # "pin", "code" or "password"
    subject: str  # the candidate's or interviewer's id; a keyed hash of an e-mail
    described_as: str  # for the log: "personal link of candidate 12 (event 3)"


@dataclass(frozen=True)
class Client:
    address: str
    device: str | None  # the nonce of this browser's device cookie, if it has one


@dataclass(frozen=True)
class Outcome:
    ok: bool
    wait_until: dt.datetime | None = None  # this client must wait until then
    closed: bool = False  # closed to new devices until unlocked
    tries_left: int | None = None  # wrong tries left before a wait
    device: str | None = None  # after a right entry: the nonce to remember


async def _now(connection: asyncpg.Connection) -> dt.datetime:
    return await connection.fetchval("SELECT clock_timestamp()")


async def _take_turn(connection: asyncpg.Connection, key: str) -> None:
    await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 9))", key)


async def _secret_record(connection, scope: str, subject: str) -> throttle.SecretRecord:
    row = await connection.fetchrow(
        "SELECT in_a_row, recent FROM guess_secret WHERE scope = $1 AND subject = $2", scope, subject
    )
    return throttle.SecretRecord(row["in_a_row"], tuple(row["recent"])) if row else throttle.SecretRecord()


async def _save_secret(connection, scope: str, subject: str, record: throttle.SecretRecord) -> None:
    await connection.execute(
        """
        INSERT INTO guess_secret (scope, subject, in_a_row, recent, updated_at)
        VALUES ($1, $2, $3, $4, clock_timestamp())
        ON CONFLICT (scope, subject) DO UPDATE SET in_a_row = $3, recent = $4,
            updated_at = clock_timestamp()""",
        scope,
        subject,
        record.in_a_row,
        list(record.recent),
    )


async def is_known(connection, secret: Secret, device: str | None, days: int) -> bool:
    if device is None:
        return False
    return bool(
        await connection.fetchval(
            """
        SELECT EXISTS (SELECT 1 FROM known_device WHERE scope = $1 AND subject = $2
                       AND device_hash = $3
                       AND last_used_at > clock_timestamp() - make_interval(days => $4))""",
            secret.scope,
            secret.subject,
            device_hash(device),
            days,
        )
    )


def _client_key(client: Client, known: bool) -> str:
    # An unknown device counts by its address: a fresh cookie must not buy fresh tries.
    if known and client.device is not None:
        return f"device:{device_hash(client.device).hex()}"
    return f"address:{throttle.address_group(client.address)}"


async def _client_record(connection, secret: Secret, key: str) -> throttle.ClientRecord:
    row = await connection.fetchrow(
        """
        SELECT failures, last_failed_at FROM guess_client
        WHERE scope = $1 AND subject = $2 AND client = $3""",
        secret.scope,
        secret.subject,
        key,
    )
    return throttle.ClientRecord(row["failures"], row["last_failed_at"]) if row else throttle.ClientRecord()


async def _state(connection, secret: Secret, client: Client, limits: LimitSettings, address_limit: bool):
    known = await is_known(connection, secret, client.device, limits.known_device_days)
    key = _client_key(client, known)
    address = None
    if address_limit and not known:
        address = (await _secret_record(connection, "address", throttle.address_group(client.address))).recent
    return (
        known,
        key,
        await _client_record(connection, secret, key),
        await _secret_record(connection, secret.scope, secret.subject),
        address,
    )


async def refusal(
    connection: asyncpg.Connection,
    secret: Secret,
    client: Client,
    limits: LimitSettings,
    *,
    address_limit: bool = False,
) -> throttle.Verdict:
    """Whether this client would be refused now, without trying: for the page's form."""
    known, _, client_record, secret_record, address = await _state(
        connection, secret, client, limits, address_limit
    )
    return throttle.may_try(
        client_record, secret_record, known, policy_of(limits), await _now(connection), address
    )


async def check(
    connection: asyncpg.Connection,
    secret: Secret,
    client: Client,
    limits: LimitSettings,
    compare: Callable[[], Awaitable[bool]],
    *,
    address_limit: bool = False,
) -> Outcome:
    """`compare` is awaited only when the limits let this client try now."""
    policy = policy_of(limits)
    async with connection.transaction():
        await _take_turn(connection, f"{secret.scope}:{secret.subject}")
        if address_limit:
            await _take_turn(connection, f"address:{throttle.address_group(client.address)}")
        known, key, client_record, secret_record, address = await _state(
            connection, secret, client, limits, address_limit
        )
        verdict = throttle.may_try(
            client_record, secret_record, known, policy, await _now(connection), address
        )
        if not verdict.allowed:
            # Not counted: waiting out a pause must not make it longer.
            return Outcome(False, wait_until=verdict.wait_until, closed=verdict.closed)
        if await compare():
            return await _succeeded(connection, secret, client, known, key, secret_record)
        now = await _now(connection)
        result = throttle.after_failure(client_record, secret_record, known, policy, now, address)
        await _record_failure(connection, secret, client, known, key, result, policy)
        after = throttle.may_try(result.client, result.secret, known, policy, now, result.address)
    return Outcome(
        False,
        wait_until=after.wait_until,
        closed=after.closed,
        tries_left=result.tries_before_wait if after.allowed else None,
    )


async def _succeeded(
    connection, secret: Secret, client: Client, known: bool, key: str, secret_record: throttle.SecretRecord
) -> Outcome:
    await connection.execute(
        "DELETE FROM guess_client WHERE scope = $1 AND subject = $2 AND client = $3",
        secret.scope,
        secret.subject,
        key,
    )
    if secret_record.in_a_row:
        await _save_secret(connection, secret.scope, secret.subject, throttle.after_success(secret_record))
    nonce = await remember(connection, secret, client.device)
    await forget_stale(connection)
    return Outcome(True, device=nonce)


async def remember(connection: asyncpg.Connection, secret: Secret, device: str | None) -> str:
    """This device (a new one when None) is known for the secret from now on; its nonce."""
    nonce = device or new_nonce()
    await connection.execute(
        """
        INSERT INTO known_device (scope, subject, device_hash) VALUES ($1, $2, $3)
        ON CONFLICT (scope, subject, device_hash) DO UPDATE SET last_used_at = now()""",
        secret.scope,
        secret.subject,
        device_hash(nonce),
    )
    return nonce


async def _record_failure(
    connection,
    secret: Secret,
    client: Client,
    known: bool,
    key: str,
    result: throttle.AfterFailure,
    policy: throttle.Policy,
) -> None:
    await connection.execute(
        """
        INSERT INTO guess_client (scope, subject, client, failures, last_failed_at)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (scope, subject, client) DO UPDATE SET failures = $4, last_failed_at = $5""",
        secret.scope,
        secret.subject,
        key,
        result.client.failures,
        result.client.last_failed_at,
    )
    if known:
        if result.forget_device and client.device is not None:
            await connection.execute(
                """
                DELETE FROM known_device WHERE scope = $1 AND subject = $2 AND device_hash = $3""",
                secret.scope,
                secret.subject,
                device_hash(client.device),
            )
            log.warning(
                "%s: a known device made %d wrong tries in a row and is known no more",
                secret.described_as,
                result.client.failures,
            )
        return
    await _save_secret(connection, secret.scope, secret.subject, result.secret)
    if result.address is not None:
        await _save_secret(
            connection,
            "address",
            throttle.address_group(client.address),
            throttle.SecretRecord(0, result.address),
        )
        if len(result.address) == policy.address_failures:
            log.warning(
                "client address %s: log-in from new devices paused until %s (%d wrong "
                "passwords within %d minutes)",
                throttle.address_group(client.address),
                (result.address[0] + throttle.ADDRESS_WINDOW).isoformat(timespec="seconds"),
                policy.address_failures,
                throttle.ADDRESS_WINDOW.total_seconds() // 60,
            )
    if result.newly_closed:
        log.warning(
            "%s closed to new devices: %d wrong tries in a row from unknown devices",
            secret.described_as,
            result.secret.in_a_row,
        )
    elif len(result.secret.recent) == policy.unknown_per_hour:
        log.warning(
            "%s: new devices wait until %s (%d wrong tries within an hour)",
            secret.described_as,
            (result.secret.recent[0] + throttle.HOUR).isoformat(timespec="seconds"),
            policy.unknown_per_hour,
        )


async def forget_stale(connection: asyncpg.Connection) -> None:
    """Counts nobody needs any more: a day after the last wrong try, except a run that
    closed a secret, which stays 30 days unless unlocked."""
    await connection.execute(
        "DELETE FROM guess_client WHERE last_failed_at < clock_timestamp() - $1::interval",
        throttle.FORGET_AFTER,
    )
    await connection.execute(
        """
        DELETE FROM guess_secret WHERE updated_at < clock_timestamp() - $1::interval
            AND (in_a_row = 0 OR updated_at < clock_timestamp() - interval '30 days')""",
        throttle.FORGET_AFTER,
    )


async def forget_old_devices(connection: asyncpg.Connection, days: int) -> None:
    """Known devices unused for longer than their cookie lives (`limits.known_device_days`):
    is_known no longer counts them, and nothing else needs them."""
    await connection.execute(
        "DELETE FROM known_device WHERE last_used_at < clock_timestamp() - make_interval(days => $1)", days
    )


async def link_locks(
    connection: asyncpg.Connection, scope: str, subjects: list[str], limits: LimitSettings
) -> dict[str, throttle.LinkLock]:
    """Which of these secrets new devices cannot try now: for the organizer's lists."""
    rows = await connection.fetch(
        """
        SELECT subject, in_a_row, recent, clock_timestamp() AS now FROM guess_secret
        WHERE scope = $1 AND subject = ANY($2::text[])""",
        scope,
        subjects,
    )
    policy = policy_of(limits)
    locks = {
        row["subject"]: throttle.link_lock(
            throttle.SecretRecord(row["in_a_row"], tuple(row["recent"])), policy, row["now"]
        )
        for row in rows
    }
    return {subject: lock for subject, lock in locks.items() if lock is not None}


async def unlock(connection: asyncpg.Connection, scope: str, subject: str) -> None:
    """Open a secret to new devices again: the wrong tries of unknown devices are forgotten
    (an organizer's unlock, or a password reset, which proves the mailbox)."""
    await _take_turn(connection, f"{scope}:{subject}")
    await connection.execute("DELETE FROM guess_secret WHERE scope = $1 AND subject = $2", scope, subject)
    await connection.execute(
        """
        DELETE FROM guess_client WHERE scope = $1 AND subject = $2 AND client LIKE 'address:%'""",
        scope,
        subject,
    )


async def forget(connection: asyncpg.Connection, scope: str, subject: str) -> None:
    """A secret replaced by a new one: nothing about the old one counts, no device is known."""
    await unlock(connection, scope, subject)
    await connection.execute("DELETE FROM guess_client WHERE scope = $1 AND subject = $2", scope, subject)
    await connection.execute("DELETE FROM known_device WHERE scope = $1 AND subject = $2", scope, subject)
