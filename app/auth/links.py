"""Mailed one-time links: password resets and colleague invitations (SQL; caller's transaction).

The link carries a random token; the row keeps its SHA-256 hash, an expiry, and when it was
used, so a link works once and only for a while.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from app.auth.tokens import looks_like_token, new_token, token_hash
from app.db import row_count

RESET_LIFETIME = dt.timedelta(hours=1)
RESETS_PER_HOUR = 3  # mails per account per hour: the form cannot be used to flood
INVITATION_LIFETIME = dt.timedelta(days=7)
INVITATIONS_PER_DAY = 50  # per organization


async def create_password_reset(connection: asyncpg.Connection, user_id: int) -> str | None:
    """A new reset token, or None when this account already got enough of them this hour.
    In the caller's transaction: the account's resets take turns on an advisory lock (not its
    row's lock, which would hold up everything that refers to the account), so that two at
    once cannot both find the hour's count below the limit."""
    await connection.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('password reset ' || $1::bigint::text, 9))", user_id
    )
    recent = await connection.fetchval(
        "SELECT count(*) FROM password_reset WHERE user_id = $1 AND created_at > now() - $2::interval",
        user_id,
        dt.timedelta(hours=1),
    )
    if recent >= RESETS_PER_HOUR:
        return None
    token = new_token()
    await connection.execute(
        """INSERT INTO password_reset (user_id, token_hash, expires_at)
           VALUES ($1, $2, now() + $3::interval)""",
        user_id,
        token_hash(token),
        RESET_LIFETIME,
    )
    return token


async def usable_password_reset(
    connection: asyncpg.Connection, token: str, lock: bool = False
) -> asyncpg.Record | None:
    """The reset and its user, if the link is unused, unexpired and the user not disabled."""
    if not looks_like_token(token):
        return None
    return await connection.fetchrow(
        f"""SELECT r.id, r.user_id, u.email, u.name, u.language
            FROM password_reset r JOIN app_user u ON u.id = r.user_id
            WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
              AND NOT u.disabled {"FOR UPDATE OF r" if lock else ""}""",
        token_hash(token),
    )


async def invitations_today(connection: asyncpg.Connection, organization_id: int) -> int:
    return await connection.fetchval(
        """SELECT count(*) FROM colleague_invitation
           WHERE organization_id = $1 AND created_at > now() - interval '1 day'""",
        organization_id,
    )


async def create_invitation(
    connection: asyncpg.Connection, organization_id: int, invited_by: int, email: str, language: str
) -> str:
    """A new invitation; an earlier open one to the same address is withdrawn, so only the
    newest link works."""
    await connection.execute(
        """UPDATE colleague_invitation SET withdrawn_at = now()
           WHERE organization_id = $1 AND lower(email) = lower($2)
             AND accepted_at IS NULL AND withdrawn_at IS NULL""",
        organization_id,
        email,
    )
    token = new_token()
    await connection.execute(
        """INSERT INTO colleague_invitation (organization_id, invited_by, email, language,
                                             token_hash, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + $6::interval)""",
        organization_id,
        invited_by,
        email,
        language,
        token_hash(token),
        INVITATION_LIFETIME,
    )
    return token


async def open_invitations(connection: asyncpg.Connection, organization_id: int) -> list[asyncpg.Record]:
    return await connection.fetch(
        """SELECT i.id, i.email, i.created_at, i.expires_at, u.name AS invited_by_name
           FROM colleague_invitation i LEFT JOIN app_user u ON u.id = i.invited_by
           WHERE i.organization_id = $1 AND i.accepted_at IS NULL AND i.withdrawn_at IS NULL
             AND i.expires_at > now()
           ORDER BY i.created_at DESC""",
        organization_id,
    )


async def withdraw_invitation(
    connection: asyncpg.Connection, organization_id: int, invitation_id: int
) -> bool:
    result = await connection.execute(
        """UPDATE colleague_invitation SET withdrawn_at = now()
           WHERE id = $1 AND organization_id = $2 AND accepted_at IS NULL
             AND withdrawn_at IS NULL""",
        invitation_id,
        organization_id,
    )
    return result.endswith(" 1")


async def usable_invitation(
    connection: asyncpg.Connection, token: str, lock: bool = False
) -> asyncpg.Record | None:
    """The invitation with its organization and inviter, if still open and unexpired."""
    if not looks_like_token(token):
        return None
    return await connection.fetchrow(
        f"""SELECT i.id, i.organization_id, i.email, i.language, o.name AS organization_name,
                   u.name AS invited_by_name
            FROM colleague_invitation i JOIN organization o ON o.id = i.organization_id
                 LEFT JOIN app_user u ON u.id = i.invited_by
            WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.withdrawn_at IS NULL
              AND i.expires_at > now()
              -- An account disabled since it invited: its invitations no longer open the
              -- organization (the inviter could otherwise make themselves a new account).
              AND NOT coalesce(u.disabled, false) {"FOR UPDATE OF i" if lock else ""}""",
        token_hash(token),
    )


async def mark_invitation_accepted(connection: asyncpg.Connection, invitation_id: int, user_id: int) -> None:
    await connection.execute(
        "UPDATE colleague_invitation SET accepted_at = now(), accepted_user_id = $2 WHERE id = $1",
        invitation_id,
        user_id,
    )


async def delete_expired(connection: asyncpg.Connection) -> int:
    """Forget the links whose time is over (used, withdrawn or not): a password reset an hour
    after it was made, an invitation after seven days, a sign-up confirmation after a day.
    Counting a day's invitations or an hour's resets only looks at younger rows, so the
    limits are unchanged. Returns how many rows went."""
    total = 0
    for table in ("password_reset", "colleague_invitation", "signup_request"):
        result = await connection.execute(f"DELETE FROM {table} WHERE expires_at <= now()")
        total += row_count(result)
    return total
