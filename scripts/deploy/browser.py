"""The deploy check's browsers: Debian's Chromium under Playwright, reaching the stack only
through nginx over TLS at https://snabb.test:18443, trusting the test certificate by its key
(--ignore-certificate-errors-spki-list), with a fake camera and microphone. Each page keeps
track of its live WebSockets, and can be made to use TURN relays only."""

from __future__ import annotations

import asyncio
import json
import time

from playwright.async_api import Browser, BrowserContext
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

# The site's Content-Security-Policy has no 'unsafe-eval', which Playwright's own
# wait_for_function needs: wait by polling page.evaluate instead.
from tests.browser.csp import wait_for_function
from tests.integration.channel_support import CANDIDATE_PIN, INTERVIEWER_CODE

REMOTE_PLAYING = """(selector) => {
  const video = document.querySelector(selector);
  return !!video && video.videoWidth > 0 && video.readyState >= 2 && !video.paused;
}"""
INTERVIEWER_VIDEO = "#interview [data-call-remote]"
CANDIDATE_VIDEO = "[data-phase=interview] [data-call-remote]"

# Every RTCPeerConnection the page makes is kept (for its statistics); given `only`, a part
# of a URL, only the TURN URLs containing it are used, and relays only (iceTransportPolicy
# "relay"), as on a network that lets nothing else through.
PEER_CONNECTIONS = """(function (only) {
window.peerConnections = [];
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Native {
  constructor(config, ...rest) {
    config = Object.assign({}, config || {});
    if (only) {
      config.iceTransportPolicy = "relay";
      config.iceServers = (config.iceServers || [])
        .map((s) => Object.assign({}, s, {urls: [].concat(s.urls).filter((u) => u.includes(only))}))
        .filter((s) => s.urls.length && s.username);
    }
    super(config, ...rest);
    window.peerConnections.push(this);
  }
};
})"""

SELECTED_PAIRS = """async () => {
  const found = [];
  for (const pc of window.peerConnections) {
    if (pc.connectionState !== "connected") continue;
    const stats = await pc.getStats();
    stats.forEach((report) => {
      if (report.type === "transport" && report.selectedCandidatePairId) {
        const pair = stats.get(report.selectedCandidatePairId);
        const local = stats.get(pair.localCandidateId);
        found.push({type: local.candidateType, relayProtocol: local.relayProtocol || null,
                    address: local.address});
      }
    });
  }
  return found;
}"""


