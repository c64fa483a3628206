"""The demo data (app/seed.py), run by every scripts/run: the demo event moves to the next
start within the hour, but not while it is being held."""

from __future__ import annotations

import datetime as dt

from app.seed import next_start, seed


async def test_the_demo_event_moves_on_each_run_but_not_while_it_is_held(db):
    now = dt.datetime.now(dt.timezone.utc)
    first = await seed(db)
    event_id = first["event_id"]
    assert first["starts_at"] == next_start(now)
    # Held: live, its check-in open, a call under way. A restart leaves it where it is.
    await db.execute(
        "UPDATE event SET state = 'live', starts_at = $2 WHERE id = $1",
        event_id,
        now - dt.timedelta(minutes=5),
    )
    again = await seed(db, now + dt.timedelta(minutes=1))
    assert again["event_id"] == event_id and again["starts_at"] == now - dt.timedelta(minutes=5)
    assert await db.fetchval("SELECT state FROM event WHERE id = $1", event_id) == "live"
    # Ended early and finished: the next run gives it a new day, its planned length back.
    await db.execute(
        """UPDATE event SET state = 'finished', planned_duration_minutes = duration_minutes,
               duration_minutes = 5, ended_early_at = now() WHERE id = $1""",
        event_id,
    )
    later = now + dt.timedelta(hours=2)
    moved = await seed(db, later)
    assert moved["starts_at"] == next_start(later)
    row = await db.fetchrow(
        "SELECT state, duration_minutes, planned_duration_minutes, ended_early_at FROM event WHERE id = $1",
        event_id,
    )
    assert tuple(row) == ("published", 60, None, None)
