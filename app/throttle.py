"""How wrong secrets are slowed down (a candidate's PIN, an interviewer's meeting code, an
account's password), as plain rules without I/O; app.guessing stores what they need.

After OWASP's Authentication and Credential Stuffing cheat sheets and NIST SP 800-63B
§5.2.2, so that a lock-out never locks the right person out of a device they have used
(README, "Limits on guessing"):

- **Per secret and client.** A client is a *known device* (one that has entered this secret
  right before, app.known_devices) or else a client address. After `free_failures` wrong
  tries in a row a client waits `first_delay`, twice as long after each further wrong try, at
  most `max_delay`. Its own right entry, or a day without wrong tries, clears its count.
- **Per secret, unknown devices only.** At most `unknown_per_hour` wrong tries from unknown
  devices in any hour, whatever their addresses; after `unknown_in_a_row` of them in a row
  (NIST: at most 100) unknown devices are refused until the right secret is entered from a
  known device, an organizer unlocks the link, or the password is reset.
- **Per client address, unknown devices only** (log-in): at most `address_failures` wrong
  passwords in `ADDRESS_WINDOW`; an office behind one address keeps logging in on its
  known devices.

A known device is slowed only by its own wrong tries, and stops being known after
`unknown_in_a_row` of them. While a client must wait nothing is compared and nothing
counted, so waiting never makes the wait longer.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field, replace

HOUR = dt.timedelta(hours=1)
ADDRESS_WINDOW = dt.timedelta(minutes=15)
# A client's count of wrong tries is forgotten after this long without one.
FORGET_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    free_failures: int = 3
    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(minutes=15)
    unknown_per_hour: int = 10
    unknown_in_a_row: int = 100
    address_failures: int = 30


@dataclass(frozen=True)
class ClientRecord:
    """One client's wrong tries in a row on one secret."""

    failures: int = 0
    last_failed_at: dt.datetime | None = None


@dataclass(frozen=True)
class SecretRecord:
    """Wrong tries on one secret from unknown devices: in a row, and the latest times."""

    in_a_row: int = 0
    recent: tuple[dt.datetime, ...] = field(default=())  # oldest first


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_until: dt.datetime | None = None  # when this client may try again
    closed: bool = False  # closed to unknown devices until unlocked
    cause: str = ""  # "client", "secret", "closed" or "address"


