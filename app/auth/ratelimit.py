"""Log-in limits: the account's password is one of the secrets app.guessing guards.

An account is named by a keyed hash of the e-mail address as typed (lower-cased), whether
or not it has an account: the limits then say nothing about which addresses do, and the
database keeps no address typed by a stranger. The log-in also counts wrong passwords per
client address (unknown devices only; README "Limits on guessing").
"""

from __future__ import annotations

import hashlib
import hmac

import asyncpg

from app import guessing


def normalized_email(email: str) -> str:
    return email.strip().lower()[:254]


def account_secret(secret_key: str, email: str) -> guessing.Secret:
    email = normalized_email(email)
    subject = hmac.new(secret_key.encode(), b"account:" + email.encode(), hashlib.sha256).hexdigest()
    return guessing.Secret("password", subject, log_name(subject))


def log_name(subject: str) -> str:
    """How the log names the address a log-in was tried with: which one is being guessed at
    is worth an operator's attention, but what a stranger typed (an address of nobody's, a
    password typed into the address field) must not be in a log, which no erasure reaches.
    The start of its keyed hash is the same for every try at one address; an operator who
    knows the address finds it with `scripts/provision log-name`."""
    return f"log-in address {subject[:LOG_NAME_LENGTH]}"


LOG_NAME_LENGTH = 12


async def proven(connection: asyncpg.Connection, secret: guessing.Secret, client: guessing.Client) -> str:
    """The owner proved the mailbox (a password reset): the account opens to new devices
    again and this browser becomes a known device. Returns the device's nonce."""
    await guessing.unlock(connection, secret.scope, secret.subject)
    return await guessing.remember(connection, secret, client.device)
