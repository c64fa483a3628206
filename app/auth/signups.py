"""Sign-ups waiting for their address to be confirmed (SQL; the caller's transaction).

The sign-up form answers the same whether or not the address has an account (README
"Accounts"), so it cannot create the account at once: the mailed link does, and only the
address's owner can open it. The row keeps what was typed (the password only as its hash)
and the SHA-256 hash of the link's token; the link works for a day, once.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from app.auth.tokens import looks_like_token, new_token, token_hash

SIGNUP_LIFETIME = dt.timedelta(days=1)
MAILS_PER_HOUR = 3  # per address, either kind: the form cannot be used to flood a mailbox
EXISTING_TEMPLATE = "signup_existing"


async def mails_this_hour(connection: asyncpg.Connection, email: str) -> int:
    """Sign-up mails (a confirmation or a warning) to this address in the last hour."""
    return await connection.fetchval(
        """
        SELECT (SELECT count(*) FROM signup_request
                WHERE lower(email) = lower($1) AND created_at > now() - interval '1 hour')
             + (SELECT count(*) FROM mail_outbox
                WHERE lower(to_address) = lower($1) AND template = $2
                  AND created_at > now() - interval '1 hour')""",
        email,
        EXISTING_TEMPLATE,
    )


async def create_signup(
    connection: asyncpg.Connection,
    *,
    organization: str,
    name: str,
    email: str,
    password_hash: str,
    language: str,
) -> str:
    token = new_token()
    await connection.execute(
        """
        INSERT INTO signup_request (token_hash, organization_name, name, email, password_hash,
                                    language, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, now() + $7::interval)""",
        token_hash(token),
        organization,
        name,
        email,
        password_hash,
        language,
        SIGNUP_LIFETIME,
    )
    return token


async def usable_signup(
    connection: asyncpg.Connection, token: str, lock: bool = False
) -> asyncpg.Record | None:
    if not looks_like_token(token):
        return None
    return await connection.fetchrow(
        f"""
        SELECT id, organization_name, name, email, password_hash, language
        FROM signup_request WHERE token_hash = $1 AND expires_at > now()
        {"FOR UPDATE" if lock else ""}""",
        token_hash(token),
    )


async def forget_signup(connection: asyncpg.Connection, signup_id: int) -> None:
    await connection.execute("DELETE FROM signup_request WHERE id = $1", signup_id)
