"""scripts/deploy-check: build docker-compose.yml's images, bring the stack up with a
throwaway .env, check it through nginx over TLS, bring it down. Each step's result and time
is printed; the exit status is 0 only when every step passed. The stack is brought down
whatever happened, unless --keep is given."""

from __future__ import annotations

import argparse
import asyncio
import time
import traceback

from playwright.async_api import async_playwright

from scripts.deploy import checks
from scripts.deploy.browser import Browsers
from scripts.deploy.stack import (
    HOST,
    HTTPS_PORT,
    ROOT,
    Stack,
    build_images,
    down,
    leftovers,
    read_env,
    write_env,
)


class Steps:
    def __init__(self):
        self.rows: list[tuple[str, bool, float, str]] = []

    async def run(self, name: str, work) -> bool:
        started = time.monotonic()
        try:
            detail, ok = await work(), True
        except Exception as error:  # noqa: BLE001 (each failure is reported; the next steps run)
            detail, ok = f"{type(error).__name__}: {error}"[:600], False
            traceback.print_exc()
        seconds = time.monotonic() - started
        self.rows.append((name, ok, seconds, str(detail or "")))
        print(f"deploy-check: {'PASS' if ok else 'FAIL'} {name} ({seconds:.1f} s) {detail or ''}", flush=True)
        return ok


async def compose_up(stack: Stack) -> str:
    await stack.compose("up", "-d", timeout=600)
    return "8 containers started"


async def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/deploy-check", description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--skip", action="append", default=[], help="leave out a check: event, relay")
    parser.add_argument(
        "--reuse", action="store_true", help="check the stack a --keep run left running, nothing else"
    )
    args = parser.parse_args()
    stack = Stack(ROOT / ".local" / "deploy-check")
    steps = Steps()
    timings: dict[str, str] = {}
    started = time.monotonic()
    if args.reuse:
        read_env(stack)
        args.keep = True
    elif await leftovers():  # an earlier run interrupted: start clean
        write_env(stack)
        await stack.compose("down", "-v", "-t", "5", timeout=300)
    if args.reuse or (
        await steps.run("build images", build_images)
        and await steps.run("throwaway .env", lambda: asyncio.to_thread(write_env, stack))
    ):
        up = (args.reuse or await steps.run("compose up", lambda: compose_up(stack))) and await steps.run(
            "ready through nginx over TLS", lambda: checks.wait_ready(stack)
        )
        if up and await steps.run("health through TLS", lambda: checks.health(stack)):
            async with (
                async_playwright() as playwright,
                Browsers(playwright, stack.url, stack.spki, HOST, HTTPS_PORT) as browsers,
            ):
                if "event" not in args.skip:
                    await steps.run(
                        "whole event, replica and Janus killed",
                        lambda: checks.whole_event(stack, browsers, timings),
                    )
                if "relay" not in args.skip:
                    await steps.run(
                        "TURN relay only, UDP",
                        lambda: checks.relay_call(stack, browsers, "transport=udp", "udp"),
                    )
                    await steps.run(
                        "TURN relay only, TLS", lambda: checks.relay_call(stack, browsers, "turns:", "tls")
                    )
        if not args.keep:
            await steps.run("compose down leaves nothing", lambda: down(stack))
    for name, seconds in timings.items():
        print(f"deploy-check: {name}: {seconds}")
    passed = sum(ok for _, ok, _, _ in steps.rows)
    print(
        f"deploy-check: {passed} passed, {len(steps.rows) - passed} failed "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0 if steps.rows and passed == len(steps.rows) else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
