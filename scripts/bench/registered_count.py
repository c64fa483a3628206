"""What a registration does under its event's lock to know how many are registered: the
count triggers keep (migration 0039, `registered_count`) against counting the event's
registrations (what take_registration_seat did before), at several sizes of event.

Every registration of one event waits for that lock in turn, so this time, repeated for each
registration, bounds how many registrations per second one event can take however many
cores there are. Measured on one connection, in the same run: a bare round trip (`SELECT
$1`) as the floor, the count as it was, the count as it is. Each event is seeded with
`--sizes` registrations written in one statement.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import asyncpg

from scripts.bench.common import argument_parser, stack_environ

STATEMENTS = {
    "bare round trip": "SELECT $1::bigint",
    "counted (before)": "SELECT count(*) FROM candidate WHERE event_id = $1 AND cancelled_at IS NULL",
    "kept (registered_count)": "SELECT registered_count($1)",
}


async def seeded_event(db: asyncpg.Connection, organization: int, size: int) -> int:
    event = await db.fetchval(
        """INSERT INTO event (organization_id, title, starts_at, duration_minutes,
                              interview_minutes, capacity, state)
           VALUES ($1, 'Räknat', now(), 120, 10, 10000, 'published') RETURNING id""",
        organization,
    )
    await db.execute(
        """INSERT INTO candidate (event_id, name, email, access_token, pin)
           SELECT $1::bigint, 'Kandidat', 'k' || g || '-' || $1::bigint || '@example.se',
                  'count-' || $1::bigint || '-' || g, '123456'
           FROM generate_series(1, $2::int) g""",
        event,
        size,
    )
    return event


async def mean_ms(db: asyncpg.Connection, sql: str, event: int, repetitions: int) -> float:
    for _ in range(repetitions // 10):  # warm: the plan cached, the pages in memory
        await db.fetchval(sql, event)
    started = time.perf_counter()
    for _ in range(repetitions):
        await db.fetchval(sql, event)
    return (time.perf_counter() - started) / repetitions * 1000


async def run(environ: dict[str, str], sizes: list[int], repetitions: int) -> dict:
    db = await asyncpg.connect(environ["DATABASE_URL"])
    try:
        organization = await db.fetchval("INSERT INTO organization (name) VALUES ('Räkna AB') RETURNING id")
        figures = {}
        for size in sizes:
            event = await seeded_event(db, organization, size)
            await db.execute("ANALYZE candidate")
            figures[size] = {
                name: await mean_ms(db, sql, event, repetitions) for name, sql in STATEMENTS.items()
            }
        return figures
    finally:
        await db.close()


def main() -> int:
    parser = argument_parser("scripts/bench-registered-count", __doc__)
    parser.add_argument("--sizes", default="10,1000,10000", help="registrations per event, comma-separated")
    parser.add_argument("--repetitions", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    load_before = os.getloadavg()
    with stack_environ(args.reuse) as environ:
        figures = asyncio.run(run(environ, sizes, args.repetitions))
    load = " ".join(f"{x:.1f}" for x in load_before + os.getloadavg())
    print(f"\nThe registered count under a registration's lock, mean of {args.repetitions}, milliseconds")
    for size, by_name in figures.items():
        bare = by_name["bare round trip"]
        row = ", ".join(f"{name} {value:.3f}" for name, value in by_name.items())
        counted = by_name["counted (before)"] - bare
        kept = by_name["kept (registered_count)"] - bare
        print(f"  {size:>6} registered: {row}; above the floor: {counted:.3f} before, {kept:.3f} now")
    print(f"  machine load average (1/5/15 min) before and after: {load}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"load_average": load, "figures": figures}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
