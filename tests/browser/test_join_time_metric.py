"""The pages report how long each Join took (app/views/join_time.py) and /metrics counts it
per role (README, "Metrics")."""

from __future__ import annotations

import asyncio

import pytest

from app.keys import JANUS
from app.metrics import METRICS
from app.tickets import mint_ticket
from tests.browser.test_candidate_live_call import two_in_a_call

pytestmark = pytest.mark.browser


def reported(role: str) -> float:
    return METRICS.registry.get_sample_value("snabb_join_seconds_count", {"role": role}) or 0


async def test_both_sides_report_their_join_time(app_server, settings, new_page):
    before = {role: reported(role) for role in ("candidate", "interviewer")}
    await two_in_a_call(app_server, settings, new_page)
    for _ in range(100):  # the report follows the first frame
        if all(reported(role) > before[role] for role in before):
            return
        await asyncio.sleep(0.1)
    raise AssertionError({role: (before[role], reported(role)) for role in before})


async def test_a_report_needs_a_ticket_and_a_sane_time(app_server, settings, http, base_url):
    room = await app_server[JANUS].create_private_room(participants=2)
    ticket = mint_ticket(settings, room, 0, "candidate", "Kandidat", subject="test:candidate")
    before = reported("candidate")
    for body, status in (
        ({"ticket": ticket, "seconds": 1.25}, 204),
        ({"ticket": ticket, "seconds": -1}, 400),
        ({"ticket": ticket, "seconds": True}, 400),
        ({"ticket": ticket, "seconds": 1e9}, 400),
        ({"ticket": ticket}, 400),
        ({"ticket": "x" * 40, "seconds": 1}, 403),
    ):
        async with http.post(f"{base_url}/api/join/time", json=body) as response:
            assert response.status == status, body
    assert reported("candidate") == before + 1
