"""The app's own CPU for one read of an event's view: python -m scripts.bench.view_reads
[--waiting N] [--done D] [--reads K] [--app-root PATH] [--reuse].

One event with N candidates waiting (seeded as scripts/bench-fanout does; with --done, the
first D of them interviewed since: late in a long day) and 3 interviewers connected, in a
throwaway PostgreSQL. Measured in this process's CPU time (time.process_time: what the
app's process spends, not the database's), per read, as the hub does it for a
change (app/live/hub.py: the read, the queue's versions compared with the read before,
every waiting candidate's place asked for by the round's sort):

1. `after a check-in`: a candidate checks in at the end, then the view is read in full;
2. `nothing changed, past its age`: the view read again with nothing changed (the reads a
   reconnect storm's first states cause every MAX_AGE): renewed from the held one where the
   app has that (read_event_view's `held`), else read in full;
3. the baseline, in the same run: `SELECT 1` on the same connection, K times (a round trip's
   own CPU), and one pass over N ids making a dict (the least a read of N can cost in Python);
4. PostgreSQL's own time for the view's statements (EXPLAIN ANALYZE, the median of K),
   beside the event's registrations joined to their entries and counted (what a read of
   every registration costs it, JOINED_SQL) and one row read by its key.

With --app-root the same for another checkout's app (the code before a change, say).
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


async def measure(args: argparse.Namespace, environ: dict[str, str]) -> dict[str, float]:
    import asyncpg

    from app.live import event_view, queue_frames
    from app.settings import load_settings
    from scripts.bench.fanout import seed

    settings = load_settings(environ)
    db = await asyncpg.connect(settings.database.url.get_secret_value())
    try:
        (event,) = await seed(db, 1, args.waiting, args.reads + 2, 3)
        await db.execute(
            """INSERT INTO interviewer_presence (event_id, interviewer_id, connected)
               SELECT $1, id, true FROM event_interviewer WHERE event_id = $1""",
            event.id,
        )
        if args.done:  # late in the day: the first of the queue have been interviewed
            await db.execute(
                """UPDATE queue_entry SET state = 'done' WHERE candidate_id = ANY($1::bigint[])""",
                [candidate for candidate, _ in event.waiting[: args.done]],
            )
        chain = queue_frames.QueueChain()
        seq = 0
        walls: list[float] = []

        async def read(held: Any = None) -> tuple[Any, float]:
            nonlocal seq
            started, began = time.process_time(), time.perf_counter()
            if held is None:
                view = await event_view.read_event_view(db, event.id, settings)
            else:
                view = await event_view.read_event_view(db, event.id, settings, held)
            seq += 1
            view.seq = seq
            chain.read(view)
            chain.take_own()
            for candidate, _ in event.waiting[:: max(1, len(event.waiting) // 1000)]:
                view.place(candidate)  # the round's sort and the states ask for places
            _ = view.position
            walls.append(time.perf_counter() - began)
            return view, time.process_time() - started

        view, _ = await read()
        figures: dict[str, float] = {}
        spent = 0.0
        for candidate, _ in event.spare[: args.reads]:
            await db.execute(
                """INSERT INTO queue_entry (event_id, candidate_id, checked_in_at, queued_at)
                   VALUES ($1, $2, now(), now())""",
                event.id,
                candidate,
            )
            view, took = await read()
            spent += took
        figures["after a check-in"] = spent / args.reads
        figures["after a check-in, wall clock"] = sum(walls[-args.reads :]) / args.reads
        renews = "held" in inspect.signature(event_view.read_event_view).parameters
        spent = 0.0
        for _ in range(args.reads):
            view, took = await read(view if renews else None)
            spent += took
        figures["nothing changed, past its age" + ("" if renews else " (read in full)")] = spent / args.reads
        figures["nothing changed, wall clock"] = sum(walls[-args.reads :]) / args.reads
        started = time.process_time()
        for _ in range(args.reads):
            await db.fetchval("SELECT 1")
        figures["baseline: SELECT 1"] = (time.process_time() - started) / args.reads
        ids = view.order
        started = time.process_time()
        for _ in range(args.reads):
            {c: i for i, c in enumerate(ids, 1)}
        figures["baseline: a dict of the N ids"] = (time.process_time() - started) / args.reads
        grace = float(settings.live.grace_seconds)
        figures["PostgreSQL: the view read"] = await executed(
            db, args.reads, event_view.VIEW_SQL, event.id, grace, event_view.MESSAGES_SHOWN
        )
        figures["PostgreSQL: the view renewed"] = await executed(
            db, args.reads, event_view.RENEW_SQL, event.id, grace
        )
        figures["PostgreSQL baseline: the registrations joined"] = await executed(
            db, args.reads, JOINED_SQL, event.id
        )
        figures["PostgreSQL baseline: one row by its key"] = await executed(
            db, args.reads, "SELECT state FROM event WHERE id = $1", event.id
        )
        return figures
    finally:
        await db.close()


# What a read of every registration of the event with its queue entry costs PostgreSQL (what
# the view read before migration 0054): the work the view's indexes are there to avoid.
JOINED_SQL = """
    SELECT count(*), count(q.id) FROM candidate c LEFT JOIN queue_entry q ON q.candidate_id = c.id
    WHERE c.event_id = $1 AND c.cancelled_at IS NULL AND c.erased_at IS NULL"""


async def executed(db: Any, times: int, sql: str, *params: Any) -> float:
    """PostgreSQL's own time for `sql` (EXPLAIN ANALYZE's execution time, in seconds), the
    median of `times`: no round trip, no decoding."""
    spent = []
    for _ in range(times):
        plan = await db.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *params)
        spent.append(json.loads(plan)[0]["Execution Time"] / 1000)
    return statistics.median(spent)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.view_reads", description=__doc__)
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=50)
    parser.add_argument("--done", type=int, default=0, help="of the N, how many have been interviewed")
    parser.add_argument("--app-root", default=str(ROOT))
    parser.add_argument("--reuse", action="store_true", help="the stack the environment names")
    args = parser.parse_args()
    from scripts.bench.common import in_process

    figures = in_process(args, partial(measure, args))
    held = f" ({args.done} of them interviewed since)" if args.done else ""
    print(f"One read of an event's view, {args.waiting} waiting{held}, the app of {args.app_root}")
    for name, seconds in figures.items():
        kind = "" if "wall" in name or "PostgreSQL" in name else " CPU"
        print(f"  {name:46s} {seconds * 1000:8.3f} ms{kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
