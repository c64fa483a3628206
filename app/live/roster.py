"""The event's registered candidates for the interviewers' lobby, a page at a time.

The lobby's `state` (app/live/snapshots.py) holds only the head of the queue and the counts,
so that its size does not grow with the event; who else registered, and where they are, is
read here when an interviewer asks (GET /i/{token}/roster, app/views/roster.py): searched by
name, in name order, PAGE_SIZE at a time. Names and queue states only, as in the lobby;
and for a candidate whose name another registration of the event shares, their e-mail
address, so that the interviewer picks the one they mean (no one else's address is sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from app.addresses import readable_domain
from app.names import by_name, contains, name_matches

PAGE_SIZE = 25
MAX_QUERY = 200  # as long as a name may be (the invite form's limit)

# The order of the list: by name in the viewer's language's order, as every list of names
# (app/names.py), then by id, so that equal names keep their order from page to page.
ROSTER_SQL = f"""
    SELECT c.id, c.name,
           -- Out for missing their turn twice is not leaving by choice (as the lobby's counts).
           CASE WHEN q.left_reason = 'missed' THEN 'left:missed' ELSE q.state::text END AS state,
           p.position,
           CASE WHEN EXISTS (SELECT 1 FROM candidate o
                             WHERE o.event_id = $1 AND lower(o.name) = lower(c.name) AND o.id <> c.id
                               AND o.cancelled_at IS NULL AND o.erased_at IS NULL)
                THEN c.email END AS name_shared_by_email
    FROM candidate c
    LEFT JOIN queue_entry q ON q.candidate_id = c.id
    LEFT JOIN (SELECT candidate_id,
                      row_number() OVER (ORDER BY queued_at, id) AS position
               FROM queue_entry
               WHERE event_id = $1 AND state = 'waiting'
                 AND (disconnected_at IS NULL
                      OR disconnected_at > now() - make_interval(secs => $3))) p
           ON p.candidate_id = c.id
    WHERE c.event_id = $1 AND c.cancelled_at IS NULL AND c.erased_at IS NULL
      AND ($2 = '%%' OR {name_matches("c.name", "$2")})
    ORDER BY {{name_order}}, c.id
    LIMIT $4 OFFSET $5"""

COUNT_SQL = f"""
    SELECT count(*) FROM candidate c
    WHERE c.event_id = $1 AND c.cancelled_at IS NULL AND c.erased_at IS NULL
      AND ($2 = '%%' OR {name_matches("c.name", "$2")})"""


@dataclass(frozen=True)
class RosterPage:
    page: int  # 1-based; the last page when the one asked for is past the end
    pages: int  # at least 1
    total: int  # candidates matching the search
    candidates: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "pages": self.pages,
            "total": self.total,
            "page_size": PAGE_SIZE,
            "candidates": self.candidates,
        }


async def roster_page(
    connection: asyncpg.Connection,
    event_id: int,
    query: str,
    page: int,
    grace_seconds: float,
    language: str = "sv",
) -> RosterPage:
    pattern = contains(query)
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        total = await connection.fetchval(COUNT_SQL, event_id, pattern)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        rows = await connection.fetch(
            ROSTER_SQL.format(name_order=by_name("c.name", language)),
            event_id,
            pattern,
            float(grace_seconds),
            PAGE_SIZE,
            (page - 1) * PAGE_SIZE,
        )
    return RosterPage(
        page,
        pages,
        total,
        [
            {
                "id": row["id"],
                "name": row["name"],
                "checked_in": row["state"] is not None,
                "state": row["state"],
                "position": row["position"],
                # Only where another registered has the same name (as the event page shows it).
                "email": readable_domain(row["name_shared_by_email"])
                if row["name_shared_by_email"]
                else None,
            }
            for row in rows
        ],
    )
