"""A socket's messages past a burst are read at a steady rate (app/live/pace.py): a flood
is slowed, not refused, and a page's pace never meets the limit."""

from __future__ import annotations

import asyncio

from app.live import pace
from app.metrics import METRICS
from tests.integration.channel_support import new_client, recording, sign_in_candidate
from tests.integration.live_support import make_live_event
from tests.integration.test_live_channel import tokens

FLOOD = 100


def _paced() -> float:
    return METRICS.registry.get_sample_value("snabb_live_messages_paced_total") or 0


async def test_a_flood_is_answered_whole_and_in_order_at_the_pace(app_server, base_url, db, monkeypatch):
    # Fifty a second instead of ten: the same limit, a test of two seconds instead of seven.
    monkeypatch.setattr(pace, "RATE", 50.0)
    live = await make_live_event(db, interviewers=1, candidates=1)
    (token,), _ = await tokens(db, live)
    async with new_client() as http:
        await sign_in_candidate(http, base_url, token)
        async with recording(http, f"{base_url}/c/{token}/ws") as candidate:
            assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
            before, mark = _paced(), len(candidate.messages)
            for _ in range(FLOOD):  # all at once, without waiting for a reply
                await candidate.send(type="ping")
            for _ in range(200):
                replies = [m for m in candidate.messages[mark:] if m["type"] in ("pong", "error")]
                if len(replies) == FLOOD:
                    break
                await asyncio.sleep(0.05)
            assert [m["type"] for m in replies] == ["pong"] * FLOOD  # none refused, none lost
            # The burst (less the check-in's token) was read at once, the rest after waits (a
            # few tokens came back while the first were answered).
            assert FLOOD - pace.BURST - 20 <= _paced() - before <= FLOOD - pace.BURST + 1
            # The socket goes on as before, and a page's pace is not slowed.
            assert (await candidate.request({"ok"}, type="leave"))["type"] == "ok"
            assert not candidate.ws.closed
