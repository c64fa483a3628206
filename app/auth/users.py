"""SQL for organizations and their users (the caller owns the transaction)."""

from __future__ import annotations

import asyncio
import functools

import asyncpg

from app.auth.ratelimit import normalized_email
from app.names import by_name
from app.passwords import hash_password, verify_password


class EmailTaken(Exception):
    """Another account already has this e-mail address (compared without case)."""


USER_COLUMNS = "id, organization_id, email, name, password_hash, language, disabled"


async def hash_password_async(password: str) -> str:
    # Argon2 is made to be slow and memory-hungry: keep it off the event loop.
    return await asyncio.to_thread(hash_password, password)


@functools.lru_cache(maxsize=1)
def _stand_in_hash() -> str:
    return hash_password("stand-in for an unknown account")


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """Checks the password; for an unknown account (None) it spends the same time and fails,
    so the answer's timing does not tell which e-mail addresses have accounts."""
    if password_hash is None:
        await asyncio.to_thread(verify_password, _stand_in_hash(), password)
        return False
    return await asyncio.to_thread(verify_password, password_hash, password)


async def user_by_email(connection: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    """The account of an address as the limits on guessing count it (normalized_email, in
    Python): PostgreSQL's lower() under glibc folds "İ" to "i" where Python makes "i̇", so an
    address looked up by the database's folding reached an account under another count."""
    return await connection.fetchrow(
        f"SELECT {USER_COLUMNS} FROM app_user WHERE lower(email) = $1", normalized_email(email)
    )


async def user_by_id(connection: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await connection.fetchrow(f"SELECT {USER_COLUMNS} FROM app_user WHERE id = $1", user_id)


async def email_is_taken(connection: asyncpg.Connection, email: str) -> bool:
    return await connection.fetchval(
        "SELECT EXISTS (SELECT 1 FROM app_user WHERE lower(email) = lower($1))", normalized_email(email)
    )


async def create_user(
    connection: asyncpg.Connection,
    organization_id: int,
    email: str,
    name: str,
    password_hash: str,
    language: str,
) -> int:
    try:
        async with connection.transaction():  # a savepoint: the caller's transaction survives
            return await connection.fetchval(
                """INSERT INTO app_user (organization_id, email, name, password_hash, language)
                   VALUES ($1, $2, $3, $4, $5) RETURNING id""",
                organization_id,
                email,
                name,
                password_hash,
                language,
            )
    except asyncpg.UniqueViolationError:
        raise EmailTaken(email) from None


async def create_organization_with_user(
    connection: asyncpg.Connection,
    organization: str,
    email: str,
    name: str,
    password_hash: str,
    language: str,
) -> tuple[int, int]:
    """(organization id, user id); EmailTaken leaves nothing behind when the caller rolls back."""
    if await email_is_taken(connection, email):
        raise EmailTaken(email)
    organization_id = await connection.fetchval(
        "INSERT INTO organization (name) VALUES ($1) RETURNING id", organization
    )
    user_id = await create_user(connection, organization_id, email, name, password_hash, language)
    return organization_id, user_id


async def set_password_hash(connection: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await connection.execute("UPDATE app_user SET password_hash = $2 WHERE id = $1", user_id, password_hash)
    # A reset link mailed before the change must not undo it.
    await connection.execute(
        "UPDATE password_reset SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", user_id
    )


async def set_language(connection: asyncpg.Connection, user_id: int, language: str) -> None:
    await connection.execute("UPDATE app_user SET language = $2 WHERE id = $1", user_id, language)


async def organization_name(connection: asyncpg.Connection, organization_id: int) -> str:
    return await connection.fetchval("SELECT name FROM organization WHERE id = $1", organization_id)


async def member(connection: asyncpg.Connection, organization_id: int, user_id: int) -> asyncpg.Record | None:
    """One account of the organization (None for another organization's: as if there were none)."""
    return await connection.fetchrow(
        "SELECT id, name, email, disabled FROM app_user WHERE id = $2 AND organization_id = $1",
        organization_id,
        user_id,
    )


async def set_member_disabled(
    connection: asyncpg.Connection, organization_id: int, user_id: int, disabled: bool
) -> bool:
    """A colleague's account disabled (out at once: its sessions end, as `scripts/provision
    disable-user` does) or usable again; False when the organization has no such account."""
    async with connection.transaction():
        changed = await connection.fetchval(
            """UPDATE app_user SET disabled = $3 WHERE id = $2 AND organization_id = $1
               RETURNING id""",
            organization_id,
            user_id,
            disabled,
        )
        if changed is not None and disabled:
            await connection.execute("DELETE FROM user_session WHERE user_id = $1", user_id)
    return changed is not None


async def organization_members(
    connection: asyncpg.Connection, organization_id: int, language: str
) -> list[asyncpg.Record]:
    """The organization's accounts by name, in `language`'s order."""
    return await connection.fetch(
        f"""SELECT id, name, email, disabled FROM app_user WHERE organization_id = $1
            ORDER BY {by_name("name", language)}, id""",
        organization_id,
    )