class Tracked:
    """A page and its live sockets: when each opened and whether it has had a state."""

    def __init__(self, page, name: str):
        self.page, self.name = page, name
        self.sockets: list[dict] = []
        page.on("websocket", self._socket)
        page.on("pageerror", lambda error: print(f"  [{name}] page error: {error}"))

    def _socket(self, ws) -> None:
        if not ws.url.endswith("/ws"):
            return  # Janus's own socket
        record = {"opened": time.monotonic(), "state": None, "closed": None}
        self.sockets.append(record)

        def frame(payload):
            if record["state"] is None and '"type":"state"' in str(payload):
                record["state"] = time.monotonic()

        ws.on("framereceived", frame)
        ws.on("close", lambda _ws: record.__setitem__("closed", time.monotonic()))

    async def connected_since(self, moment: float, timeout: float = 30) -> float | None:
        """Wait until this page has an open live socket that has had its state; the seconds
        from `moment` until it had it when the page had to reconnect after `moment`, None
        when its socket stayed open throughout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            latest = self.sockets[-1] if self.sockets else None
            if latest and latest["closed"] is None and latest["state"] is not None:
                return latest["state"] - moment if latest["opened"] > moment else None
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name}: no open live socket with a state within {timeout} s")


class Browsers:
    def __init__(self, playwright, url: str, spki: str, host: str, https_port: int):
        self.playwright, self.url = playwright, url
        self.args = [
            *CHROMIUM_ARGS,
            f"--ignore-certificate-errors-spki-list={spki}",
            f"--host-resolver-rules=MAP {host} 127.0.0.1",
        ]
        self.browser: Browser | None = None
        self.contexts: list[BrowserContext] = []

    async def __aenter__(self) -> Browsers:  # noqa: PYI034 (final)
        self.browser = await self.playwright.chromium.launch(
            executable_path=chromium_path(), args=self.args, headless=True
        )
        return self

    async def __aexit__(self, *exc) -> None:
        for context in self.contexts:
            await context.close()
        await self.browser.close()

    async def page(self, name: str, language: str = "sv", relay_only: str | None = None):
        context = await self.browser.new_context(
            base_url=self.url, permissions=["camera", "microphone"], viewport={"width": 1000, "height": 800}
        )
        self.contexts.append(context)
        await context.add_cookies([{"name": "lang", "value": language, "url": self.url}])
        await context.add_init_script(f"{PEER_CONNECTIONS}({json.dumps(relay_only)});")
        return Tracked(await context.new_page(), name)


async def open_meeting(tracked: Tracked, token: str) -> None:
    page = tracked.page
    await page.goto(f"/i/{token}")
    await page.fill("#code", INTERVIEWER_CODE)
    await page.locator("form.pin-form button[type=submit]").click()
    await page.wait_for_selector('#connection[data-status="open"]', timeout=20000)


async def explain(tracked: Tracked, wanted: str) -> AssertionError:
    """What the page shows instead of `wanted`, for the report."""
    text = " ".join((await tracked.page.locator("body").inner_text()).split())
    return AssertionError(f"{tracked.name}: no {wanted} at {tracked.page.url}: {text[:300]}")


async def open_candidate(tracked: Tracked, link: str, pin: str = CANDIDATE_PIN) -> None:
    page = tracked.page
    response = await page.goto(link)
    try:
        await page.wait_for_selector("#pin", timeout=15000)
    except PlaywrightTimeout:
        raise await explain(tracked, f"PIN field (HTTP {response.status if response else '?'})") from None
    await page.fill("#pin", pin)
    await page.locator("form.pin-form button[type=submit]").click()
    await wait_for_function(page, "!!window.candidatePage", timeout=20000)


async def phase(tracked: Tracked, name: str, timeout: float = 20000) -> None:
    await wait_for_function(tracked.page, f"document.body.dataset.livePhase === {name!r}", timeout=timeout)


async def both_see_each_other(interviewer: Tracked, candidate: Tracked, timeout: float = 30000) -> None:
    await wait_for_function(interviewer.page, REMOTE_PLAYING, arg=INTERVIEWER_VIDEO, timeout=timeout)
    await wait_for_function(candidate.page, REMOTE_PLAYING, arg=CANDIDATE_VIDEO, timeout=timeout)


async def start_interview(interviewer: Tracked, candidate: Tracked) -> None:
    await interviewer.page.locator("#next").click()
    await phase(candidate, "offer")
    await candidate.page.locator("[data-join]").click()
    await interviewer.page.wait_for_selector("#interview:not([hidden])", timeout=20000)
    await both_see_each_other(interviewer, candidate)


async def finish_interview(interviewer: Tracked, candidate: Tracked, interested: bool) -> None:
    await interviewer.page.locator("#notes").fill(f"Anteckning om {candidate.name}")
    await interviewer.page.locator("#end").click()
    await interviewer.page.locator("#end-yes").click()  # asked once more
    await interviewer.page.wait_for_selector("#lobby:not([hidden])", timeout=20000)
    await phase(candidate, "feedback")
    await candidate.page.locator("#interest-yes" if interested else "#interest-no").check()
    await candidate.page.locator("[data-feedback-form] button[type=submit]").click()
    await phase(candidate, "thanks")


async def selected_pairs(tracked: Tracked) -> list[dict]:
    return await tracked.page.evaluate(SELECTED_PAIRS)
