"""A call through bad networks (tests/netns.py), drawn by the call view (call-view.js, with
its state from call-state.js): UDP to Janus gone for a while, random loss, no way through at
all. The figures are printed (`-s`); scripts/bench-network-recovery measures them against a
clean network for BENCHMARKS.md. Bounds are generous (a loaded machine), not the targets."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.browser.netns.call_support import (
    SEEING,
    blackout,
    block_everything_but_tcp_to_the_app,
    open_call_view,
    phase,
    set_language,
    wait_phase,
)
from tests.netns import frames_decoded, frames_flowing

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots-callstate"
TOLD_TEXTS = {
    "Your connection was interrupted. Reconnecting…",
    "The other person's connection was interrupted. Reconnecting…",
    "No connection can be made from this network right now. Still trying…",
    "Din anslutning bröts. Ansluter igen …",
    "Den andra personens anslutning bröts. Ansluter igen …",
    "Det går inte att ansluta från det här nätverket just nu. Vi försöker igen …",
}


async def call(netns_page, interview_tickets):
    pages = [await open_call_view(netns_page, ticket) for ticket in await interview_tickets()]
    for page in pages:
        await frames_flowing(page, timeout=60)
    await wait_phase(pages, SEEING)
    return pages


async def test_blackouts_of_8_and_30_seconds_recover_in_place(netns, netns_page, interview_tickets):
    pages = await call(netns_page, interview_tickets)
    await set_language(pages[1], "sv")  # one side reads Swedish
    for seconds in (8, 30):

        async def said(seconds=seconds):
            for page in pages:  # in words, in the page's language, over no frozen picture
                assert await page.text_content("[data-call-status]") in TOLD_TEXTS
                assert await page.is_visible("[data-call-waiting]")
                # "good" only while frames arrive
                assert await page.get_attribute("[data-call-quality]", "data-level") == "poor"
                language = await page.evaluate("document.documentElement.lang")
                await page.screenshot(path=f"{SHOTS}/blackout-{seconds}s-{language}.png")

        figures = await blackout(netns, pages, seconds, said)
        print(
            f"blackout {seconds} s: both told {figures['told']} s after the picture froze, "
            f"frames on both sides {figures['frames']} s after the network came back"
        )
        await wait_phase(pages, SEEING, timeout=30)
        for page in pages:
            assert await page.text_content("[data-call-status]") == ""
    for page in pages:  # nobody was sent to "Join again"
        log = await page.evaluate("window.callLog")
        assert not [entry for entry in log if entry["type"] == "failed"], log


# Sound packets received so far, summed over the page's open peer connections.
SOUND_PACKETS = """async () => {
  let packets = 0;
  for (const pc of window.__peerConnections || []) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "audio") packets += r.packetsReceived || 0;
    });
  }
  return packets;
}"""


async def rate_settled(pages, most: int = 20) -> None:
    """Until the video each page sends has stopped climbing (two readings a second apart
    within a tenth of each other): a browser ramps its rate up for several seconds after a
    call starts, and a ramp still under way when the loss begins reads as a rise under loss
    (3 s were once not enough: 417 kbit/s in the loss's first 5 s, 529 in its last)."""
    last = None
    for _ in range(most):
        await asyncio.sleep(1)
        figures = [await page.evaluate("window.callView.figures") for page in pages]
        rates = [f["kbpsOut"] if f else None for f in figures]
        if last is not None and None not in rates + last:
            if all(abs(now - then) <= 0.1 * max(then, 1) for now, then in zip(rates, last)):
                return
        last = rates


@pytest.mark.parametrize("percent", [10, 30])
async def test_random_loss_keeps_video_and_brings_the_bitrate_down(
    netns, netns_page, interview_tickets, percent
):
    pages = await call(netns_page, interview_tickets)
    await rate_settled(pages)  # on the clean network first
    before = [await page.evaluate("window.callView.bitrate") for page in pages]
    netns.shaping.loss(percent)
    started = time.monotonic()
    frames = [await frames_decoded(page) for page in pages]
    sound = [await page.evaluate(SOUND_PACKETS) for page in pages]
    sent: list[list[int]] = [[], []]
    while time.monotonic() - started < 30:
        await asyncio.sleep(1)
        for index, page in enumerate(pages):
            figures = await page.evaluate("window.callView.figures")
            if figures:
                sent[index].append(figures["kbpsOut"])
    seconds = time.monotonic() - started
    fps = [round((await frames_decoded(page) - first) / seconds, 1) for page, first in zip(pages, frames)]
    sound = [
        round((await page.evaluate(SOUND_PACKETS) - first) / seconds) for page, first in zip(pages, sound)
    ]
    after = [await page.evaluate("window.callView.bitrate") for page in pages]
    sending = [await page.evaluate("window.callView.state.sending") for page in pages]
    netns.shaping.clear()
    first_last = [(round(sum(s[:5]) / 5), round(sum(s[-5:]) / 5)) for s in sent]
    print(
        f"{percent} % loss for {seconds:.0f} s: video decoded {fps} frames/s; the senders' "
        f"ceiling {before} -> {after} kbit/s, video sent (first 5 s, last 5 s) {first_last} "
        f"kbit/s; sound {sound} packets/s; sending at the end {sending}"
    )
    # Video keeps decoding on both sides, or (when even the floor does not get through) its
    # sender has gone over to sound only and said so.
    for index, rate in enumerate(fps):
        assert rate > 0 or sending[1 - index] == "audio-only:bandwidth", (fps, sending)
    # The page's own control sees the loss (about what was set, counted from the packets
    # sent again at Janus's request) and brings its ceiling down …
    assert all(a < b for a, b in zip(after, before)), (before, after)
    # … and the rate sent with it: today's browsers alone raise it under loss. Sent at the
    # end: no more than at the start, or within the ceiling the control set (a start the
    # machine's CPU held low, as under a starved virtual machine, is no measure of the network).
    for (first, last), ceiling in zip(first_last, after):
        assert last <= first * 1.1 or last <= ceiling * 1.1, (first_last, after)
    assert all(rate > 10 for rate in sound), sound  # the sound went on (50 packets/s clean)


async def test_no_way_through_is_said_and_retried_until_it_connects(netns, netns_page, interview_tickets):
    block_everything_but_tcp_to_the_app(netns)
    pages = [await open_call_view(netns_page, ticket) for ticket in await interview_tickets()]
    told = []
    for page in pages:  # seconds from the page's join (its clock) until it said so
        await wait_phase([page], {"unreachable"}, timeout=40)
        told.append(await page.evaluate("(Date.now() - window.callView.state.linkSince) / 1000"))
    print(f"no way through: told {[round(t, 1) for t in told]} s after the join began")
    for page in pages:
        assert await page.text_content("[data-call-status]") == (
            "No connection can be made from this network right now. Still trying…"
        )
    attempts = [await page.evaluate("window.callView.state.attempt") for page in pages]
    # It keeps trying: it joins again (a fresh ticket each time, when the page can get one).
    for page, first in zip(pages, attempts):
        await page.wait_for_function(f"window.callView.state.attempt > {first}", timeout=40000)
    assert [await phase(page) for page in pages] == ["unreachable", "unreachable"]
    netns.shaping.clear()
    back = time.monotonic()
    await asyncio.gather(*(frames_flowing(page, frames=10, timeout=60) for page in pages))
    await wait_phase(pages, SEEING, timeout=30)
    print(f"no way through: frames on both sides {time.monotonic() - back:.1f} s after the network opened")
