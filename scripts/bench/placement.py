"""Where a new room goes: the fleet's count from the database against asking every Janus.

Placement (app/janus/pool.py) counts each server's rooms from the interviews that hold one
(one indexed query). Before the fleet it asked every Janus for its whole room list at each
dispatch (VideoRoom `list`); that is the baseline here, measured in the same run against the
same Janus holding the same rooms. Seeds an event with `--rooms` offered interviews, each
with a real room on Janus, then times `--rounds` decisions of each kind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time

import asyncpg

from scripts.bench.common import argument_parser, ms, stack_environ, summary
from scripts.bench.dispatch import seed


async def seed_rooms(db: asyncpg.Connection, pool, rooms: int) -> list:
    seeded = await seed(db, rooms, rooms)
    made = []
    for (candidate, _), (interviewer, _) in zip(seeded.candidates, seeded.interviewers):
        room = await pool.create_private_room(2, "benchmark")
        made.append(room)
        await db.execute(
            """
            INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by,
                                   janus_server, room_id, room_pin, room_secret, room_tokens,
                                   offer_expires_at)
            VALUES ($1, $2, $3, 'next', $4, $5, $6, $7, $8, $9)""",
            seeded.event_id,
            candidate,
            interviewer,
            room.server,
            room.room_id,
            room.pin,
            room.secret,
            list(room.participant_tokens),
            dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )
    return made


async def run(args, environ: dict[str, str]) -> dict:
    from app.janus.pool import JanusPool
    from app.janus.rooms import destroy_room, list_rooms
    from app.settings import load_settings

    settings = load_settings(environ)
    dsn = settings.database.url.get_secret_value()
    database = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    pool = JanusPool(settings.janus)
    pool.start()
    made = []
    try:
        await pool.follow_fleet(database, dsn)
        for connection in pool.connections.values():
            await connection.wait_ready(20)
        async with database.acquire() as db:
            made = await seed_rooms(db, pool, args.rooms)
        names = [c.name for c in pool.healthy()]
        fleet_times, janus_times = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            await pool._loads(names)
            fleet_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await asyncio.gather(*(list_rooms(c, pool.admin_key) for c in pool.healthy()))
            janus_times.append(time.perf_counter() - started)
    finally:
        for room in made:
            await destroy_room(pool.connection(room.server), room.room_id, room.secret)
        await pool.stop()
        await database.close()
    return {
        "rooms": args.rooms,
        "servers": len(names),
        "fleet_count": summary(fleet_times),
        "janus_list_baseline": summary(janus_times),
    }


def main() -> int:
    parser = argument_parser("scripts/bench-placement", __doc__)
    parser.add_argument("--rooms", type=int, default=300, help="live interviews with a room")
    parser.add_argument("--rounds", type=int, default=200, help="decisions timed of each kind")
    args = parser.parse_args()
    with stack_environ(args.reuse) as environ:
        figures = asyncio.run(run(args, environ))
    fleet, janus = figures["fleet_count"], figures["janus_list_baseline"]
    print(f"{figures['rooms']} rooms on {figures['servers']} server(s), {fleet['n']} decisions each")
    print(f"  fleet count (database)   p50 {ms(fleet['p50'])}  p90 {ms(fleet['p90'])}")
    print(f"  baseline: list on Janus  p50 {ms(janus['p50'])}  p90 {ms(janus['p90'])}")
    print(f"  ratio baseline/fleet at p50: {janus['p50'] / fleet['p50']:.1f}x")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
