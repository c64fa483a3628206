import pytest
from pathlib import Path
from tests.browser.axe import AXE
from tests.integration.channel_support import CANDIDATE_PIN
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

async def test_smoke(firefox_page, base_url, db, firefox):
    print("version", firefox.version)
    event = await make_live_event(db, interviewers=1, candidates=1)
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", event.candidates[0])
    page = await firefox_page(viewport={"width": 1280, "height": 800},
                              cookies=[{"name": "lang", "value": "en", "url": base_url}])
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.click("form.pin-form button[type=submit]")
    await page.wait_for_function("!!window.candidatePage")
    await page.click("[data-device-start]")
    await page.wait_for_function("document.querySelector('[data-device-video]').videoWidth > 0", timeout=10000)
    await page.wait_for_function("document.querySelector('[data-device-mic-status]').textContent.includes('we hear you')")
    import asyncio
    for _ in range(10):
        print(await page.evaluate("""async () => { const m = document.querySelector('#mic-level'); const dc = window.candidatePage; return [navigator.userActivation?.hasBeenActive, (await import('/static/js/live/device-check.js')).audio().state, m.value, document.querySelector('[data-device-mic-status]').textContent]; }"""))
        await asyncio.sleep(0.3)
    print(await page.evaluate("""async () => { const ctx = new AudioContext(); await Promise.race([ctx.resume(), new Promise(r => setTimeout(r, 1000))]);
      const s = await navigator.mediaDevices.getUserMedia({audio: true});
      const src = ctx.createMediaStreamSource(s); const an = ctx.createAnalyser(); an.fftSize = 1024; src.connect(an);
      await new Promise(r => setTimeout(r, 500));
      const samples = new Uint8Array(1024); an.getByteTimeDomainData(samples);
      let sum = 0; for (const x of samples) sum += ((x - 128) / 128) ** 2;
      return [ctx.state, Math.sqrt(sum / 1024), s.getAudioTracks()[0].label]; }"""))
    return
    print(await page.evaluate("""async () => {
      const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
      return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
    }"""))
    await page.screenshot(path="/tmp/brw/ff-device.png", full_page=True)
