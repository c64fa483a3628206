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

from app.keys import JANUS
from app.tickets import mint_ticket
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.browser.csp import PolicyWatch
from tests.integration.live_support import make_live_event
from tests.netns import KEEP_PEER_CONNECTIONS, NetnsStack, can_run, chromium_wrapper

# Media goes over the namespace's veth addresses, not loopback.
NETNS_CHROMIUM_ARGS = [arg for arg in CHROMIUM_ARGS if arg != "--allow-loopback-in-peer-connection"]


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
    """Chromium inside the namespace, trusting coturn's self-signed certificate (and only
    that one) by its key, as browsers trust a deployment's real one; the application's
    plain-HTTP address counts as a secure origin, as HTTPS does in a deployment and
    127.0.0.1 does locally (else no camera: navigator.mediaDevices is missing)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{netns_stack.namespace.name}-chromium-"))
    try:
        wrapper = chromium_wrapper(netns_stack.namespace, folder, chromium_path())
        args = [*NETNS_CHROMIUM_ARGS,
                f"--ignore-certificate-errors-spki-list={netns_stack.turn_spki}",
                f"--unsafely-treat-insecure-origin-as-secure={netns_stack.base_url}"]
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(wrapper), args=args,
                                                       headless=True)
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
        context = await netns_browser.new_context(base_url=netns.base_url,
                                                  permissions=["camera", "microphone"], **options)
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


async def _interview_tickets(netns, minutes: int) -> list[str]:
    live = await make_live_event(netns.db, interviewers=1, candidates=1)
    room = await netns.app[JANUS].create_private_room(participants=2)
    interview = await netns.db.fetchval("""
        INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by, state,
                               janus_server, room_id, offer_expires_at, started_at, ends_at)
        VALUES ($1, $2, $3, 'next', 'active', $4, $5, now(), now(),
                now() + make_interval(mins => $6)) RETURNING id""",
        live.id, live.candidates[0], live.interviewers[0], room.server, room.room_id, minutes)
    return [mint_ticket(netns.settings, room, index, role, role, f"interview:{interview}:{role}")
            for index, role in enumerate(["interviewer", "candidate"])]


@pytest_asyncio.fixture
async def interview_tickets(netns):
    """Make an active interview with its room: `await interview_tickets()` → [interviewer's
    ticket, candidate's ticket]."""
    async def make(minutes: int = 10) -> list[str]:
        return await netns.run(_interview_tickets(netns, minutes))
    return make
