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
        # Both join at once: each hears both joins, in the same order, its own by its mark.
        await asyncio.gather(
            laptop.request({"ok"}, type="call_here", interview=interview, mark="laptop-1"),
            phone.request({"ok"}, type="call_here", interview=interview, mark="phone-1"),
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
        assert [m["mark"] for m in heard[0]] == [m["mark"] for m in heard[1]]
        assert {m["mark"] for m in heard[0]} == {"laptop-1", "phone-1"}
        # Next about to be pressed: a claim without an interview, heard as such.
        await laptop.request({"ok"}, type="call_here", mark="laptop-2")
        claim = await phone.wait_for(lambda m: m["type"] == "call_taken" and m["mark"] == "laptop-2")
        assert claim["interview"] is None
        # No mark, or one that is not a plain word: refused, and nobody is told.
        for odd in ({}, {"mark": ""}, {"mark": "x" * 65}, {"mark": "a b"}, {"mark": 7}):
            refused = await laptop.request({"error"}, type="call_here", interview=interview, **odd)
            assert refused["code"] == "invalid_fields"
        refused = await laptop.request({"error"}, type="call_here", interview="x", mark="m")
        assert refused["code"] == "invalid_fields"
        await asyncio.sleep(0.3)
        assert len([m for m in phone.messages[marks[1] :] if m["type"] == "call_taken"]) == 3


async def test_a_page_back_after_a_drop_says_it_again_only_if_no_other_page_took_the_call(
    app_server, base_url, db, pool, settings
):
    """A laptop's socket was down while the interviewer went on on the phone (Continue here
    there): the laptop, back, says it has the call again with its own earlier marks, and is
    refused, telling nobody, so the phone keeps the call. Said again with nobody's notice
    since, it goes through as before."""
    event, interview = await active_interview(db, pool, settings)
    me = event.interviewers[0]
    async with interviewer_in_interview_twice(base_url, db, me) as (laptop, phone):
        await laptop.request({"ok"}, type="call_here", interview=interview, mark="laptop-1")
        # Back after a drop with nobody else's notice since: said again, and heard.
        await laptop.request(
            {"ok"}, type="call_here", interview=interview, mark="laptop-2", since=["laptop-1"]
        )
        await phone.wait_for(lambda m: m["type"] == "call_taken" and m["mark"] == "laptop-2")

        await phone.request({"ok"}, type="call_here", interview=interview, mark="phone-1")
        await laptop.wait_for(lambda m: m["type"] == "call_taken" and m["mark"] == "phone-1")
        heard = len(phone.messages)
        refused = await laptop.request(
            {"error"}, type="call_here", interview=interview, mark="laptop-3", since=["laptop-1", "laptop-2"]
        )
        assert refused["code"] == "call_elsewhere"
        await asyncio.sleep(0.3)
        assert not [m for m in phone.messages[heard:] if m["type"] == "call_taken"]
        kept = "SELECT call_mark FROM interviewer_presence WHERE interviewer_id = $1"
        assert await db.fetchval(kept, me) == "phone-1"

        # Marks that are not plain words, or too many of them: refused, nothing kept.
        for since in (["a b"], ["x" * 65], [7], "laptop-1", [f"m{n}" for n in range(33)]):
            refused = await laptop.request(
                {"error"}, type="call_here", interview=interview, mark="laptop-4", since=since
            )
            assert refused["code"] == "invalid_fields", since
        assert await db.fetchval(kept, me) == "phone-1"

        # Continue here pressed on the laptop (no `since`): it takes the call whatever was said.
        await laptop.request({"ok"}, type="call_here", interview=interview, mark="laptop-5")
        await phone.wait_for(lambda m: m["type"] == "call_taken" and m["mark"] == "laptop-5")
        assert await db.fetchval(kept, me) == "laptop-5"
