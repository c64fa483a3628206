"""Time to video through TURN: scripts/bench-turn [--repetitions N] [--json FILE].

Inside a network namespace of its own (tests/netns.py: the local stack, the app, coturn and
headless Chromium, addressed like a deployment's), a call between two pages of an active
interview (tests/pages/room.html, web/static/js/janus-room.js; TURN credentials from
/api/join), along four paths taking turns in one run, the network shaped before the pages
open:

- direct: nothing shaped; media straight to Janus over UDP (the baseline);
- turn-udp: UDP to Janus's RTP ports dropped, and TCP to coturn; through coturn over UDP;
- turn-tcp: no UDP from the browsers at all, nor TURN/TLS; through coturn over TCP;
- turn-tls: no UDP, and plain TURN/TCP refused; through coturn over TLS.
(With several ways open ICE settles on whichever answers first: not a fixed path.)

The figure: from opening both pages to the first decoded video frame on both (inbound-rtp
framesDecoded > 0, polled every 50 ms), and the path each page's connections took (read from
their selected candidate pairs by web/static/js/live/connection-path.js). Needs root.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from playwright.async_api import async_playwright

from scripts.bench.common import summary
from tests.browser.conftest import chromium_path
from tests.netns import (
    KEEP_PEER_CONNECTIONS,
    NetnsStack,
    can_run,
    chromium_args,
    chromium_wrapper,
    connection_paths,
    frames_decoded,
    interview_tickets,
)

# The network before the pages open, and the transport it leaves: one way through each.
PATHS = {
    "direct": (lambda shaping: shaping.clear(), "udp"),
    "turn-udp": (lambda shaping: shaping.block_udp_to_janus(turn_tcp=False), "udp"),
    "turn-tcp": (lambda shaping: shaping.only_tcp(turn_tls=False), "tcp"),
    "turn-tls": (lambda shaping: shaping.only_tls_to_turn(), "tls"),
}
TIMEOUT = 90


async def first_frames(pages) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not all([await frames_decoded(page) > 0 for page in pages]):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no video on both sides within {TIMEOUT} s")
        await asyncio.sleep(0.05)


async def one_call(stack: NetnsStack, browser, path: str) -> tuple[float, list[dict]]:
    shape, _ = PATHS[path]
    shape(stack.shaping)
    tickets = await stack.run(interview_tickets(stack))
    contexts = []
    try:
        pages = []
        for _ in tickets:
            context = await browser.new_context(base_url=stack.base_url, permissions=["camera", "microphone"])
            contexts.append(context)
            await context.add_init_script(KEEP_PEER_CONNECTIONS)
            pages.append(await context.new_page())
        started = time.monotonic()
        for page, ticket in zip(pages, tickets):
            await page.goto(f"/test-pages/room.html#{quote(ticket)}")
        await first_frames(pages)
        took = time.monotonic() - started
        await asyncio.sleep(1)  # the subscriber's pair settles
        return took, [p for page in pages for p in await connection_paths(page)]
    finally:
        for context in contexts:
            await context.close()
        stack.shaping.clear()


async def run(repetitions: int) -> dict:
    stack = NetnsStack(prefix=os.environ.get("SNABB_NETNS_PREFIX", "snabbns"))
    folder = Path(tempfile.mkdtemp(prefix="snabb-bench-turn-"))
    times: dict[str, list[float]] = {path: [] for path in PATHS}
    wrong: dict[str, list] = {path: [] for path in PATHS}
    try:
        await asyncio.to_thread(stack.start)
        wrapper = chromium_wrapper(stack.namespace, folder, chromium_path())
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(wrapper), args=chromium_args(stack), headless=True
            )
            await one_call(stack, browser, "direct")  # warm-up: caches, first room
            for repetition in range(repetitions):
                for path, (_, transport) in PATHS.items():
                    took, taken = await one_call(stack, browser, path)
                    kind = "direct" if path == "direct" else "relay"
                    if not taken or any((p["kind"], p["transport"]) != (kind, transport) for p in taken):
                        wrong[path].append(taken)
                        print(f"  {path}: not all on the expected path: {taken}")
                    times[path].append(took)
                    print(f"  {repetition + 1:2}/{repetitions} {path:9} {took * 1000:7.0f} ms", flush=True)
            await browser.close()
    finally:
        await asyncio.to_thread(stack.stop)
        shutil.rmtree(folder, ignore_errors=True)
    return {"times": times, "wrong_path": wrong}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench-turn", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    reason = can_run()
    if reason:
        print(f"scripts/bench-turn: {reason}", file=sys.stderr)
        return 2
    print(f"load average at start: {os.getloadavg()}", flush=True)
    result = asyncio.run(run(args.repetitions))
    print(f"load average at end: {os.getloadavg()}")
    baseline = summary(result["times"]["direct"])
    print("\npath       first frames on both sides: median     p90   median / direct   wrong path")
    for path, values in result["times"].items():
        figures = summary(values)
        print(
            f"{path:9} {figures['p50'] * 1000:27.0f} ms {figures['p90'] * 1000:6.0f} ms "
            f"{figures['p50'] / baseline['p50']:12.2f}×   {len(result['wrong_path'][path])}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 1 if any(result["wrong_path"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
