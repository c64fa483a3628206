"""A view that only its age made stale is renewed, not read again in full
(app/live/event_view.py, `read_event_view` with `held`, `EventViews.renew`): the clock's
parts afresh, the queue's order kept while the counts say it holds. A candidate whose grace
ran out (the one change to the order nobody notifies) or any change the counts see makes it
a full read again; the renewed view claims no transaction its order was not read after."""

from __future__ import annotations

import asyncpg

from app.live import event_view, queue
from app.live.event_view import EventViews, read_event_view
from tests.integration.live_support import make_live_event


async def test_a_renewed_view_keeps_the_order_while_it_holds(db, settings):
    live = await make_live_event(db, interviewers=1, candidates=4)
    first, second, third, fourth = live.candidates
    for candidate_id in (first, second, third):
        await queue.check_in(db, candidate_id, settings.live)
    held = await read_event_view(db, live.id, settings)
    assert held.position == {first: 1, second: 2, third: 3}
    renewed = await read_event_view(db, live.id, settings, held)
    assert renewed.order is held.order and renewed.position is held.position
    assert renewed.snapshot == held.snapshot and renewed.now > held.now
    assert renewed.counts == held.counts and renewed.memo == {}

    # The grace of a disconnected candidate runs out without a notification: read in full.
    await db.execute(
        """UPDATE queue_entry SET disconnected_at = now() - make_interval(secs => $2 + 5)
           WHERE candidate_id = $1""",
        second,
        float(settings.live.grace_seconds),
    )
    after_grace = await read_event_view(db, live.id, settings, renewed)
    assert after_grace.order == [first, third] and after_grace.snapshot != held.snapshot
    assert after_grace.others == {second: "waiting"}

    # A check-in the view was not told of: the counts differ, read in full.
    await queue.check_in(db, fourth, settings.live)
    fresh = await read_event_view(db, live.id, settings, after_grace)
    assert fresh.order == [first, third, fourth]


async def test_views_past_their_age_are_renewed_when_nothing_was_notified(db, settings, monkeypatch):
    live = await make_live_event(db, interviewers=1, candidates=2)
    for candidate_id in live.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    monkeypatch.setattr(event_view, "MAX_AGE", -1.0)  # every view is past its age at once
    calls: list[str] = []

    async def read(event_id: int, held: event_view.EventView | None = None) -> event_view.EventView:
        calls.append("renew" if held is not None else "read")
        return await read_event_view(db, event_id, settings, held)

    views = EventViews()
    views.reader = views.renew = read
    one = await views.get(live.id, None)
    two = await views.get(live.id, None)
    assert calls == ["read", "renew"] and two.order is one.order and two.seq > one.seq
    # A notified change (its transaction not seen by the held order): read in full.
    xid = await _checked_out(db, live.candidates[0])
    views.changed(live.id, xid)
    three = await views.get(live.id, None)
    assert calls[-1] == "read" and three.order == [live.candidates[1]]


async def _checked_out(db: asyncpg.Connection, candidate_id: int) -> int:
    async with db.transaction():
        await queue.leave(db, candidate_id)
        return int(await db.fetchval("SELECT pg_current_xact_id()::text"))
