"""A waiting candidate out of sight is reached when their turn comes (web/static/js/live/
attention.js): the page is in the background (another tab; emulated, as headless Chromium
shows every page as visible) and its scripts are held still while the offer comes (as a
browser freezes a background tab or a phone's page), then: the title counts the seconds,
the beep comes again, the system notification shows (Chromium, permission granted), the phone
would vibrate, and the seconds left to join are honest, though the page took the offer in
late."""

from __future__ import annotations

import asyncio
import re

import pytest

from app.live.queue import notify
from tests.browser.axe import VIEWPORTS
from tests.browser.test_candidate_live import interviewer_socket, phase, tokens
from tests.integration.channel_support import CANDIDATE_PIN
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

# Runs before the page's scripts. Out of sight on demand; what reached the candidate is
# recorded on its way to the real Notification and vibration.
OUT_OF_SIGHT = """(() => {
  let hidden = false;
  Object.defineProperty(Document.prototype, "visibilityState",
                        {configurable: true, get: () => (hidden ? "hidden" : "visible")});
  Object.defineProperty(Document.prototype, "hidden", {configurable: true, get: () => hidden});
  Document.prototype.hasFocus = function () { return !hidden; };
  window.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event("visibilitychange"));
  };
  const seen = window.__reached = {notifications: [], shown: 0, closed: 0, vibrations: 0,
                                   asked: 0, tones: 0};
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      seen.notifications.push({title, body: options && options.body, at: Date.now()});
      this.addEventListener("show", () => { seen.shown += 1; });
      this.addEventListener("close", () => { seen.closed += 1; });
    }
    static requestPermission(...args) {
      seen.asked += 1;
      return Real.requestPermission(...args);
    }
  };
  const tone = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (...args) {
    seen.tones += 1;
    return tone.apply(this, args);
  };
  const vibrate = navigator.vibrate && navigator.vibrate.bind(navigator);
  navigator.vibrate = (pattern) => { seen.vibrations += 1; return vibrate ? vibrate(pattern) : false; };
})()"""
HELD_SECONDS = 8


async def seconds_shown(page) -> int:
    text = await page.text_content("[data-offer-text]")
    return int(re.search(r"\d+", text)[0])


