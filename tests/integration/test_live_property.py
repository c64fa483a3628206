"""A hypothesis state machine over random interleavings of check-in, Next, Pick, accept,
miss, drop, grace running out, reconnect, leave and end, against the real database.
After every step the queue's rules must hold (docs/architecture.md): the database agrees
with a plain model of the queue.

Time is not waited for: a miss or an expired grace period moves the timestamp into the
past, as the clock would have.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from types import SimpleNamespace

import asyncpg
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from app.live import dispatch, interviews, queue
from app.live.errors import LiveError
from app.live.event_view import read_event_view
from app.live.queue_frames import place_after, queue_delta, wait_minutes_at
from app.live.snapshots import QUEUE_VERSION, VIEW_SEQ, candidate_state
from tests.integration.live_support import (
    age,
    assert_invariants,
    make_live_event,
    offer_with_room,
)

CANDIDATES, INTERVIEWERS = 5, 3
candidate_index = st.integers(0, CANDIDATES - 1)
interviewer_index = st.integers(0, INTERVIEWERS - 1)


@dataclass
class Candidate:
    state: str = "none"  # none waiting away offered interviewing left done
    order: int = 0  # the model's queue order
    missed: int = 0
    disconnected: str | None = None  # None, "grace" or "expired"


@dataclass
class Model:
    candidates: list[Candidate] = field(default_factory=lambda: [Candidate() for _ in range(CANDIDATES)])
    # interviewer index -> [candidate index, "offered" | "active", interview id]
    interviews: dict[int, list] = field(default_factory=dict)
    clock: int = 0

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def eligible(self) -> list[int]:
        """Fairness and the grace period: waiting and not past the grace period, longest waiting first."""
        return sorted(
            (
                i
                for i, c in enumerate(self.candidates)
                if c.state == "waiting" and c.disconnected != "expired"
            ),
            key=lambda i: self.candidates[i].order,
        )


def live_machine(loop: asyncio.AbstractEventLoop, database_url: str, live):
    class LiveMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.model = Model()
            self.db, self.pool, self.event = self.run(self._open())
            self.view, self.shown = None, {}

        def run(self, coroutine):
            return loop.run_until_complete(coroutine)

        async def _open(self):
            db = await asyncpg.connect(database_url)
            pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
            event = await make_live_event(db, interviewers=INTERVIEWERS, candidates=CANDIDATES)
            return db, pool, event

        def teardown(self):
            self.run(self.db.close())
            self.run(self.pool.close())

        def cid(self, index: int) -> int:
            return self.event.candidates[index]

        def who(self, candidate_id: int) -> int:
            return self.event.candidates.index(candidate_id)

        @rule(c=candidate_index)
        def check_in(self, c):
            m = self.model.candidates[c]
            if m.state == "done":
                try:
                    self.run(queue.check_in(self.db, self.cid(c), live))
                    raise AssertionError("a done candidate checked in")
                except LiveError as error:
                    assert error.code == "already_interviewed"
                return
            self.run(queue.check_in(self.db, self.cid(c), live))
            if m.state in ("none", "left"):
                m.state, m.order, m.missed, m.disconnected = "waiting", self.model.tick(), 0, None
            elif m.state in ("waiting", "away"):
                m.state, m.disconnected = "waiting", None

        def _dispatch(self, i, c=None):
            model = self.model
            try:
                offer = self.run(
                    dispatch.dispatch(
                        self.pool, self.event.interviewers[i], live, None if c is None else self.cid(c)
                    )
                )
            except LiveError as error:
                if i in model.interviews:
                    assert error.code == "interviewer_busy"
                else:
                    assert c is not None and c not in model.eligible(), error.code
                    assert error.code == "candidate_not_waiting"
                return
            assert i not in model.interviews, "one at a time: a busy interviewer got another"
            if offer is None:
                assert c is None and not model.eligible(), "Next said empty, yet some wait"
                return
            got = self.who(offer.candidate_id)
            expected = model.eligible()
            if c is None:
                assert got == expected[0], "fairness: Next did not take the longest waiting"
            else:
                assert got == c and c in expected
            self.run(offer_with_room(self.db, offer, live))
            model.candidates[got].state = "offered"
            model.interviews[i] = [got, "offered", offer.interview_id]

        @rule(i=interviewer_index)
        def next(self, i):
            self._dispatch(i)

        @rule(i=interviewer_index, c=candidate_index)
        def pick(self, i, c):
            self._dispatch(i, c)

        @rule(i=interviewer_index)
        def accept(self, i):
            held = self.model.interviews.get(i)
            if held is None or held[1] != "offered":
                return
            self.run(interviews.accept_offer(self.db, held[2], self.cid(held[0])))
            held[1] = "active"
            self.model.candidates[held[0]].state = "interviewing"

        @rule(i=interviewer_index)
        def miss(self, i):
            """A missed offer: the offered candidate does not join in time."""
            held = self.model.interviews.get(i)
            if held is None or held[1] != "offered":
                return
            self.run(
                age(self.db, "interview", "offer_expires_at", 10 * live.offer_seconds, "id = $2", held[2])
            )
            self.run(interviews.expire_offers(self.db))
            del self.model.interviews[i]
            m = self.model.candidates[held[0]]
            m.missed += 1
            if m.missed >= 2:
                m.state = "left"
            else:
                m.state, m.order = "waiting", self.model.tick()

        @rule(i=interviewer_index)
        def withdraw(self, i):
            """The interviewer takes the offer back: the candidate keeps the old place."""
            held = self.model.interviews.get(i)
            try:
                self.run(interviews.withdraw_offer(self.db, self.event.interviewers[i]))
            except LiveError as error:
                assert error.code == "offer_gone" and (held is None or held[1] != "offered")
                return
            assert held is not None and held[1] == "offered"
            del self.model.interviews[i]
            self.model.candidates[held[0]].state = "waiting"

        @rule(c=candidate_index)
        def drop(self, c):
            changed = self.run(queue.disconnected(self.db, self.cid(c)))
            m = self.model.candidates[c]
            expected = m.state in ("waiting", "offered", "interviewing") and m.disconnected is None
            assert changed == expected
            if expected:
                m.disconnected = "grace"

        @rule(c=candidate_index)
        def grace_runs_out(self, c):
            m = self.model.candidates[c]
            if m.state != "waiting" or m.disconnected != "grace":
                return
            self.run(
                age(
                    self.db,
                    "queue_entry",
                    "disconnected_at",
                    live.grace_seconds + 1,
                    "candidate_id = $2",
                    self.cid(c),
                )
            )
            m.disconnected = "expired"
            marked = self.run(queue.mark_away(self.db, live))
            assert self.cid(c) in marked
            m.state = "away"

        @rule(c=candidate_index)
        def reconnect(self, c):
            back = self.run(queue.reconnected(self.db, self.cid(c)))
            m = self.model.candidates[c]
            assert back == (m.state in ("waiting", "away"))
            if m.state != "none":
                m.disconnected = None
            if back:
                m.state = "waiting"  # the grace period: in the same order as before

        @rule(c=candidate_index)
        def leave(self, c):
            m = self.model.candidates[c]
            try:
                left = self.run(queue.leave(self.db, self.cid(c)))
            except LiveError as error:
                assert error.code == "in_interview" and m.state == "interviewing"
                return
            assert left == (m.state in ("waiting", "away", "offered"))
            if m.state == "offered":
                self.model.interviews = {i: h for i, h in self.model.interviews.items() if h[0] != c}
            if left:
                m.state, m.disconnected = "left", None

        @rule(i=interviewer_index)
        def end(self, i):
            held = self.model.interviews.get(i)
            if held is None or held[1] != "active":
                return
            assert self.run(interviews.end_interview(self.db, held[2], "interviewer"))
            del self.model.interviews[i]
            self.model.candidates[held[0]].state = "done"

        @invariant()
        def database_agrees(self):
            self.run(assert_invariants(self.db, self.event.id))
            order = [
                self.who(w.candidate_id)
                for w in self.run(queue.waiting_positions(self.db, self.event.id, live))
            ]
            assert order == self.model.eligible(), "queue order differs from the model"
            rows = self.run(
                self.db.fetch(
                    "SELECT candidate_id, state, missed_count FROM queue_entry WHERE event_id = $1",
                    self.event.id,
                )
            )
            states = {self.who(r["candidate_id"]): (r["state"], r["missed_count"]) for r in rows}
            for index, m in enumerate(self.model.candidates):
                assert states.get(index, ("none", 0)) == (m.state, m.missed), (index, m)

        @invariant()
        def event_view_agrees(self):
            """The view's order is waiting_positions', and whoever's candidate state
            changed since the previous view either is among those whose own facts changed
            (the hub sends them a state) or finds the new place and wait from the shared
            queue message (app/live/queue_frames.py): nobody else's page moves."""
            view = self.run(read_event_view(self.db, self.event.id, SimpleNamespace(live=live)))
            places = self.run(queue.waiting_positions(self.db, self.event.id, live))
            assert [(w.candidate_id, w.position) for w in places] == [
                (c, view.position[c]) for c in view.order
            ]
            shown = {}
            for candidate_id in self.event.candidates:
                state = dict(self.run(candidate_state(view, candidate_id, SimpleNamespace(live=live))))
                # (`wait`, the waits' inputs, is the event's: a page takes new ones with the
                # queue message that gives it its new wait, checked below.)
                for key in ("now", VIEW_SEQ, QUEUE_VERSION, "wait"):
                    state.pop(key)
                shown[candidate_id] = state
            before = self.view
            if before is not None and before.event == view.event and before.messages == view.messages:
                own = view.own_changes(before)
                delta = queue_delta(before.order, view.order)
                for candidate_id in {c for c in shown if shown[c] != self.shown[c]} - own:
                    # A place or a wait alone: the queue message must give the new ones.
                    old, new = self.shown[candidate_id], shown[candidate_id]
                    assert delta is not None, (before.order, view.order)
                    assert old["queue"]["position"] and new["queue"]["position"], (old, new)
                    position = place_after(old["queue"]["position"], delta.left, delta.joined)
                    assert new["queue"] == {
                        **old["queue"],
                        "position": position,
                        "wait_minutes": wait_minutes_at(position, view.free_in, view.average_seconds),
                    }
                    assert {**new, "queue": None} == {**old, "queue": None}
            self.view, self.shown = view, shown

    return LiveMachine


def test_rules_hold_over_random_interleavings(stack, settings):
    # Long offers: only the `miss` step makes one expire, never the wall clock.
    live = settings.live.model_copy(update={"offer_seconds": 600})
    loop = asyncio.new_event_loop()
    try:
        machine = live_machine(loop, stack.environ["DATABASE_URL"], live)
        run_state_machine_as_test(
            machine,
            settings=hypothesis_settings(
                max_examples=int(os.environ.get("LIVE_PROPERTY_EXAMPLES", 40)),
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        loop.close()
