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
    # Which account is being guessed at is worth an operator's attention; never a password.
    return guessing.Secret("password", subject, f"account {email}")


async def proven(connection: asyncpg.Connection, secret: guessing.Secret, client: guessing.Client) -> str:
    """The owner proved the mailbox (a password reset): the account opens to new devices
    again and this browser becomes a known device. Returns the device's nonce."""
    await guessing.unlock(connection, secret.scope, secret.subject)
    return await guessing.remember(connection, secret, client.device)