def address_group(address: str) -> str:
    """The address a client counts as: an IPv6 address by its /64, which one subscriber
    usually holds whole (a guesser could otherwise take a new address for every try)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def client_delay(failures: int, policy: Policy) -> dt.timedelta:
    """The wait after the `failures`-th wrong try in a row: none for the first few, then
    doubling, capped."""
    if failures < policy.free_failures:
        return dt.timedelta(0)
    exponent = min(failures - policy.free_failures, 40)
    return min(policy.max_delay, policy.first_delay * 2**exponent)


def current_client(record: ClientRecord, now: dt.datetime) -> ClientRecord:
    """The record as it counts now: a day without wrong tries forgets them."""
    if record.last_failed_at is None or now - record.last_failed_at > FORGET_AFTER:
        return ClientRecord()
    return record


def client_wait_until(record: ClientRecord, policy: Policy, now: dt.datetime) -> dt.datetime | None:
    record = current_client(record, now)
    if record.last_failed_at is None:
        return None
    until = record.last_failed_at + client_delay(record.failures, policy)
    return until if until > now else None


def recent_within(
    times: tuple[dt.datetime, ...], window: dt.timedelta, keep: int, now: dt.datetime
) -> tuple[dt.datetime, ...]:
    """The times inside the window, at most the newest `keep` (all a limit needs)."""
    inside = tuple(sorted(t for t in times if t > now - window))
    return inside[-keep:] if keep > 0 else ()


def window_wait_until(
    times: tuple[dt.datetime, ...], limit: int, window: dt.timedelta, now: dt.datetime
) -> dt.datetime | None:
    """With `limit` failures inside the window, the wait lasts until the oldest of them
    leaves it."""
    inside = recent_within(times, window, limit, now)
    if len(inside) < limit:
        return None
    return inside[0] + window


def is_closed(secret: SecretRecord, policy: Policy) -> bool:
    return secret.in_a_row >= policy.unknown_in_a_row


def secret_wait_until(secret: SecretRecord, policy: Policy, now: dt.datetime) -> dt.datetime | None:
    """Until when unknown devices must wait because of the hourly cap."""
    return window_wait_until(secret.recent, policy.unknown_per_hour, HOUR, now)


def may_try(
    client: ClientRecord,
    secret: SecretRecord,
    known: bool,
    policy: Policy,
    now: dt.datetime,
    address: tuple[dt.datetime, ...] | None = None,
) -> Verdict:
    """Whether this client may have its entry compared now. `address`: the recent wrong
    passwords from the client's address, for the log-in's address limit."""
    waits = [(client_wait_until(client, policy, now), "client")]
    if not known:
        if is_closed(secret, policy):
            return Verdict(False, closed=True, cause="closed")
        waits.append((secret_wait_until(secret, policy, now), "secret"))
        if address is not None:
            waits.append(
                (window_wait_until(address, policy.address_failures, ADDRESS_WINDOW, now), "address")
            )
    pending = [(until, cause) for until, cause in waits if until is not None]
    if not pending:
        return Verdict(True)
    until, cause = max(pending)
    return Verdict(False, wait_until=until, cause=cause)


@dataclass(frozen=True)
class AfterFailure:
    client: ClientRecord
    secret: SecretRecord
    address: tuple[dt.datetime, ...] | None
    forget_device: bool  # a known device that guessed too often is no longer known
    newly_closed: bool  # this failure closed the secret to unknown devices
    tries_before_wait: int  # wrong tries this client has left before it must wait


def after_failure(
    client: ClientRecord,
    secret: SecretRecord,
    known: bool,
    policy: Policy,
    now: dt.datetime,
    address: tuple[dt.datetime, ...] | None = None,
) -> AfterFailure:
    client = current_client(client, now)
    client = ClientRecord(client.failures + 1, now)
    tries_left = max(0, policy.free_failures - client.failures)
    if known:
        return AfterFailure(
            client, secret, address, client.failures >= policy.unknown_in_a_row, False, tries_left
        )
    updated = SecretRecord(
        secret.in_a_row + 1, recent_within(secret.recent + (now,), HOUR, policy.unknown_per_hour, now)
    )
    if address is not None:
        address = recent_within(address + (now,), ADDRESS_WINDOW, policy.address_failures, now)
    return AfterFailure(
        client,
        updated,
        address,
        False,
        is_closed(updated, policy) and not is_closed(secret, policy),
        tries_left,
    )


def after_success(secret: SecretRecord) -> SecretRecord:
    """The right secret ends the run of wrong ones (the hourly count stays: it measures the
    guessers' pace, not the owner's)."""
    return replace(secret, in_a_row=0)


@dataclass(frozen=True)
class LinkLock:
    """What an organizer sees of a link: closed to new devices, or slowed until a time."""

    closed: bool
    until: dt.datetime | None
    wrong_in_a_row: int


def link_lock(secret: SecretRecord, policy: Policy, now: dt.datetime) -> LinkLock | None:
    """None when new devices may try the link now."""
    closed = is_closed(secret, policy)
    until = None if closed else secret_wait_until(secret, policy, now)
    if not closed and until is None:
        return None
    return LinkLock(closed, until, secret.in_a_row)


def guesses_per_hour_bound(policy: Policy) -> int:
    """The most wrong entries unknown devices can make on one secret in any hour, however
    many addresses they come from (README, "Limits on guessing")."""
    return policy.unknown_per_hour


def mean_years_to_guess(code_space: int, policy: Policy) -> float:
    """On average half the codes must be tried, at the hourly cap at best."""
    hours = code_space / 2 / guesses_per_hour_bound(policy)
    return hours / (24 * 365.25)
