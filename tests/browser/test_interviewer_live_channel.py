"""web/static/js/live/channel.js in a real browser against the real socket: the first state,
replies in order, errors as replies, reconnecting after a drop, the ping/pong watchdog."""

from __future__ import annotations

import re

import pytest

from tests.integration.channel_support import INTERVIEWER_CODE
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

OPEN_CHANNEL = """async (options) => {
  const { LiveChannel, pageSocketUrl } = await import('/static/js/live/channel.js');
  const channel = new LiveChannel(pageSocketUrl(), options);
  window.channel = channel;
  window.seen = { states: [], statuses: [] };
  channel.addEventListener('state', (e) => window.seen.states.push(e.detail));
  channel.addEventListener('status', (e) => window.seen.statuses.push(e.detail));
  channel.connect();
}"""


async def interviewer_page(new_page, db, base_url, **options):
    event = await make_live_event(db, interviewers=1, candidates=1)
    token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", event.interviewers[0]
    )
    page = await new_page()
    await page.goto(f"/i/{token}")
    await page.fill("#code", INTERVIEWER_CODE)
    # Named for what it does with the code (not "Sign in": no password is asked for).
    await page.get_by_role("button", name=re.compile("^(Öppna möteswebben|Open the meeting web)$")).click()
    await page.wait_for_url(f"**/i/{token}")
    await page.evaluate(OPEN_CHANNEL, options)
    await page.wait_for_function("window.seen.states.length > 0")
    return page, event


async def test_state_replies_in_order_and_errors(new_page, db, base_url):
    page, _event = await interviewer_page(new_page, db, base_url)
    assert await page.evaluate("window.seen.statuses") == ["connecting", "open"]
    state = await page.evaluate("window.seen.states[0]")
    assert state["type"] == "state" and state["queue"] == []
    replies = await page.evaluate("""() => Promise.all([
        channel.send({type: 'ping'}), channel.send({type: 'next'}),
        channel.send({type: 'pick', candidate: 'x'}), channel.send({type: 'pause'})])""")
    assert [r["type"] for r in replies] == ["pong", "queue_empty", "error", "ok"]
    assert replies[2]["code"] == "invalid_fields"
    assert replies[3]["for"] == "pause"


async def test_reconnects_after_a_drop_and_rejects_pending(new_page, db, base_url):
    page, _event = await interviewer_page(new_page, db, base_url, minDelayMs=200)
    rejected = await page.evaluate("""async () => {
        const pending = channel.send({type: 'ping'});
        channel.ws.close();   // no message is dispatched after close()
        try { await pending; return false; } catch (e) { return e.name; }
    }""")
    assert rejected == "ChannelClosed"
    await page.wait_for_function("channel.status === 'open' && window.seen.states.length >= 2")
    assert "reconnecting" in await page.evaluate("window.seen.statuses")
    # Again, and the state comes anew after each reconnect.
    await page.evaluate("channel.ws.close()")
    await page.wait_for_function("channel.status === 'open' && window.seen.states.length >= 3", timeout=5000)
    reply = await page.evaluate("channel.send({type: 'ping'})")
    assert reply["type"] == "pong" and reply["now"]
    # Sending while not connected rejects at once.
    assert (
        await page.evaluate("""async () => {
        channel.close();
        try { await channel.send({type: 'ping'}); return 'sent'; } catch (e) { return e.name; }
    }""")
        == "ChannelClosed"
    )


async def test_watchdog_reconnects_when_no_pong(new_page, db, base_url):
    page, _event = await interviewer_page(
        new_page, db, base_url, pingMs=300, pongTimeoutMs=300, minDelayMs=100
    )
    await page.wait_for_timeout(1000)  # pongs come: nothing happens
    assert await page.evaluate("window.seen.statuses") == ["connecting", "open"]
    # A connection that swallows what is sent: no pong comes back.
    await page.evaluate("channel.ws.send = () => {}")
    await page.wait_for_function("window.seen.statuses.includes('reconnecting')", timeout=3000)
    await page.wait_for_function("channel.status === 'open' && window.seen.states.length >= 2", timeout=5000)


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_every_error_code_is_put_into_words(new_page, db, base_url, language):
    """Each code of PROTOCOL.md has its own sentence in both languages for the staff's pages,
    none the fallback; the candidate's page has its own words for the codes it can get."""
    from app.live.errors import CODES
    from app.live.protocol import CHANNEL_CODES

    page, _event = await interviewer_page(new_page, db, base_url)
    texts = await page.evaluate(
        """async ([codes, language]) => {
        const texts = await import('/static/js/live/texts.js');
        await texts.setLanguage(language);
        const { errorText } = await import('/static/js/live/error-texts.js');
        const words = (reader) => Object.fromEntries(codes.map((code) => [code, errorText(code, reader)]));
        return { staff: words('staff'), candidate: words('candidate'),
                 fallback: [errorText('no_such_code', 'staff'), errorText('constructor', 'candidate')] };
    }""",
        [sorted(CODES | CHANNEL_CODES), language],
    )
    staff, candidate = texts["staff"], texts["candidate"]
    assert "no_such_code" in texts["fallback"][0]
    for code, text in staff.items():
        assert text and code not in text, code
    assert len(set(staff.values())) == len(staff)
    general = texts["fallback"][1]
    assert general and "constructor" not in general
    # The candidate is told about their own place, not "that candidate".
    for code in (
        "not_registered",
        "checkin_closed",
        "already_interviewed",
        "in_interview",
        "offer_gone",
        "unavailable",
    ):
        assert candidate[code] not in (general, staff[code]), code
    assert candidate["busy_retry"] == staff["busy_retry"]
    if language == "sv":
        assert staff["offer_gone"].startswith("Kallelsen")
        assert general == "Något gick fel. Försök igen."
        assert candidate["already_interviewed"].startswith("Du har redan")