async def test_a_background_tab_is_reached_with_honest_seconds(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    page = await new_page(viewport=VIEWPORTS["desktop"])
    await page.add_init_script(OUT_OF_SIGHT)
    await page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name="Open my page").click()
    await page.wait_for_function("!!window.candidatePage")
    # Not yet answered (headless Chromium would say "denied"): the browser would ask.
    devtools = await page.context.new_cdp_session(page)
    target = (await devtools.send("Target.getTargetInfo"))["targetInfo"]

    async def notifications(setting):
        await devtools.send(
            "Browser.setPermission",
            {
                "permission": {"name": "notifications"},
                "setting": setting,
                "origin": base_url,
                "browserContextId": target["browserContextId"],
            },
        )

    await notifications("prompt")
    assert await page.evaluate("Notification.permission") == "default"
    # Never asked on load; asked by the click on Check in.
    assert await page.evaluate("window.__reached.asked") == 0
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        await page.get_by_role("button", name="Check in").click()
        await phase(page, "waiting")
        assert await page.evaluate("window.__reached.asked") == 1
        await notifications("granted")  # as the candidate answers Allow
        assert await page.evaluate("Notification.permission") == "granted"

        # A minute to join, below (the test settings give 20 seconds, and the page shows no
        # more seconds than its setting gives): the page is told of a minute too.
        await page.evaluate("window.candidatePage.offer.most = window.candidatePage.attention.most = 60")
        # Another tab in front; then the page's scripts are held (as a frozen page's are)
        # from the moment the offer reaches it.
        await page.evaluate("window.__setHidden(true)")
        paused = asyncio.Event()
        devtools.on("Debugger.paused", lambda _event: paused.set())
        await devtools.send("Debugger.enable")
        await devtools.send("Debugger.pause")
        dispatched = await interviewer.request({"dispatched"}, type="next")
        assert dispatched["type"] == "dispatched"
        # A minute to join: time to see the seconds.
        await db.execute(
            "UPDATE interview SET offer_expires_at = now() + interval '60 seconds' WHERE id = $1",
            dispatched["interview"],
        )
        await notify(db, event.id, "offer_changed", interview=dispatched["interview"])
        await asyncio.wait_for(paused.wait(), 15)
        await asyncio.sleep(HELD_SECONDS)
        await devtools.send("Debugger.resume")
        await devtools.send("Debugger.disable")

        await phase(page, "offer")

        async def truth() -> float:
            return await db.fetchval(
                "SELECT extract(epoch FROM offer_expires_at - now()) FROM interview WHERE id = $1",
                dispatched["interview"],
            )

        # The seconds shown are the server's, not the late state's (which were HELD_SECONDS
        # more).
        for _ in range(50):
            shown, left = await seconds_shown(page), await truth()
            if abs(shown - left) <= 2:
                break
            await asyncio.sleep(0.1)
        assert abs(shown - left) <= 2, (shown, left)
        assert left < 60 - HELD_SECONDS + 2

        # The title counts down in the tab; the notification showed with honest seconds.
        await page.wait_for_function("/^\\(\\d+\\) It is your turn! – Snabbintervjuer$/.test(document.title)")
        await page.wait_for_function("window.__reached.shown === 1", timeout=10000)
        [shown_note] = await page.evaluate("window.__reached.notifications")
        assert shown_note["title"] == "It is your turn!"
        expires = await db.fetchval(
            "SELECT extract(epoch FROM offer_expires_at) * 1000 FROM interview WHERE id = $1",
            dispatched["interview"],
        )
        said = int(re.search(r"\d+", shown_note["body"])[0])
        assert abs(said - (float(expires) - shown_note["at"]) / 1000) <= 2, shown_note
        assert await page.evaluate("window.__reached.vibrations") == 1
        # The offer's three beeps, and three more while the tab stays in the background.
        await page.wait_for_function("window.__reached.tones >= 6", timeout=20000)

        # Back in the tab: the notification goes, the title is the page's again.
        await page.evaluate("window.__setHidden(false)")
        await page.wait_for_function("window.__reached.closed === 1", timeout=10000)
        assert await page.title() == "It is your turn! – Snabbintervjuer"
        await page.get_by_role("button", name="Join the interview").click()
        await phase(page, "interview")


async def test_a_page_in_sight_is_called_only_once_left(new_page, base_url, db):
    """The offer on the screen is enough: no notification over it, no countdown in the title;
    until the candidate switches to another tab while it shows."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    page = await new_page(viewport=VIEWPORTS["phone"])
    await page.add_init_script(OUT_OF_SIGHT)
    await page.context.grant_permissions(["notifications"])
    await page.context.add_cookies([{"name": "lang", "value": "sv", "url": base_url}])
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name="Öppna min sida").click()
    await page.wait_for_function("!!window.candidatePage")
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        await page.get_by_role("button", name="Checka in").click()
        await phase(page, "waiting")
        assert await page.evaluate("window.__reached.asked") == 0  # granted already
        await interviewer.request({"dispatched"}, type="next")
        await phase(page, "offer")
        await page.wait_for_timeout(500)
        assert await page.evaluate("window.__reached.notifications") == []
        assert await page.title() == "Nu är det din tur! – Snabbintervjuer"
        # They switch tabs with the offer on the screen: now the page calls them.
        await page.evaluate("window.__setHidden(true)")
        await page.wait_for_function("window.__reached.shown === 1", timeout=10000)
        [shown] = await page.evaluate("window.__reached.notifications")
        assert shown["title"] == "Nu är det din tur!"
        assert "sekunder" in shown["body"]
        await page.wait_for_function(
            "/^\\(\\d+\\) Nu är det din tur! – Snabbintervjuer$/.test(document.title)"
        )
