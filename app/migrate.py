"""Apply the numbered SQL files in app/migrations/ that the database has not seen yet.

Each file runs in its own transaction and is recorded with a checksum, so running this twice
changes nothing, and an applied file that was edited afterwards is refused rather than
silently skipped. An advisory lock lets several processes start at once safely.
`python -m app.migrate` (or scripts/migrate) runs it with the usual settings.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from app.db import with_connection
from app.paths import MIGRATIONS_DIR

FILE_PATTERN = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Any constant shared by every process that migrates this database.
ADVISORY_LOCK_KEY = 4_711_0001

log = logging.getLogger(__name__)


class MigrationError(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_words.sql")
        migrations.append(Migration(int(match[1]), path.name, path.read_text("utf-8")))
    versions = [m.version for m in migrations]
    if len(versions) != len(set(versions)):
        raise MigrationError("two migration files share a number")
    return migrations


async def apply_migrations(
    connection: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[str]:
    """Apply what is missing; return the names applied now (empty when up to date)."""
    migrations = discover() if migrations is None else migrations
    await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
    try:
        await connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migration (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )""")
        applied = {
            row["version"]: row
            for row in await connection.fetch("SELECT version, name, checksum FROM schema_migration")
        }
        done = []
        for migration in migrations:
            if seen := applied.get(migration.version):
                if seen["checksum"] != migration.checksum:
                    raise MigrationError(
                        f"{migration.name} was changed after it was applied; add a new migration instead"
                    )
                continue
            async with connection.transaction():
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            log.info("applied migration %s", migration.name)
            done.append(migration.name)
        return done
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)


async def migrate_url(database_url: str) -> list[str]:
    return await with_connection(database_url, apply_migrations)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from app.settings import load_settings_or_exit

    # Arguments are only for --help: it must print and leave, not migrate.
    argparse.ArgumentParser(
        prog="scripts/migrate",
        description="Apply the database migrations (app/migrations/) that the database has not "
        "seen yet, under an advisory lock. Settings from config/ and the environment "
        "(DATABASE_URL).",
    ).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = load_settings_or_exit()
    try:
        done = asyncio.run(migrate_url(settings.database.url.get_secret_value()))
    except MigrationError as error:
        print(f"migration failed: {error}", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        # Refused, a name that does not resolve, a role or database that does not exist.
        print(
            "migration failed: the database named by database.url (DATABASE_URL) cannot be used: "
            f"{type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"{len(done)} migration(s) applied" if done else "database is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
