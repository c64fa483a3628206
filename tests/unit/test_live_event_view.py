"""The event view's pure parts: where two queue orders first differ, whose state a change
can move (app/live/event_view.py), and the interviewers' state kept within its size budget
however long the names and lists are (app/live/snapshots.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from types import SimpleNamespace

import pytest

from app.live import snapshots
from app.live.event_view import EventView, parse_snapshot
from app.live.queue_frames import QueueChain, changed_span, first_difference
from app.live.snapshots import STATE_BUDGET, interviewer_state

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def two_orders(seed: int) -> tuple[list[int], list[int]]:
    """An order of unique ids and the same after up to three check-ins, leaves or arrivals
    at the end."""
    chance = random.Random(seed)
    old = chance.sample(range(1000), chance.randint(0, 60))
    new = list(old)
    for _ in range(chance.randint(0, 3)):
        operation = chance.choice(["insert", "remove", "append"])
        if operation == "insert" or not new:
            new.insert(chance.randint(0, len(new)), 1000 + chance.randint(0, 99))
        elif operation == "remove":
            new.pop(chance.randrange(len(new)))
        else:
            new.append(2000 + chance.randint(0, 99))
    return old, list(dict.fromkeys(new))  # ids are unique in an order


@pytest.mark.parametrize("seed", range(200))
def test_first_difference_matches_a_plain_scan(seed):
    old, new = two_orders(seed)
    common = min(len(old), len(new))
    expected = next((i for i in range(common) if old[i] != new[i]), common)
    assert first_difference(old, new) == expected


@pytest.mark.parametrize("seed", range(200))
def test_the_changed_span_holds_everyone_who_came_or_went(seed):
    old, new = two_orders(seed)
    start, old_part, new_part = changed_span(old, new)
    end = len(old) - start - len(old_part)
    assert end == len(new) - start - len(new_part) >= 0
    assert old[:start] == new[:start] and old[len(old) - end :] == new[len(new) - end :]
    assert start == first_difference(old, new)
    # As far as it can reach: one more entry at its end would not be the same in both.
    assert end == next(
        (k for k in range(min(len(old), len(new)) - start) if old[len(old) - k - 1] != new[len(new) - k - 1]),
        min(len(old), len(new)) - start,
    )
    assert set(old_part) ^ set(new_part) == set(old) ^ set(new)


def view(order, *, free_in=(0.0,), messages=(), live=(), states=None, seq=1) -> EventView:
    states = states if states is not None else dict.fromkeys(order, "waiting")
    head = [{"candidate_id": c, "name": f"Kandidat {c}", "waiting_since": NOW} for c in order[:30]]
    ordered = set(order)
    return EventView(
        NOW,
        {"state": "live", "ends_at": None},
        list(order),
        {c: state for c, state in states.items() if c not in ordered},
        head,
        {"registered": len(states), "checked_in": len(states), "waiting": len(order)},
        list(free_in),
        600.0,
        list(live),
        {},
        set(),
        list(messages),
        seq=seq,
    )


def plan(before, after):
    """What the hub learns of a read after `before` (app/live/queue_frames.QueueChain): whose
    own facts changed, and the `queue` message to the new version (None: none needed)."""
    chain = QueueChain()
    chain.read(before)
    chain.take_own()
    version = chain.version
    chain.read(after)
    frames = chain.messages(version, chain.version) if chain.version > version else [None]
    return SimpleNamespace(own=chain.take_own(), frame=frames[0] if frames else None, version=chain.version)


def test_a_check_in_at_the_end_moves_only_the_newcomer():
    before = view(range(1, 10_001))
    after = view([*range(1, 10_001), 10_001])
    round_ = plan(before, after)
    assert round_.own == {10_001} and round_.frame is None  # nobody else's place moved


def test_next_sends_everyone_behind_one_message_and_the_one_taken_a_state():
    before = view(range(1, 101))
    states = dict.fromkeys(range(2, 101), "waiting") | {1: "offered"}
    round_ = plan(before, view(range(2, 101), states=states))
    assert round_.own == {1}
    message = json.loads(round_.frame)
    assert (message["left"], message["joined"], message["prev"]) == ([1], [], round_.version - 1)


def test_a_message_or_a_new_event_state_gives_everyone_a_state():
    before = view(range(1, 5))
    assert plan(before, view(range(1, 5), messages=[{"id": 1, "text": "Hej", "sent_at": None}])).own is None


def test_an_interviewer_arriving_moves_the_waits_by_the_message():
    round_ = plan(view(range(1, 11), free_in=[0.0]), view(range(1, 11), free_in=[0.0, 0.0]))
    assert round_.own == set()
    assert json.loads(round_.frame)["wait"] == {"free_in": [0.0, 0.0], "average": 600.0}


def test_the_interviewers_state_stays_within_its_budget_at_any_size():
    astral = "\U0001f600" * 200  # the longest name the invite form takes, in 4-byte letters
    rows = [
        {
            "id": n,
            "state": "active",
            "candidate_id": n,
            "interviewer_id": 1000 + n,
            "offer_expires_at": None,
            "started_at": NOW,
            "ends_at": NOW,
            "extended_minutes": 0,
            "room_generation": 1,
            "janus_server": "janus1",
            "room_id": None,
            "media_lost_at": None,
            "room_pin": None,
            "room_secret": None,
            "room_tokens": [],
            "candidate_name": astral,
            "interviewer_name": astral,
            "candidate_microphone_off": False,
            "candidate_camera_off": False,
            "interviewer_microphone_off": False,
            "interviewer_camera_off": False,
            "candidate_media_problem": "no_microphone",
            "interviewer_media_problem": "no_microphone",
        }
        for n in range(200)
    ]
    messages = [{"id": n, "text": astral * 2 + "ö" * 100, "sent_at": NOW.isoformat()} for n in range(20)]
    big = view(range(1, 20_001), messages=messages, live=rows)
    for row in big.head:
        row["name"] = astral
    settings = type("S", (), {"live": type("L", (), {"warning_seconds": 60})})()
    state = asyncio.run(interviewer_state(big, 1000, settings))
    own = json.dumps(state.own, separators=(",", ":"))
    text = f"{own[:-1]},{state.common_json[1:]}"
    assert len(text.encode()) <= STATE_BUDGET
    assert json.loads(text)["counts"] == {
        "registered": 20_000,
        "checked_in": 20_000,
        "waiting": 20_000,
        "talking": 200,
        "away": 0,
    }
    assert snapshots.COMMON_BUDGET < STATE_BUDGET


def test_a_page_a_few_versions_behind_catches_up_by_the_messages_in_between():
    chain = QueueChain()
    views = [view(range(1, 11), seq=1), view(range(2, 11), seq=2), view(range(3, 11), seq=3)]
    for each in views:
        chain.read(each)
    assert chain.take_own() == {1, 2}  # those who left; the first read changed nobody's
    assert [v.queue_version for v in views] == [1, 2, 3]
    frames = [json.loads(frame) for frame in chain.messages(1, 3)]
    assert [(f["prev"], f["v"], f["left"]) for f in frames] == [(1, 2, [1]), (2, 3, [1])]
    # A message from an interviewer: no queue message reaches past it, every page a state.
    chain.read(view(range(3, 11), messages=[{"id": 1, "text": "Hej", "sent_at": None}], seq=4))
    assert chain.messages(3, 4) is None and chain.messages(None, 4) is None
    assert chain.take_own() is None
    # An older read finishing late is not in the chain: its states carry no version.
    late = view(range(1, 11), seq=2)
    chain.read(late)
    assert late.queue_version is None


def test_a_view_sees_the_transactions_its_snapshot_does():
    seen = view([1, 2])
    seen.snapshot = parse_snapshot("100:105:100,103")
    assert [xid for xid in range(98, 107) if seen.sees(xid)] == [98, 99, 101, 102, 104]
    assert parse_snapshot("7:7:") == (7, 7, frozenset())
    assert not view([1]).sees(1)  # no snapshot known: it sees nothing for sure


@pytest.mark.parametrize("seed", range(200))
def test_places_taken_from_the_view_before_are_the_orders(seed):
    old, new = two_orders(seed)
    before, after = view(old), view(new)
    assert len(before.position) == len(old)  # worked out, as the round's sort does
    after.positions_from(before)
    assert after.position == {c: i for i, c in enumerate(new, 1)}


def test_a_check_in_at_the_end_of_ten_thousand_takes_the_places_from_before():
    before, after = view(range(1, 10_001)), view(range(2, 10_002))
    assert before.position
    after.positions_from(before)
    assert "position" not in after.__dict__  # everyone moved: made afresh when asked
    after = view([*range(1, 10_001), 10_001])
    after.positions_from(before)
    assert after.__dict__["position"][10_001] == 10_001 and after.position[1] == 1


def test_pages_before_the_first_wait_that_changed_need_nothing():
    """An interview running against the clock moves the waits from some place on: the pages
    before it keep theirs and are not sent the message."""
    before = view(range(1, 101), free_in=[0.0, 0.0, 0.0])
    after = view(range(1, 101), free_in=[0.0, 0.0, 30.0], seq=2)
    chain = QueueChain()
    chain.read(before)
    chain.read(after)
    first = next(p for p in range(1, 101) if before.wait_at(p) != after.wait_at(p))
    assert first > 1 and chain.version == 2
    assert chain.first_moved(1, 2) == first
    assert json.loads(chain.messages(1, 2)[0])["wait"]["free_in"] == [0.0, 0.0, 30.0]


def test_a_state_equal_but_for_the_clock_and_the_ticket_is_not_sent_again():
    """What the hub compares (channel._lasting): a state with a shared part by its encoding,
    so the same lobby cut from a newer view counts as unchanged, and another one as changed."""
    from app.live.channel import _lasting
    from app.live.snapshots import SharedState

    def state(now: str, ticket: str, waiting: int) -> SharedState:
        common = {"counts": {"waiting": waiting}, "queue": [{"candidate": 1, "name": "Åsa"}]}
        own = {"type": "state", "now": now, "interview": {"id": 1, "ticket": ticket}}
        return SharedState(own, common, json.dumps(common))

    first = _lasting(state("12:00:00", "t1", 5))
    assert _lasting(state("12:00:01", "t2", 5)) == first
    assert _lasting(state("12:00:01", "t1", 4)) != first
    moved = state("12:00:01", "t1", 5)
    moved.own["interview"]["id"] = 2
    assert _lasting(moved) != first
    plain = {"type": "state", "now": "12:00:00", "queue": {"position": 3}}
    assert _lasting(plain) == _lasting({**plain, "now": "12:00:05"})
    assert _lasting(plain) != _lasting({**plain, "queue": {"position": 2}})


def test_the_lobby_counts_waits_up_to_the_event_end_and_no_further():
    held = view([1, 2])
    held.head[0]["waiting_since"] = NOW - dt.timedelta(minutes=30)  # waited since before the end
    held.head[1]["waiting_since"] = NOW - dt.timedelta(minutes=5)  # since after the end (late check-in)
    held.event["ends_at"] = (NOW - dt.timedelta(minutes=10)).isoformat()
    waits = [entry["waited_seconds"] for entry in snapshots.lobby_of(held)["queue"]]
    assert waits == [20 * 60, 0]
    running = view([1])
    running.head[0]["waiting_since"] = NOW - dt.timedelta(minutes=3)
    running.event["ends_at"] = (NOW + dt.timedelta(hours=1)).isoformat()
    assert snapshots.lobby_of(running)["queue"][0]["waited_seconds"] == 180
