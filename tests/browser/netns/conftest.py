"""Fixtures for calls inside a network namespace of their own (tests/netns.py says why and how).

`netns` (the stack inside, its traffic shaping cleared after each test), `netns_page` (a new
Chromium page inside it, watched for CSP violations like every browser test's) and
`interview_tickets` (an interview's room and both sides' tickets, which /api/join trades
for TURN credentials of their own). Skipped, with the reason, where namespaces cannot be
made (not root, no `ip`)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import async_playwright

from tests.browser.conftest import chromium_path
from tests.browser.csp import PolicyWatch
from tests.netns import (
    KEEP_PEER_CONNECTIONS,
    NetnsStack,
    can_run,
    chromium_args,
    chromium_wrapper,
    interview_tickets,
)


@pytest.fixture(scope="session")
def netns_reason() -> None:
    reason = can_run()
    if reason:
        pytest.skip(f"network namespace tests skipped: {reason}")


@pytest_asyncio.fixture(scope="session")
async def netns_stack(netns_reason):
    stack = NetnsStack(prefix=os.environ.get("SNABB_NETNS_PREFIX", "snabbns"))
    try:
        await asyncio.to_thread(stack.start)
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)


@pytest_asyncio.fixture(scope="session")
async def netns_browser(netns_stack):
    """Chromium inside the namespace (tests/netns.py chromium_args says how it is set up)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{netns_stack.namespace.name}-chromium-"))
    try:
        wrapper = chromium_wrapper(netns_stack.namespace, folder, chromium_path())
        args = chromium_args(netns_stack)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(wrapper), args=args, headless=True)
            try:
                yield browser
            finally:
                await browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def netns(netns_stack):
    """The stack inside the namespace; whatever shaping a test set is undone after it."""
    try:
        yield netns_stack
    finally:
        netns_stack.shaping.clear()


@pytest_asyncio.fixture
async def netns_page(netns, netns_browser):
    """Pages in contexts of their own (each one a separate person's browser) inside the
    namespace; every RTCPeerConnection a page makes is kept for tests/netns.py's helpers."""
    watch, contexts = PolicyWatch(), []

    async def make(**options):
        context = await netns_browser.new_context(
            base_url=netns.base_url, permissions=["camera", "microphone"], **options
        )
        contexts.append(context)
        await watch.attach(context)
        await context.add_init_script(KEEP_PEER_CONNECTIONS)
        return watch.page(await context.new_page())

    try:
        yield make
    finally:
        for context in contexts:
            await context.close()
    assert watch.violations == [], "Content-Security-Policy violations"


@pytest_asyncio.fixture(name="interview_tickets")
async def interview_tickets_fixture(netns):
    """Make an active interview with its room: `await interview_tickets()` → [interviewer's
    ticket, candidate's ticket]."""

    async def make(minutes: int = 10) -> list[str]:
        return await netns.run(interview_tickets(netns, minutes))

    return make
