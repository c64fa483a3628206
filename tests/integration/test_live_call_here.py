"""An interviewer's pages on two devices share one ticket: a page that joins the call says so
(`call_here`), and every page of that interviewer hears it (`call_taken`), in one order, so
the page another one joined after can leave (docs/calls.md, "One page in the call")."""

from __future__ import annotations

import asyncio

from tests.integration.channel_support import interviewer_in_interview_twice
from tests.integration.test_live_outcome import active_interview


async def test_every_page_of_the_interviewer_hears_each_join_in_one_order(
    app_server, base_url, db, pool, settings
):
    event, interview = await active_interview(db, pool, settings)
    async with interviewer_in_interview_twice(base_url, db, event.interviewers[0]) as (laptop, phone):
        marks = [len(laptop.messages), len(phone.messages)]
        # Both join at once: each hears both joins, in the same order, its own as `yours`.
        await asyncio.gather(
            laptop.request({"ok"}, type="call_here", interview=interview),
            phone.request({"ok"}, type="call_here", interview=interview),
        )
        heard = []
        for page, mark in zip((laptop, phone), marks):
            for _ in range(50):
                taken = [m for m in page.messages[mark:] if m["type"] == "call_taken"]
                if len(taken) == 2:
                    break
                await asyncio.sleep(0.1)
            heard.append(taken)
        assert [len(taken) for taken in heard] == [2, 2], heard
        assert all(m["interview"] == interview for taken in heard for m in taken)
        # The same join is last for both: on one page it is its own, on the other not.
        assert [taken[-1]["yours"] for taken in heard] in ([True, False], [False, True])
        assert [taken[0]["yours"] for taken in heard] == [not t[-1]["yours"] for t in heard]
        # An interview that is no id: refused, in words the page knows.
        refused = await laptop.request({"error"}, type="call_here", interview="x")
        assert refused["code"] == "invalid_fields"
