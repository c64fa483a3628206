"""How fast a call comes back after the network goes: scripts/bench-network-recovery
[--repetitions N] [--blackouts 8,30] [--json FILE]. Needs root (a network namespace).

One call between two headless Chromium pages on the real call view (web/static/js/live/
call-view.js, on tests/pages/call.html), everything inside a network namespace of its own
(tests/netns.py: the local stack, the app, coturn and the browsers). In the same run:

- baseline: the same call joined afresh on a clean network, from the join until video frames
  decode on both sides (what the recovery is compared with: a rejoin cannot beat it);
- blackout of S seconds: all UDP to Janus dropped, and the TURN ports closed (otherwise the
  media simply moves to the relay), for S seconds, then everything allowed again. Measured:
  from the picture freezing (no new frame decoded for 0.5 s) until both pages say so
  ("reconnecting" or "unreachable", call-state.js), and from the network's return until
  frames decode again on both sides.

Prints each figure, their medians and the ratio of recovery to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

from app.i18n import Renderer
from app.keys import JANUS
from app.tickets import Role, mint_ticket
from tests.browser.netns.call_support import SEEING, blackout, wait_phase
from tests.netns import (
    KEEP_PEER_CONNECTIONS,
    NetnsStack,
    can_run,
    chromium_args,
    chromium_wrapper,
    frames_flowing,
)


ROLES: tuple[Role, Role] = ("interviewer", "candidate")  # the order the tickets are made in


class Bench:
    def __init__(self, stack: NetnsStack, browser):
        self.stack, self.browser = stack, browser
        self.markup = Renderer().render("en", "live/_call.html", {})

    async def tickets(self) -> list[str]:
        room = await self.stack.run(self.stack.app[JANUS].create_private_room(participants=2))
        return [
            mint_ticket(self.stack.settings, room, index, role, role, f"bench:{role}")
            for index, role in enumerate(ROLES)
        ]

    async def open(self, ticket):
        context = await self.browser.new_context(
            base_url=self.stack.base_url, permissions=["camera", "microphone"]
        )
        await context.add_init_script(KEEP_PEER_CONNECTIONS)
        page = await context.new_page()
        await page.goto("/test-pages/call.html")
        await page.evaluate("(html) => { document.querySelector('main').innerHTML = html; }", self.markup)
        await page.evaluate("(ticket) => window.startCall(ticket)", ticket)
        return page

    async def call(self) -> tuple[list, float]:
        """A new call; returns its pages and the seconds from the joins to frames on both."""
        tickets = await self.tickets()
        started = time.monotonic()
        pages = await asyncio.gather(*(self.open(ticket) for ticket in tickets))
        await asyncio.gather(*(frames_flowing(page, frames=10, timeout=60) for page in pages))
        joined = time.monotonic() - started
        await wait_phase(pages, SEEING)
        return pages, joined

    async def close(self, pages) -> None:
        for page in pages:
            await page.context.close()


async def run(args) -> dict:
    stack = NetnsStack(prefix="benchns")
    await asyncio.to_thread(stack.start)
    folder = Path(tempfile.mkdtemp(prefix="bench-netns-"))
    try:
        wrapper = chromium_wrapper(stack.namespace, folder, shutil.which("chromium"))
        launch_args = chromium_args(stack)  # the namespace tests' switches
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(wrapper), args=launch_args, headless=True
            )
            bench = Bench(stack, browser)
            results: dict = {"baseline_join": [], **{f"blackout_{s}": [] for s in args.blackouts}}
            for repetition in range(args.repetitions):
                pages, joined = await bench.call()
                results["baseline_join"].append(joined)
                print(f"[{repetition + 1}] clean network: frames on both sides {joined:.2f} s after joining")
                for seconds in args.blackouts:
                    figures = await blackout(stack, pages, seconds)
                    results[f"blackout_{seconds}"].append(figures)
                    print(
                        f"[{repetition + 1}] blackout {seconds} s: both told {figures['told']:.2f} s "
                        f"after the picture froze; frames on both sides {figures['frames']:.2f} s "
                        f"after the network came back"
                    )
                    await wait_phase(pages, SEEING, timeout=60)
                await bench.close(pages)
            await browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        await asyncio.to_thread(stack.stop)
    return results


def report(results: dict) -> None:
    baseline = statistics.median(results["baseline_join"])
    print(f"\nbaseline (clean network, join to frames on both sides): median {baseline:.2f} s")
    for key, samples in results.items():
        if not key.startswith("blackout_"):
            continue
        told = statistics.median(s["told"] for s in samples)
        frames = statistics.median(s["frames"] for s in samples)
        print(
            f"{key.replace('_', ' ')} s: told after the freeze, median {told:.2f} s; frames "
            f"again after the network's return, median {frames:.2f} s = {frames / baseline:.2f} "
            "× the baseline"
        )
    with open("/proc/loadavg") as loadavg:
        print(f"load average: {loadavg.read().split()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="scripts/bench-network-recovery",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument(
        "--blackouts", default="8,30", type=lambda text: [int(part) for part in text.split(",") if part]
    )
    parser.add_argument("--json", help="write the raw figures to this file")
    args = parser.parse_args()
    reason = can_run()
    if reason:
        sys.exit(f"scripts/bench-network-recovery: {reason}")
    results = asyncio.run(run(args))
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
