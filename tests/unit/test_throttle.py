"""The limits on guessing (app.throttle), as plain rules."""

from __future__ import annotations

import datetime as dt

from app import throttle
from app.throttle import ClientRecord, Policy, SecretRecord

NOW = dt.datetime(2026, 12, 4, 13, 0, tzinfo=dt.UTC)
POLICY = Policy(
    free_failures=3,
    first_delay=dt.timedelta(seconds=30),
    max_delay=dt.timedelta(minutes=15),
    unknown_per_hour=10,
    unknown_in_a_row=100,
    address_failures=30,
)
SECOND = dt.timedelta(seconds=1)


def fail(client, secret, known, now, address=None, policy=POLICY):
    result = throttle.after_failure(client, secret, known, policy, now, address)
    return result.client, result.secret, result


def test_a_client_waits_after_a_few_wrong_tries_twice_as_long_each_time_up_to_the_cap():
    delays = [throttle.client_delay(n, POLICY).total_seconds() for n in range(1, 12)]
    assert delays == [0, 0, 30, 60, 120, 240, 480, 900, 900, 900, 900]


def test_a_waiting_client_is_refused_until_its_wait_is_over_and_then_may_try():
    client, secret = ClientRecord(), SecretRecord()
    for _ in range(3):
        assert throttle.may_try(client, secret, False, POLICY, NOW).allowed
        client, secret, result = fail(client, secret, False, NOW)
    assert result.tries_before_wait == 0
    verdict = throttle.may_try(client, secret, False, POLICY, NOW + 10 * SECOND)
    assert not verdict.allowed and verdict.wait_until == NOW + 30 * SECOND
    assert verdict.cause == "client"
    assert throttle.may_try(client, secret, False, POLICY, NOW + 30 * SECOND).allowed


def test_a_day_without_wrong_tries_forgets_a_clients_count():
    client = ClientRecord(8, NOW)
    assert throttle.client_wait_until(client, POLICY, NOW) == NOW + dt.timedelta(minutes=15)
    later = NOW + dt.timedelta(days=1, seconds=1)
    assert throttle.current_client(client, later) == ClientRecord()
    assert fail(client, SecretRecord(), False, later)[0].failures == 1


def test_unknown_devices_together_get_at_most_the_hourly_cap_whatever_their_addresses():
    """Each guess from a fresh address: only the per-secret cap holds them back."""
    secret, tried, now = SecretRecord(), 0, NOW
    while now < NOW + dt.timedelta(hours=5):
        if throttle.may_try(ClientRecord(), secret, False, POLICY, now).allowed:
            _, secret, _ = fail(ClientRecord(), secret, False, now)
            tried += 1
        now += dt.timedelta(seconds=7)
    assert tried == 5 * POLICY.unknown_per_hour
    assert throttle.guesses_per_hour_bound(POLICY) == 10
    assert 5.6 < throttle.mean_years_to_guess(10**6, POLICY) < 5.8


def test_a_run_of_wrong_tries_from_unknown_devices_closes_the_secret_to_them_alone():
    secret = SecretRecord(in_a_row=99)
    _, secret, result = fail(ClientRecord(), secret, False, NOW)
    assert result.newly_closed and throttle.is_closed(secret, POLICY)
    verdict = throttle.may_try(ClientRecord(), secret, False, POLICY, NOW + dt.timedelta(days=3))
    assert not verdict.allowed and verdict.closed and verdict.wait_until is None
    # The owner's device is not locked out by it.
    assert throttle.may_try(ClientRecord(), secret, True, POLICY, NOW).allowed
    assert throttle.after_success(secret).in_a_row == 0
    lock = throttle.link_lock(secret, POLICY, NOW)
    assert lock.closed and lock.wrong_in_a_row == 100


def test_a_known_device_is_slowed_by_its_own_wrong_tries_only():
    busy = SecretRecord(in_a_row=50, recent=tuple(NOW - i * SECOND for i in range(10)))
    assert not throttle.may_try(ClientRecord(), busy, False, POLICY, NOW).allowed
    assert throttle.may_try(ClientRecord(), busy, True, POLICY, NOW).allowed
    address = tuple(NOW - i * SECOND for i in range(30))
    assert throttle.may_try(ClientRecord(), SecretRecord(), True, POLICY, NOW, address).allowed
    # Its wrong tries leave the secret's counts alone, but slow it down ...
    client, after, result = fail(ClientRecord(2, NOW), busy, True, NOW)
    assert after == busy and not result.forget_device
    assert throttle.may_try(client, busy, True, POLICY, NOW).wait_until == NOW + 30 * SECOND
    # ... and after as many as close a secret it is known no more.
    assert fail(ClientRecord(99, NOW), busy, True, NOW)[2].forget_device


def test_the_address_limit_holds_unknown_devices_for_fifteen_minutes():
    address = ()
    for i in range(30):
        _, _, result = fail(ClientRecord(), SecretRecord(), False, NOW + i * SECOND, address)
        address = result.address
    verdict = throttle.may_try(ClientRecord(), SecretRecord(), False, POLICY, NOW + 30 * SECOND, address)
    assert verdict.cause == "address" and verdict.wait_until == NOW + dt.timedelta(minutes=15)
    assert len(address) == 30


def test_the_longest_wait_wins_and_the_records_stay_small():
    client = ClientRecord(8, NOW)  # 15 minutes
    secret = SecretRecord(0, tuple(NOW - dt.timedelta(minutes=59) + i * SECOND for i in range(10)))
    verdict = throttle.may_try(client, secret, False, POLICY, NOW)
    assert verdict.wait_until == NOW + dt.timedelta(minutes=15) and verdict.cause == "client"
    _, after, _ = fail(ClientRecord(), secret, False, NOW)
    assert len(after.recent) == POLICY.unknown_per_hour and after.recent[-1] == NOW
    assert throttle.link_lock(SecretRecord(), POLICY, NOW) is None


def test_an_ipv6_client_counts_by_its_64_and_an_ipv4_one_by_its_address():
    assert throttle.address_group("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert throttle.address_group("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert throttle.address_group("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert throttle.address_group("198.51.100.7") == "198.51.100.7"
    assert throttle.address_group("::ffff:198.51.100.7") == "198.51.100.7"
    assert throttle.address_group("unknown") == "unknown"
