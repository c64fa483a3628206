"""The `queue` message's arithmetic (app/live/queue_frames.py) and the page's twin
(web/static/js/live/queue-place.js): for random changes to a queue, everyone in both orders
works out from the message the place and wait the new order gives them."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from app.live import queue, rules
from app.live.queue_frames import (
    wire_frames,
    MAX_MOVES,
    Waits,
    first_wait_change,
    place_after,
    queue_delta,
    queue_frame,
    wait_minutes_at,
    waits_for,
)

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "web" / "static" / "js" / "live" / "queue-place.js"


def changed_order(chance: random.Random, old: list[int]) -> list[int]:
    """A few of what happens between two reads: leaves and Nexts from anywhere, check-ins
    at the end, away candidates back at their old place (inside the queue)."""
    new, fresh = list(old), 10_000 + chance.randrange(10_000)
    for _ in range(chance.randint(0, 6)):
        operation = chance.choice(["next", "leave", "check_in", "back"])
        if operation == "next" and new:
            new.pop(0)
        elif operation == "leave" and new:
            new.pop(chance.randrange(len(new)))
        elif operation == "check_in":
            new.append(fresh)
            fresh += 1
        else:
            new.insert(chance.randint(0, len(new)), fresh)
            fresh += 1
    return new


def random_wait(chance: random.Random) -> tuple[list[float], float]:
    free_in = [chance.choice([0.0, chance.uniform(0, 900), 600.0, -3.0]) for _ in range(chance.randint(0, 4))]
    return free_in, chance.choice([600.0, chance.uniform(60, 1200)])


def cases(count: int) -> list[dict]:
    made = []
    for seed in range(count):
        chance = random.Random(seed)
        old = chance.sample(range(1, 5000), chance.randint(0, 80))
        new = changed_order(chance, old)
        free_in, average = random_wait(chance)
        made.append({"old": old, "new": new, "free_in": free_in, "average": average})
    return made


@pytest.mark.parametrize("case", cases(300))
def test_everyone_in_both_orders_finds_their_new_place(case):
    old, new = case["old"], case["new"]
    delta = queue_delta(old, new)
    assert delta is not None  # nobody changed places relative to the others here
    for position, who in enumerate(old, 1):
        expected = new.index(who) + 1 if who in new else None
        assert place_after(position, delta.left, delta.joined) == expected
    assert delta.left == sorted(old.index(c) + 1 for c in set(old) - set(new))
    assert delta.joined == sorted(new.index(c) + 1 for c in set(new) - set(old))


def test_no_message_when_only_the_end_of_the_queue_changed():
    old = list(range(1, 101))
    assert not queue_delta(old, [*old, 500]).moves_anyone(100, 101)
    assert not queue_delta(old, old[:-1]).moves_anyone(100, 99)
    assert queue_delta(old, old[1:]).moves_anyone(100, 99)


def test_a_reordering_or_a_crowd_is_not_told_by_places():
    assert queue_delta([1, 2, 3], [2, 3, 1]) is None  # 1 left and came back at the end
    assert queue_delta(list(range(MAX_MOVES + 1)), []) is None


@pytest.mark.parametrize("seed", range(100))
def test_the_wait_at_a_place_is_the_views(seed):
    chance = random.Random(seed)
    free_in, average = random_wait(chance)
    waits = [rules.round_minutes(s) for s in rules.estimated_waits(60, free_in, average)]
    assert [wait_minutes_at(p, free_in, average) for p in range(1, 61)] == waits


def test_the_message_names_nobody():
    delta = queue_delta([101, 102, 103], [102, 103, 104])
    message = json.loads(queue_frame(5, "2026-12-02T10:00:00+00:00", delta, [0.0], 600.0))
    assert message == {
        "type": "queue",
        "v": 5,
        "prev": 4,
        "now": "2026-12-02T10:00:00+00:00",
        "left": [1],
        "joined": [3],
        "wait": {"free_in": [0.0], "average": 600.0},
    }
    assert json.loads(queue_frame(5, "x", delta, [], 600.0))["wait"] is None


def test_the_waits_inputs_travel_in_whole_seconds():
    """Every queue message carries the seconds until each active interviewer is free: in
    whole seconds they are well under half the bytes at a hundred interviewers, and the server
    works its places out from the same figures the pages get."""
    now = dt.datetime(2026, 12, 2, 10, tzinfo=dt.timezone.utc)
    started = now - dt.timedelta(seconds=60)
    busy = [("active", now + dt.timedelta(seconds=300 + 7.123456 * k), started, 0) for k in range(99)]
    free_in, average = queue.waits_from([1234.5, 2], 10, busy + [("offered", None, None, None)], now)
    assert free_in[:2] == [300.0, 307.0] and free_in[-1] == round(average)
    frame = queue_frame(1, "x", queue_delta([1, 2], [2]), free_in, average)
    sent = json.loads(frame)["wait"]["free_in"]
    assert sent == free_in and all(isinstance(seconds, int) for seconds in sent)
    assert len(frame) < 600


NODE_SCRIPT = """
import { queueAfter } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(({ queue, message }) => queueAfter(queue, message));
process.stdout.write(JSON.stringify(out));
"""


def test_the_page_works_out_what_the_whole_state_would_show():
    """The browser's module, in node, given each waiting page's queue and the message: the
    place and wait the new order gives them (EventView.wait_minutes' arithmetic)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: scripts/bootstrap installs nodejs")
    pages, truth = [], []
    for case in cases(200):
        old, new, free_in, average = case["old"], case["new"], case["free_in"], case["average"]
        delta = queue_delta(old, new)
        message = json.loads(queue_frame(8, "now", delta, free_in, average))
        waits = [rules.round_minutes(s) for s in rules.estimated_waits(len(new), free_in, average)]
        for position, who in enumerate(old, 1):
            queue = {"state": "waiting", "position": position, "wait_minutes": 0, "v": 7}
            pages.append({"queue": queue, "message": message})
            place = new.index(who) + 1 if who in new else None
            truth.append(
                None
                if place is None
                else {"state": "waiting", "position": place, "wait_minutes": waits[place - 1], "v": 8}
            )
    # A page at a later version, or none, cannot apply it.
    for version in (9, None):
        pages.append({"queue": {"state": "waiting", "position": 3, "v": version}, "message": message})
        truth.append(None)
    result = subprocess.run(
        [node, "--input-type=module", "-e", NODE_SCRIPT % json.dumps(MODULE.as_uri())],
        input=json.dumps(pages),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == truth


@pytest.mark.parametrize("seed", range(100))
def test_the_waits_worked_out_step_by_step_are_the_whole_queues(seed):
    """However far and in whatever steps a view asks, its waits are those estimated for the
    whole queue at once (the page's twin is checked against those above)."""
    chance = random.Random(seed)
    free_in, average = random_wait(chance)
    whole = [rules.round_minutes(s) for s in rules.estimated_waits(300, free_in, average)]
    waits = Waits(free_in, average)
    for position in sorted(chance.sample(range(1, 301), 12)):
        assert waits.at(position) == whole[position - 1]
    assert waits.upto(300) == whole
    assert waits.upto(7)[:7] == whole[:7]  # never shortened


@pytest.mark.parametrize("seed", range(100))
def test_the_first_place_whose_wait_changed_is_a_plain_scans(seed):
    chance = random.Random(seed)
    old, new = Waits(*random_wait(chance)), Waits(*random_wait(chance))
    count = chance.randint(0, 400)
    scan = next((p for p in range(1, count + 1) if old.at(p) != new.at(p)), None)
    assert first_wait_change(old, new, count) == scan
    assert first_wait_change(old, old, count) is None


def test_views_with_the_same_inputs_share_their_waits():
    assert waits_for([0.0, 120.0], 600.0) is waits_for([0.0, 120.0], 600.0)
    assert waits_for([0.0, 120.0], 600.0) is not waits_for([0.0, 121.0], 600.0)


@pytest.mark.parametrize("sizes", [[0], [5, 125], [126, 65535], [65536], [3, 70000, 200]])
def test_the_frames_built_once_are_what_aiohttp_writes_per_socket(sizes):
    """The bytes the hub writes to every waiting socket are the frames aiohttp's own writer
    makes of the same payloads (a server's: not masked, not compressed)."""
    from aiohttp import WSMsgType
    from aiohttp._websocket.writer import WebSocketWriter

    class Transport:
        def __init__(self):
            self.written = bytearray()

        def write(self, data):
            self.written += data

        def is_closing(self):
            return False

    payloads = [bytes(random.choice(b"abc{}") for _ in range(size)) for size in sizes]
    transport = Transport()
    writer = WebSocketWriter(object(), transport)
    for payload in payloads:
        writer._write_websocket_frame(payload, WSMsgType.TEXT, 0)
    assert wire_frames(payloads) == bytes(transport.written)
