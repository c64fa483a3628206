"""Erasing a person of the staff side on their request: an employer's user, an interviewer,
or both under one address (`scripts/provision erase-person`, README "Privacy").

Candidates erase themselves, or their employer or the retention worker erases them
(app/candidates/erasure.py); the staff's data is the employer's to keep while they work
there, so it goes only when an operator is asked. What goes: the account (its sessions, log-in
tries and password resets go with it: the foreign keys cascade, and the events it made stay
the organization's), the address and name on every event it interviewed at (the interviews
and their notes stay, under "erased"), invitations to join an organization and requests for
an account, and the addresses, names and bodies of the mails sent to it (as a candidate's; a
mail not sent yet is dropped).

Refused while the address is still an interviewer at an event that is not over: its meeting
link and the interviews to come need it; the employer takes them off the event first.
"""

from __future__ import annotations

import asyncpg

from app.db import row_count
from app.live.organizer import account_ended
from app.mail.store import erase_mails

# What an erased interviewer is called where their address was: unique per row (one address
# per event) and no one's address (.invalid: RFC 2606), as an erased candidate's.
ERASED_ADDRESS = "erased-{id}@invalid"


class StillInterviewing(Exception):
    """The address interviews at an event that is not over: named, with the events."""


async def erase_person(connection: asyncpg.Connection, email: str) -> dict[str, int]:
    """Erase every trace of `email` on the staff side, in one transaction; what was erased,
    counted. StillInterviewing when an event to come still needs them."""
    address = email.strip()
    async with connection.transaction():
        needed = await connection.fetch(
            """
            SELECT e.id, e.title FROM event_interviewer i JOIN event e ON e.id = i.event_id
            WHERE lower(i.email) = lower($1) AND e.deleted_at IS NULL
              AND e.state IN ('draft', 'published', 'live')
              AND e.starts_at + make_interval(mins => e.duration_minutes) > now()
            ORDER BY e.starts_at""",
            address,
        )
        if needed:
            named = ", ".join(f"{row['id']} ({row['title']})" for row in needed)
            raise StillInterviewing(f"{address} is an interviewer at events not over: {named}")
        user = await connection.fetchrow("SELECT id FROM app_user WHERE lower(email) = lower($1)", address)
        if user is not None:
            await account_ended(connection, user["id"])  # its open pages closed at the commit
        counts = {
            "account": row_count(
                await connection.execute("DELETE FROM app_user WHERE lower(email) = lower($1)", address)
            ),
            "interviewer": row_count(
                await connection.execute(
                    """
                    UPDATE event_interviewer SET email = replace($2, '{id}', id::text), name = '',
                           user_id = NULL
                    WHERE lower(email) = lower($1)""",
                    address,
                    ERASED_ADDRESS,
                )
            ),
            "invitation": row_count(
                await connection.execute(
                    "DELETE FROM colleague_invitation WHERE lower(email) = lower($1)", address
                )
            ),
            "request": row_count(
                await connection.execute("DELETE FROM signup_request WHERE lower(email) = lower($1)", address)
            ),
        }
        counts["mail"] = await erase_mails(connection, "address", address)
    return counts
