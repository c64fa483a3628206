"""How many of the public forms that send mail to a typed address one client may post in an
hour (README, "Limits on guessing"): the forgotten password, the sign-up and a candidate's
lost link. Each address already gets at most a few such mails an hour; without a limit per
client, one client could still send a little mail to very many addresses, and the service's
mail would soon be taken for spam. An office or a school behind one address posts these
forms a few times an hour, far below the limit (60 by default, for the many people a
venue's Wi-Fi or a mobile operator's NAT puts behind one address).

A client is its address (app.auth.client, proxy-aware), an IPv6 address by its /64
(app.throttle.address_group). A refused post changes nothing and is told when to try again.
A client's address is personal data: its posts are kept an hour, then deleted by its next
post or by the retention worker's next round (`forget_old`, hourly), whichever comes first:
at most about two hours.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from app.throttle import address_group
from app.db import row_count

WINDOW = dt.timedelta(hours=1)


async def take_turn(connection: asyncpg.Connection, client: str, per_hour: int) -> dt.datetime | None:
    """Count this post of `client`'s and answer None, or, when it has posted `per_hour` in
    the last hour already, count nothing and answer when it may post again. One transaction
    per client at a time (an advisory lock on its key), so a burst cannot slip past."""
    key = address_group(client)
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended('mail_form:' || $1, 0))", key)
        await connection.execute(
            "DELETE FROM mail_form_post WHERE client = $1 AND posted_at <= now() - $2::interval", key, WINDOW
        )
        posted = await connection.fetch(
            "SELECT posted_at FROM mail_form_post WHERE client = $1 ORDER BY posted_at DESC LIMIT $2",
            key,
            per_hour,
        )
        if len(posted) >= per_hour:
            return posted[-1]["posted_at"] + WINDOW  # the oldest of the last `per_hour`
        await connection.execute("INSERT INTO mail_form_post (client) VALUES ($1)", key)
        return None


async def forget_old(connection: asyncpg.Connection) -> int:
    """Delete every post older than the window (the retention worker's round): how many."""
    status = await connection.execute(
        "DELETE FROM mail_form_post WHERE posted_at <= now() - $1::interval", WINDOW
    )
    return row_count(status)
