"""Admin provisioning: `scripts/provision` (or `python -m app.provision`).

    scripts/provision create-organization --name "Företaget AB" --email anna@foretaget.se \
        --user-name "Anna Andersson" [--language sv] [--password-stdin]
    scripts/provision list
    scripts/provision disable-user anna@foretaget.se
    scripts/provision enable-user anna@foretaget.se
    scripts/provision grant-operator ops@example.org     (the operations page, /ops)
    scripts/provision revoke-operator ops@example.org
    scripts/provision list-live                          (events live now, with figures)
    scripts/provision log-name anna@foretaget.se         (how the log names log-ins to it)

Same database and settings as the application. The password is asked for twice on the
terminal, or read from the first line of standard input with --password-stdin; it is never
printed. Exit status 0 on success, 1 when the request cannot be done, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import TextIO

import asyncpg

from app import ops
from app.auth.ratelimit import account_secret
from app.auth.users import (
    EmailTaken,
    create_organization_with_user,
    hash_password_async,
)
from app.auth.validation import (
    clean_email,
    clean_name,
    clean_new_password,
    clean_organization,
)
from app.db import with_connection
from app.live.organizer import account_ended
from app.staff_erasure import StillInterviewing, erase_person


class ProvisionError(Exception):
    """What went wrong, in words for the admin."""


def read_password(from_stdin: bool, stdin: TextIO = sys.stdin) -> tuple[str, str]:
    """(password, confirmation)."""
    if from_stdin:
        password = stdin.readline().rstrip("\r\n")
        return password, password
    if not stdin.isatty():
        raise ProvisionError("no terminal to ask for the password on: pipe it in with --password-stdin")
    return getpass.getpass("Password for the new user: "), getpass.getpass("The same again: ")


def check_new_user(args: argparse.Namespace, password: str, confirmation: str) -> dict:
    errors: dict = {}
    values = {
        "organization": clean_organization(args.name, errors, field="--name"),
        "name": clean_name(args.user_name, errors, field="--user-name"),
        "email": clean_email(args.email, errors, field="--email"),
    }
    clean_new_password(
        password, confirmation, errors, email=values["email"], field="password", confirm_field="password"
    )
    if errors:
        raise ProvisionError(
            "; ".join(f"{field}: {message % params}" for field, (message, params) in errors.items())
        )
    return values


async def create_organization(
    connection: asyncpg.Connection, args: argparse.Namespace, password: str, confirmation: str
) -> str:
    values = check_new_user(args, password, confirmation)
    password_hash = await hash_password_async(password)
    try:
        async with connection.transaction():
            organization_id, user_id = await create_organization_with_user(
                connection,
                values["organization"],
                values["email"],
                values["name"],
                password_hash,
                args.language,
            )
    except EmailTaken:
        raise ProvisionError(f"there is already a user with the e-mail address {values['email']}") from None
    return (
        f"Created organization {organization_id} “{values['organization']}” with user "
        f"{user_id} {values['name']} <{values['email']}>."
    )


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


async def list_organizations(connection: asyncpg.Connection) -> str:
    organizations = await connection.fetch("SELECT id, name, created_at FROM organization ORDER BY id")
    users = await connection.fetch(
        """SELECT id, organization_id, name, email, language, disabled, operator, last_login_at
           FROM app_user ORDER BY organization_id, id"""
    )
    if not organizations:
        return "No organizations yet."
    lines = []
    for organization in organizations:
        lines.append(
            f"Organization {organization['id']}: {organization['name']} "
            f"(created {_when(organization['created_at'])})"
        )
        members = [user for user in users if user["organization_id"] == organization["id"]]
        for user in members:
            state = "DISABLED" if user["disabled"] else "active"
            if user["operator"]:
                state += ", operator"
            lines.append(
                f"  user {user['id']}: {user['name']} <{user['email']}>, "
                f"{user['language']}, {state}, last log-in {_when(user['last_login_at'])}"
            )
        if not members:
            lines.append("  (no users)")
    return "\n".join(lines)


async def set_disabled(connection: asyncpg.Connection, email: str, disabled: bool) -> str:
    async with connection.transaction():
        user = await connection.fetchrow(
            "UPDATE app_user SET disabled = $2 WHERE lower(email) = lower($1) RETURNING id, name, email",
            email.strip(),
            disabled,
        )
        if user is None:
            raise ProvisionError(f"no user has the e-mail address {email.strip()}")
        if not disabled:
            return f"Enabled user {user['id']} {user['name']} <{user['email']}>."
        # Disabled means out now, not when the session cookie runs out: the sessions, and the
        # live views open with them (told at the commit).
        ended = await connection.execute("DELETE FROM user_session WHERE user_id = $1", user["id"])
        await account_ended(connection, user["id"])
    return (
        f"Disabled user {user['id']} {user['name']} <{user['email']}>; {ended.split()[-1]} session(s) ended."
    )


async def set_operator(connection: asyncpg.Connection, email: str, operator: bool) -> str:
    user = await connection.fetchrow(
        "UPDATE app_user SET operator = $2 WHERE lower(email) = lower($1) RETURNING id, name, email",
        email.strip(),
        operator,
    )
    if user is None:
        raise ProvisionError(f"no user has the e-mail address {email.strip()}")
    done = "is now an operator (/ops)" if operator else "is no longer an operator"
    return f"User {user['id']} {user['name']} <{user['email']}> {done}."


async def erase_person_described(connection: asyncpg.Connection, email: str) -> str:
    try:
        erased = await erase_person(connection, email)
    except StillInterviewing as refused:
        raise ProvisionError(f"{refused}; take them off those events first (nothing was erased)") from None
    if not any(erased.values()):
        raise ProvisionError(f"nothing on the staff side has the e-mail address {email.strip()}")
    return (
        f"Erased {email.strip()}: {erased['account']} account(s), {erased['interviewer']} place(s) as an "
        f"interviewer, {erased['invitation']} invitation(s), {erased['request']} account request(s), "
        f"{erased['mail']} mail(s)."
    )


async def list_live(connection: asyncpg.Connection) -> str:
    events = await ops.live_events(connection)
    if not events:
        return "No event is live now."
    return "\n".join(
        f"Event {e.id}: {e.title} ({e.organization}): {e.waiting} waiting, {e.away} away, "
        f"{e.interviews} room(s) in use, {e.interviewers_connected} of {e.interviewers} "
        f"interviewer(s) connected" + (f"; {e.media_down} interview(s) without video" if e.media_down else "")
        for e in events
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="scripts/provision", description="Create organizations and users; list; disable."
    )
    commands = main.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-organization", help="an organization with its first user")
    create.add_argument("--name", required=True, help="the organization's name")
    create.add_argument("--email", required=True, help="the first user's e-mail address (log-in)")
    create.add_argument("--user-name", required=True, help="the first user's name")
    create.add_argument(
        "--language",
        choices=["sv", "en"],
        default="sv",
        help="the user's language for pages and mails (default sv)",
    )
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    commands.add_parser("list", help="organizations and their users")
    commands.add_parser("list-live", help="events live now: queues, rooms, interviewers")
    commands.add_parser(
        "log-name", help="how the log names log-in tries with an address (limits on guessing)"
    ).add_argument("email")
    for name, text in (
        ("disable-user", "stop a user from logging in, and end their sessions"),
        ("enable-user", "let a disabled user log in again"),
        ("grant-operator", "let a user see the operations page (/ops)"),
        ("revoke-operator", "take the operations page away from a user"),
        ("erase-person", "erase an employer's user or interviewer on request: account, names, addresses"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("email")
    return main


async def run(database_url: str, args: argparse.Namespace, password: tuple[str, str] | None) -> str:
    async def work(connection: asyncpg.Connection) -> str:
        if args.command == "create-organization":
            assert password is not None, "main() reads it for this command"
            return await create_organization(connection, args, *password)
        if args.command == "list":
            return await list_organizations(connection)
        if args.command == "list-live":
            return await list_live(connection)
        if args.command == "erase-person":
            return await erase_person_described(connection, args.email)
        if args.command in ("grant-operator", "revoke-operator"):
            return await set_operator(connection, args.email, args.command == "grant-operator")
        return await set_disabled(connection, args.email, args.command == "disable-user")

    return await with_connection(database_url, work)


def main(argv: list[str] | None = None) -> int:
    from app.settings import load_settings_or_exit

    args = parser().parse_args(argv)
    settings = load_settings_or_exit()
    if args.command == "log-name":  # no database needed: a keyed hash of the address
        print(account_secret(settings.app.secret_key.get_secret_value(), args.email).described_as)
        return 0
    try:
        password = read_password(args.password_stdin) if args.command == "create-organization" else None
        print(asyncio.run(run(settings.database.url.get_secret_value(), args, password)))
    except ProvisionError as error:
        print(f"provision: {error}", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError) as error:
        print(f"provision: the database could not be used: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("provision: cancelled", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
