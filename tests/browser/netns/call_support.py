"""The call view (call-view.js) in a namespace page, and the call's state as the test reads it."""

from __future__ import annotations

import asyncio
import time

from playwright.async_api import TimeoutError as PageTimeout

from app.i18n import Renderer
from tests.browser.csp import wait_for_function
from tests.netns import TABLE, frames_decoded, frames_flowing

PHASE = "window.callView.state.phase"
TOLD = {"reconnecting", "unreachable"}
SEEING = {"live", "degraded"}


async def open_call_view(netns_page, ticket, language="en"):
    """A page with nothing but the call view (tests/pages/call.html), joined with `ticket`."""
    page = await netns_page(viewport={"width": 1280, "height": 900})
    await page.goto("/test-pages/call.html")
    markup = Renderer().render(language, "live/_call.html", {})
    await page.evaluate("(html) => { document.querySelector('main').innerHTML = html; }", markup)
    await page.evaluate("(ticket) => window.startCall(ticket)", ticket)
    return page


async def set_language(page, code: str) -> None:
    await page.evaluate(
        "(code) => import('/static/js/live/texts.js').then((texts) => texts.setLanguage(code))", code
    )


async def phase(page) -> str:
    return await page.evaluate(PHASE)


async def wait_phase(pages, phases, timeout: float = 60) -> float:
    """Seconds until every page's call is in one of `phases`."""
    started = time.monotonic()
    for page in pages:  # by polling: the pages' policy allows no eval (tests/browser/csp.py)
        try:
            await wait_for_function(page, f"{sorted(phases)!r}.includes({PHASE})", timeout=timeout * 1000)
        except PageTimeout as error:  # what each page's call holds, to tell why
            states = [await each.evaluate("JSON.stringify(window.callView.state)") for each in pages]
            raise PageTimeout(f"{error.message}\nthe pages' call states: {states}") from None
    return time.monotonic() - started


async def until_frames_stop(page, timeout: float = 20) -> float:
    """Seconds until no new video frame has been decoded on `page` for half a second."""
    started = time.monotonic()
    last, still_since = await frames_decoded(page), time.monotonic()
    while time.monotonic() - started < timeout:
        await asyncio.sleep(0.1)
        now = await frames_decoded(page)
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= 0.5:
            return still_since - started
    raise TimeoutError("video frames kept coming")


def block_everything_but_tcp_to_the_app(netns) -> None:
    """UDP from the browsers blocked, and every TURN port: no way for media but none."""
    coturn = netns.stack.coturn
    netns.shaping.block_udp_to_janus()
    netns.nft(
        f"add rule inet {TABLE} output udp dport {coturn.port} drop\n"
        f"add rule inet {TABLE} output tcp dport {{ {coturn.port}, {coturn.tls_port} }} drop\n"
    )


async def blackout(netns, pages, seconds: float, when_told=None) -> dict:
    """All UDP to Janus dropped for `seconds`, and the TURN server out of reach (else the
    media simply moves to the relay: tests/browser/netns/test_netns_call.py). Returns the
    seconds from the picture freezing until both pages said so (`when_told()` is awaited
    then), and from the network's return until frames flowed on both sides again."""
    block_everything_but_tcp_to_the_app(netns)
    blocked = time.monotonic()
    frozen = blocked + max(await asyncio.gather(*(until_frames_stop(page) for page in pages)))
    await wait_phase(pages, TOLD, timeout=30)
    told = time.monotonic() - frozen
    if when_told is not None:
        await when_told()
    await asyncio.sleep(max(0.0, seconds - (time.monotonic() - blocked)))
    netns.shaping.clear()
    back = time.monotonic()
    await asyncio.gather(*(frames_flowing(page, frames=10, timeout=90) for page in pages))
    return {"told": round(told, 2), "frames": round(time.monotonic() - back, 2)}
