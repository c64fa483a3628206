"""The candidate's event day in headless Chromium: device check, check-in, waiting room, the
offer, the interview on video (the interviewer is a second browser with the call view,
driven from Python over the interviewer's socket), the language switch during the call,
reloads, the interest question, and axe on every state."""

from __future__ import annotations


from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.test_candidate_live_call import REMOTE_PLAYING, open_call
from tests.integration.channel_support import (
    CANDIDATE_PIN,
    new_client,
    recording,
    sign_in_interviewer,
)
from app.events import queries as event_queries
from app.live import cancelling, leaving, queue
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots-candidate-web"
TEXTS = {
    "sv": {
        "open": "Öppna min sida",
        "checkin": "Checka in",
        "next": "Du är näst på tur i kön.",
        "turn": "Nu är det din tur!",
        "join": "Anslut till intervjun",
        "interview": "Din intervju",
        "feedback": "Tack för intervjun!",
        "yes": "Ja",
        "send": "Skicka svar",
        "thanks": "Tack!",
        "waiting": "Väntrum",
        "reconnecting": "Anslutningen bröts",
        "leave_queue": "Lämna kön",
        "leave_queue_yes": "Ja, lämna kön",
        "stay": "Stanna kvar i kön",
        "again": "Checka in igen",
        "leave_call": "Lämna samtalet",
        "leave_yes": "Ja, lämna intervjun",
        "no": "Nej",
    },
    "en": {
        "open": "Open my page",
        "checkin": "Check in",
        "next": "You are next in the queue.",
        "turn": "It is your turn!",
        "join": "Join the interview",
        "interview": "Your interview",
        "feedback": "Thank you for the interview!",
        "yes": "Yes",
        "send": "Send answer",
        "thanks": "Thank you!",
        "waiting": "Waiting room",
        "reconnecting": "The connection was lost",
        "leave_queue": "Leave the queue",
        "leave_queue_yes": "Yes, leave the queue",
        "stay": "Stay in the queue",
        "again": "Check in again",
        "leave_call": "Leave the call",
        "leave_yes": "Yes, leave the interview",
        "no": "No",
    },
}


async def tokens(db, event):
    candidates = [
        await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", c) for c in event.candidates
    ]
    interviewers = [
        await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", i)
        for i in event.interviewers
    ]
    return candidates, interviewers


async def open_candidate(new_page, base_url, token, language, viewport="desktop"):
    """The candidate's browser with the PIN entered, in `language` (the cookie the switch sets:
    without it the page opens in the candidate's own language, Swedish here)."""
    page = await new_page(viewport=VIEWPORTS[viewport])
    await page.context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name=TEXTS[language]["open"]).click()
    await page.wait_for_function("!!window.candidatePage")
    return page


@asynccontextmanager
async def interviewer_socket(base_url, token):
    async with new_client() as http:
        assert await sign_in_interviewer(http, base_url, token) == 303
        ws_url = base_url.replace("http", "ws", 1) + f"/i/{token}/ws"
        async with recording(http, ws_url) as socket:
            await socket.wait_for(lambda m: m["type"] == "state")
            yield socket


def api_join_requests(page) -> list[str]:
    """Every POST /api/join the page makes from now on (the join info that comes with a
    `ticket` or `dispatched` reply makes it needless: PROTOCOL.md, "Join info")."""
    made: list[str] = []

    def seen(request) -> None:
        if request.url.endswith("/api/join"):
            made.append(request.url)

    page.on("request", seen)
    return made


async def look(page, name):
    """A screenshot to look at, and axe's WCAG 2.1 AA rules on the state shown."""
    await page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    await assert_accessible(page)


async def phase(page, name, timeout=15000):
    await page.wait_for_function(f"document.body.dataset.livePhase === '{name}'", timeout=timeout)


async def offered(page, interviewer, language):
    """Check in, and the interviewer presses Next: the page shows the offer."""
    await page.get_by_role("button", name=TEXTS[language]["checkin"]).click()
    await phase(page, "waiting")
    assert (await interviewer.request({"dispatched"}, type="next"))["type"] == "dispatched"
    await phase(page, "offer")


async def test_device_check_preview_and_microphone_level(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    await page.get_by_role("button", name="Start the device check").click()
    await page.wait_for_function(
        "document.querySelector('[data-device-video]').videoWidth > 0", timeout=10000
    )
    # The fake microphone beeps: the level meter moves (several readings, not all the same).
    levels = set()
    for _ in range(30):
        levels.add(await page.evaluate("document.querySelector('#mic-level').value"))
        await page.wait_for_timeout(100)
    assert len(levels) > 2 and max(levels) > 0
    await page.wait_for_function(
        "document.querySelector('[data-device-mic-status]').textContent.includes('we hear you')"
    )
    await page.get_by_role("button", name="Play a test sound").click()
    assert await page.is_visible("[data-device-sound-hint]")
    await look(page, "device-check-en-desktop")
    # Stopped by the candidate (not only by a check-in): camera and microphone off.
    await page.get_by_role("button", name="Stop the check").click()
    await page.wait_for_function(
        "!document.querySelector('[data-device-video]').srcObject"
        " && document.querySelector('[data-device-results]').hidden"
    )
    assert await page.evaluate("document.activeElement.matches('[data-device-start]')")
    assert await page.locator("[data-device-start]").inner_text() == "Start the device check"
    assert await page.get_by_role("button", name="Stop the check").is_hidden()


async def device_check_started(page, token):
    """The candidate's page opened with the PIN, in Swedish, and *Starta testet* pressed:
    the device check's problem notice, once shown."""
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name="Öppna min sida").click()
    await page.wait_for_function("!!window.candidatePage")
    await page.get_by_role("button", name="Starta testet").click()
    problem = page.locator("[data-device-problem]")
    await problem.wait_for()
    return problem


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("NotAllowedError", "blockerade"),
        ("NotReadableError", "används av ett annat program"),
        # A microphone and no camera: the browser's NotFoundError names neither, the page
        # names the camera (only a stand-in can take Chromium's fake camera away).
        ("NotFoundError", "Ingen kamera hittades."),
    ],
)
async def test_device_check_explains_a_blocked_or_busy_camera(browser, base_url, db, error, words, csp_watch):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], _ = await tokens(db, event)
    context = await browser.new_context(
        base_url=base_url, permissions=[], extra_http_headers={"Accept-Language": "sv"}
    )
    await csp_watch.attach(context)
    try:
        page = csp_watch.page(await context.new_page())
        # The browser says no, as when the candidate answers Block or another program has
        # the camera.
        await page.add_init_script(f"""navigator.mediaDevices.getUserMedia = () =>
            Promise.reject(new DOMException('no', '{error}'));
            navigator.mediaDevices.enumerateDevices = async () => [
              {{kind: 'audioinput', deviceId: '', groupId: '', label: ''}}];""")
        problem = await device_check_started(page, token)
        assert words in await problem.text_content()
        assert await page.get_attribute("[data-device-problem-link]", "href") == "/help#camera"
        await look(page, f"device-{error}-sv-desktop")
    finally:
        await context.close()
    assert csp_watch.violations == []


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("NotFoundError", "Ingen kamera hittades. Du kan ändå delta med bara ljud"),
        ("NotReadableError", "Ett annat program använder din kamera."),
    ],
)
async def test_device_check_without_the_camera_checks_the_microphone_for_sound_only(
    new_page, base_url, db, error, words
):
    """The call goes on with sound only when the camera is missing or taken (janus-room.js
    askMedia): the check says so, and tries the microphone alone."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], _ = await tokens(db, event)
    page = await new_page()
    await page.add_init_script(f"""(() => {{
      const devices = navigator.mediaDevices;
      const ask = devices.getUserMedia.bind(devices);
      const list = devices.enumerateDevices.bind(devices);
      devices.getUserMedia = (asked) => asked?.video
        ? Promise.reject(new DOMException('no', '{error}')) : ask(asked);
      devices.enumerateDevices = async () => (await list()).filter((d) => d.kind !== 'videoinput');
    }})();""")
    problem = await device_check_started(page, token)
    assert words in await problem.text_content()
    # The microphone is checked all the same: its level moves with the fake microphone's tone.
    await page.locator("[data-device-results]").wait_for()
    await page.wait_for_function("document.querySelector('[data-device-meter]').value > 0", timeout=10000)
    await look(page, f"device-sound-only-{error}-sv-desktop")


async def test_device_check_names_the_browsers_that_work(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], _ = await tokens(db, event)
    page = await new_page()
    await page.add_init_script(  # as an old browser
        "delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection;"
    )
    await page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name="Open my page").click()
    message = page.locator("[data-device-unsupported]")
    await message.wait_for()
    text = await message.text_content()
    assert all(name in text for name in ("Chrome", "Edge", "Firefox", "Safari"))
    assert await message.locator("a").get_attribute("href") == "/help#browser"
    await look(page, "device-unsupported-en-desktop")


async def test_one_minute_is_said_in_the_singular_in_both_languages_and_after_the_switch(
    new_page, base_url, db
):
    """A one-minute interview read "1 minuter" and, after the switch, "1 minutes": the
    texts the page switches in place choose their form by the number too."""
    event = await make_live_event(db, interviewers=1, candidates=1, interview_minutes=1)
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "sv")
    facts = page.locator("dd", has_text="på video")
    assert await facts.text_content() == "1 minut på video, i din webbläsare"
    talk = page.get_by_text("Du pratar på video i 1 minut med en intervjuare")
    await talk.wait_for(state="attached")
    await page.get_by_role("link", name="English").click()
    await page.wait_for_function("document.documentElement.lang === 'en'")
    assert (
        await page.locator("dd", has_text="on video").text_content() == "1 minute on video, in your browser"
    )
    await page.get_by_text("You talk on video for 1 minute with an interviewer").wait_for(state="attached")
    duration = page.locator("dd", has_text="you are called")
    assert await duration.text_content() == "120 minutes; you are called when an interviewer is free"


async def test_check_in_wait_offer_interview_switch_reload_feedback(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=2)
    [token, _other], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, "sv")
        await page.get_by_role("button", name="Checka in").click()
        await phase(page, "waiting")
        await page.get_by_text("Du är näst på tur i kön.").wait_for()
        assert "Beräknad väntetid" in await page.text_content("[data-wait]")
        await interviewer.request({"ok"}, type="message", text="Välkomna, vi börjar strax!")
        await page.get_by_text("Välkomna, vi börjar strax!").wait_for()
        await assert_accessible(page)

        # A reload in the waiting room keeps the place.
        await page.reload()
        await phase(page, "waiting")
        await page.get_by_text("Du är näst på tur i kön.").wait_for()

        # The connection drops: the page says so and reconnects by itself.
        await page.evaluate("window.candidatePage.channel.ws.close()")
        await page.get_by_text("Anslutningen bröts").wait_for()
        # The call is told too: while the page cannot reach the service, a call without a
        # connection does not blame "this network" (web/static/js/live/call-status.js). (It
        # was told with the line above, in the same step: seen together, or the page is back.)
        assert await page.evaluate(
            """window.candidatePage.call.serviceLost
               || document.querySelector('[data-live-connection]').dataset.status === 'open'"""
        )
        await page.wait_for_function(
            "document.querySelector('[data-live-connection]').textContent === ''", timeout=15000
        )
        assert await page.evaluate("window.candidatePage.call.serviceLost") is False
        await page.get_by_text("Du är näst på tur i kön.").wait_for()

        # The interviewer presses Next: the alert, focused, with the seconds left.
        dispatched = await interviewer.request({"dispatched", "queue_empty"}, type="next")
        assert dispatched["type"] == "dispatched"
        await phase(page, "offer")
        assert await page.evaluate("document.activeElement.getAttribute('role')") == "alertdialog"
        assert "sekunder" in await page.text_content("[data-offer-text]")
        await look(page, "offer-sv-desktop")
        # Nothing more is read out until the time runs low, then once (WCAG 2.2.1: a warning
        # before it runs out). The tests' offers last 20 s, which the alert's own words cover;
        # here the page is moved to 21 s before the end of a 60-second one (the default):
        assert await page.text_content("[data-offer-warning]") == ""
        await page.evaluate(
            """() => { const alert = window.candidatePage.offer;
                 alert.most = alert.firstSeconds = 60;
                 alert.offer = {...alert.offer,
                   expires_at: new Date(Date.now() + alert.offset + 20500).toISOString()}; }"""
        )
        await page.wait_for_function(
            "document.querySelector('[data-offer-warning]').textContent"
            " === 'Du har 20 sekunder kvar att ansluta till intervjun.'"
        )
        assert await page.locator("[data-offer-warning]").get_attribute("role") == "alert"
        # Seen too, not only said: the countdown stands out from then on.
        offer_box = page.locator("section[data-phase=offer]")
        assert await offer_box.get_attribute("data-running-low") == ""
        assert await page.evaluate(
            "getComputedStyle(document.querySelector('[data-offer-text]')).fontWeight"
        ) in ("700", "bold")
        await page.screenshot(path=f"{SHOTS}/offer-running-low-sv-desktop.png")

        # Join: the candidate sees the interviewer's video (a second browser), straight from
        # the join info of the `ticket` reply.
        joins = api_join_requests(page)
        await page.get_by_role("button", name="Anslut till intervjun").click()
        await phase(page, "interview")
        other = await open_call(new_page, dispatched["ticket"])
        await page.wait_for_function(REMOTE_PLAYING, timeout=20000)
        await other.wait_for_function(REMOTE_PLAYING, timeout=20000)
        assert joins == []
        await page.wait_for_function("document.querySelector('[role=timer]').textContent !== '--:--'")
        assert await page.is_hidden("[data-rejoin]") and await page.is_hidden("[data-call-sound]")
        # Whom the candidate talks with, by the interviewer's name.
        assert await page.text_content("[data-talking-with]") == "Du pratar med Intervjuare 0."
        await look(page, "interview-sv-desktop")

        # Switching language during the call: new texts, same video element, still playing.
        await page.evaluate("""() => {
            window.beforeSwitch = {video: document.querySelector('[data-call-remote]'),
                                   time: document.querySelector('[data-call-remote]').currentTime};
        }""")
        await page.get_by_role("link", name="English").click()
        await page.wait_for_function("document.documentElement.lang === 'en'")
        assert await page.text_content("#interview-heading") == "Your interview"
        # The call's (hidden) heading is a part of the interview's, one level below (WCAG 1.3.1).
        assert await page.get_by_role("heading", name="Video call", level=3).count() == 1
        assert await page.text_content("[data-talking-with]") == "You are talking with Intervjuare 0."
        assert await page.text_content("[data-call-leave]") == "Leave the call"
        # Everything else on the page too: the footer's sentence around its link, the dates,
        # the title, and the switch itself.
        assert (await page.text_content("footer p")).startswith("Questions or problems? Write to")
        assert await page.locator("footer p a[href^='mailto:']").count() == 1
        assert "Swedish time" in await page.text_content("[data-text-en]")
        assert await page.title() == "Your personal page – Snabbintervjuer"
        assert await page.text_content(".language-switch .current") == "English"
        assert await page.get_attribute(".language-switch a", "lang") == "sv"
        await page.wait_for_timeout(1500)
        assert await page.evaluate("""() => {
            const video = document.querySelector('[data-call-remote]');
            return video === window.beforeSwitch.video && !video.paused && video.videoWidth > 0
                && video.currentTime > window.beforeSwitch.time + 0.5;
        }""")
        await look(page, "interview-en-desktop")

        # A reload during the interview joins it again (a new ticket, with its join info).
        await page.reload()
        await phase(page, "interview")
        await page.wait_for_function(REMOTE_PLAYING, timeout=20000)
        assert joins == []
        assert await page.get_attribute("html", "lang") == "en"
        # The interviewer adds time: said beside the time left, which jumps.
        await interviewer.request({"ok"}, type="extend")
        await page.locator("[data-call-extended]").filter(has_text="Extended by 2 minutes.").wait_for()

        # The interviewer ends it: the interest question, then the thanks.
        await interviewer.request({"ok"}, type="end")
        await phase(page, "feedback")
        await look(page, "feedback-en-desktop")
        await page.get_by_role("button", name="Send answer").click()
        await page.get_by_text("Choose Yes or No.").wait_for()
        # Said at the question it is about, its choices marked until one is made.
        group = page.get_by_role("group", name="Did the job sound interesting to you?")
        assert await group.get_by_text("Choose Yes or No.").is_visible()
        assert await page.get_by_label("Yes").get_attribute("aria-invalid") == "true"
        await page.get_by_label("Yes").check()
        assert await page.get_by_label("No", exact=True).get_attribute("aria-invalid") is None
        assert await page.text_content("[data-feedback-error]") == ""  # answered by the choice
        # Past the field's maxlength (set by a script): refused at the field, in words that
        # name it, with the focus on it, and nothing sent.
        await page.evaluate("document.querySelector('#feedback-comment').value = 'x'.repeat(2001)")
        await page.get_by_role("button", name="Send answer").click()
        too_long = "The comment is too long: at most 2,000 characters. Shorten it and send again."
        await page.locator("[data-feedback-comment-error]", has_text=too_long).wait_for()
        assert await page.evaluate("document.activeElement.id") == "feedback-comment"
        assert await page.get_by_label("Comment (optional)").get_attribute("aria-invalid") == "true"
        assert await page.get_by_label("Comment (optional)").get_attribute("aria-describedby") == (
            "hint-feedback-comment feedback-comment-error"
        )
        assert not await db.fetchval(
            "SELECT count(*) FROM interview_feedback f JOIN interview i ON i.id = f.interview_id"
            " WHERE i.candidate_id = $1",
            event.candidates[0],
        )
        await page.get_by_label("Comment (optional)").fill("Spännande jobb!")
        assert await page.text_content("[data-feedback-comment-error]") == ""  # gone as it is mended
        await page.get_by_role("button", name="Send answer").click()
        await phase(page, "thanks")
        await look(page, "thanks-en-desktop")
        row = await db.fetchrow(
            """
            SELECT f.interested, f.comment FROM interview_feedback f
            JOIN interview i ON i.id = f.interview_id WHERE i.candidate_id = $1""",
            event.candidates[0],
        )
        assert dict(row) == {"interested": True, "comment": "Spännande jobb!"}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_every_state_meets_wcag_aa(new_page, base_url, db, language, viewport):
    """Before check-in opens, check-in, waiting room, offer, interview, leaving, the interest
    question and the thanks: axe and a screenshot of each."""
    text = TEXTS[language]
    name = f"{language}-{viewport}"
    later = await make_live_event(db, interviewers=1, candidates=1, starts_in_minutes=180, state="published")
    [token], _ = await tokens(db, later)
    page = await open_candidate(new_page, base_url, token, language, viewport)
    assert await page.is_visible("[data-checkin-closed]")
    assert await page.is_hidden("[data-checkin]")
    await look(page, f"before-checkin-{name}")

    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, language, viewport)
        await page.locator("[data-device-start]").click()
        await page.wait_for_function(
            "document.querySelector('[data-device-video]').videoWidth > 0", timeout=10000
        )
        await look(page, f"checkin-open-{name}")
        await page.get_by_role("button", name=text["checkin"]).click()
        await page.get_by_text(text["next"]).wait_for()
        await interviewer.request({"ok"}, type="message", text="Vi börjar om fem minuter.")
        await page.get_by_text("Vi börjar om fem minuter.").wait_for()
        await look(page, f"waiting-{name}")
        # Leave the queue comes under the messages, before the picture and the job: on a
        # phone the job comes last, and a long one put the button far down.
        assert await page.evaluate("""() => {
            const [messages, leave, picture] = ["#messages-heading", "[data-leave-queue]", "[data-self-view]"]
                .map((selector) => document.querySelector(`.waiting-room ${selector}`));
            const follows = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
            return follows(messages, leave) && follows(leave, picture);
        }""")

        # Leaving loses the place: asked first, the focus on staying (Escape stays too).
        await page.get_by_role("button", name=text["leave_queue"]).click()
        assert await page.evaluate("document.activeElement.textContent") == text["stay"]
        await look(page, f"leave-asked-{name}")
        await page.keyboard.press("Escape")
        assert await page.evaluate("document.activeElement.textContent") == text["leave_queue"]
        await page.get_by_role("button", name=text["leave_queue"]).click()
        await page.get_by_role("button", name=text["stay"]).click()
        await page.get_by_text(text["next"]).wait_for()
        await page.get_by_role("button", name=text["leave_queue"]).click()
        await page.get_by_role("button", name=text["leave_queue_yes"]).click()
        await phase(page, "left")
        await look(page, f"left-{name}")
        await page.get_by_role("button", name=text["again"]).click()
        await phase(page, "waiting")

        await interviewer.request({"dispatched"}, type="next")
        await phase(page, "offer")
        await look(page, f"offer-{name}")
        # By keyboard alone: the alert has the focus, its Join button is the next stop.
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == text["join"]
        await page.keyboard.press("Enter")
        await phase(page, "interview")
        await page.wait_for_function(
            "document.querySelector('[data-call-self]').videoWidth > 0", timeout=20000
        )
        await look(page, f"interview-alone-{name}")

        await page.get_by_role("button", name=text["leave_call"]).click()
        await look(page, f"leave-asked-{name}")
        await page.get_by_role("button", name=text["leave_yes"]).click()
        await phase(page, "feedback")
        await look(page, f"feedback-{name}")
        await page.get_by_label(text["no"], exact=True).check()
        await page.get_by_role("button", name=text["send"]).click()
        await phase(page, "thanks")
        await look(page, f"thanks-{name}")
    interested = await db.fetchval(
        """
        SELECT f.interested FROM interview_feedback f JOIN interview i ON i.id = f.interview_id
        WHERE i.candidate_id = $1""",
        event.candidates[0],
    )
    assert interested is False


@pytest.mark.parametrize(
    "language, words",
    [("sv", "1 nytt meddelande från intervjuarna"), ("en", "1 new message from the interviewers")],
)
async def test_a_message_below_the_fold_is_pointed_to_from_the_place(new_page, base_url, db, language, words):
    """On a phone the messages are below the fold: one that comes while they are out of sight
    is told by a link in the sticky box with the place, which goes once they are seen."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, language, "phone")
        await page.get_by_role("button", name=TEXTS[language]["checkin"]).click()
        await phase(page, "waiting")
        note = page.locator("[data-new-messages]")
        assert await note.is_hidden()
        await interviewer.request({"ok"}, type="message", text="Vi börjar om fem minuter.")
        await note.get_by_role("link", name=words).wait_for()
        await look(page, f"new-message-{language}-phone")
        await note.get_by_role("link").click()
        await note.wait_for(state="hidden")
        assert await page.get_by_text("Vi börjar om fem minuter.").is_visible()
        assert await page.evaluate("document.activeElement.id") == "messages-heading"
        # A message that comes while they are in sight needs no pointer.
        await interviewer.request({"ok"}, type="message", text="Nu kör vi.")
        await page.get_by_text("Nu kör vi.").wait_for()
        await page.wait_for_timeout(300)
        assert await note.is_hidden()
        # Scrolled to the end of the page, the messages are up under the sticky box: pointed to.
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        await interviewer.request({"ok"}, type="message", text="Snart er tur.")
        await note.wait_for()
        # Scrolled to it by hand: seen, and the link goes.
        await page.get_by_text("Snart er tur.").evaluate("item => item.scrollIntoView({block: 'center'})")
        await note.wait_for(state="hidden")


@asynccontextmanager
async def in_the_interview(new_page, base_url, db):
    """One candidate's page (in English, at phone width) in an interview: checked in, called
    in by the interviewer's socket and joined; yields (event, page, the interviewer's socket)."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, "en", "phone")
        await offered(page, interviewer, "en")
        await page.get_by_role("button", name="Join the interview").click()
        await phase(page, "interview")
        yield event, page, interviewer


async def test_interest_question_survives_the_event_ending(new_page, base_url, db):
    """The last interview ends as the event does: a reload still asks the question."""
    async with in_the_interview(new_page, base_url, db) as (event, page, interviewer):
        await interviewer.request({"ok"}, type="end")
        await phase(page, "feedback")
    await db.execute("UPDATE event SET state = 'finished' WHERE id = $1", event.id)
    await page.reload()
    await phase(page, "feedback")
    await page.get_by_label("Yes").check()
    await page.get_by_role("button", name="Send answer").click()
    await phase(page, "thanks")
    await page.reload()  # answered: now simply over
    await page.get_by_text("This event is over").wait_for()


async def test_an_event_deleted_during_the_interview_is_said_cancelled_not_asked_about(
    new_page, base_url, db
):
    """The employer deleted the event while the candidate was in their interview: the page
    asked whether the job sounded interesting, for an event that is gone. It loads its link,
    which says the event is cancelled."""
    async with in_the_interview(new_page, base_url, db) as (event, page, _interviewer):
        async with db.transaction():  # as the employer's Delete does (app/events/workflow.py)
            await event_queries.cancel(db, event.id)
            await cancelling.end_event_day(db, event.id)
            await queue.notify(db, event.id, "event_state")
        await page.get_by_text("This event has been cancelled").wait_for(timeout=20000)
        assert not await page.get_by_text("Did the job sound interesting").is_visible()


async def test_a_withdrawn_offer_is_explained_and_the_place_kept(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, "sv", "phone")
        await offered(page, interviewer, "sv")
        assert await page.title() == "Nu är det din tur! – Snabbintervjuer"
        await interviewer.request({"ok"}, type="withdraw")
        await phase(page, "waiting")
        await page.locator("[data-offer-note]").get_by_text("Intervjuaren drog tillbaka kallelsen").wait_for()
        await page.get_by_text("Du är näst på tur i kön.").wait_for()
        # Said to screen readers too: the focus goes to the heading, which does not read it.
        said = await page.text_content("[data-offer-note-status]")
        assert said and said.startswith("Intervjuaren drog tillbaka kallelsen")
        assert await page.get_attribute("[data-offer-note-status]", "role") == "status"
        assert await page.title() == "Din personliga sida – Snabbintervjuer"
        await look(page, "withdrawn-sv-phone")
        # Once said, the live region lets the words go: a screen reader reading the page meets
        # them once, in the notice that stays.
        await page.wait_for_function(
            "document.querySelector('[data-offer-note-status]').textContent === ''", timeout=15000
        )
        assert (
            await page.locator("[data-offer-note]")
            .get_by_text("Intervjuaren drog tillbaka kallelsen")
            .is_visible()
        )


@pytest.mark.parametrize(("language", "viewport"), [("sv", "phone"), ("en", "desktop")])
async def test_called_in_the_candidate_can_leave_the_queue_instead_of_missing_the_turn(
    new_page, base_url, db, language, viewport
):
    """Someone who cannot take the call now says so from the offer (asked once more), rather
    than letting its time run out: a miss sends them to the end and a second takes them out.
    The interviewer is told at once, and can call in the next."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    words = TEXTS[language]
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, language, viewport)
        await offered(page, interviewer, language)
        offer = page.locator('[data-phase="offer"]')
        await offer.get_by_role("button", name=words["leave_queue"]).click()
        # Asked once more, the focus on the answer that keeps the turn.
        assert await page.evaluate("document.activeElement.textContent") == words["stay"]
        await look(page, f"offer-leave-asked-{language}-{viewport}")
        await page.keyboard.press("Escape")  # No: back to the offer as it was
        assert await offer.get_by_role("button", name=words["leave_queue_yes"]).is_hidden()
        assert await page.evaluate("document.activeElement.textContent") == words["leave_queue"]
        assert await offer.get_by_role("button", name=words["join"]).is_visible()
        await offer.get_by_role("button", name=words["leave_queue"]).click()
        await offer.get_by_role("button", name=words["leave_queue_yes"]).click()
        await phase(page, "left")
        ended = await interviewer.wait_for(lambda m: m["type"] == "offer_ended")
        assert ended["reason"] == "left"
        assert (
            await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", event.candidates[0])
            == "left"
        )
        assert (
            await db.fetchval(
                "SELECT count(*) FROM interview WHERE candidate_id = $1 AND state IN ('offered', 'active')",
                event.candidates[0],
            )
            == 0
        )
        # Back in the waiting room's place, for a check-in again.
        await page.get_by_role("button", name=words["again"]).click()
        await phase(page, "waiting")
        leave = page.locator('[data-phase="waiting"]').get_by_role("button", name=words["leave_queue"])
        assert await leave.is_visible()


async def test_after_a_reload_the_page_asks_to_allow_the_sound(new_page, base_url, db):
    """Browsers keep a page silent until it is clicked (the test browser does not, so its
    AudioContext is made to behave so): the waiting room offers a button for the beep."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    await page.get_by_role("button", name="Check in").click()
    await phase(page, "waiting")
    await page.add_init_script("""(() => {
        let clicked = false;
        document.addEventListener("click", () => { clicked = true; }, true);
        const Real = window.AudioContext;
        window.AudioContext = class extends Real {
            get state() { return clicked ? super.state : "suspended"; }
            resume() { return clicked ? super.resume() : new Promise(() => {}); }
        };
    })()""")
    await page.reload()
    await phase(page, "waiting")
    button = page.get_by_role("button", name="Allow the sound for your turn")
    await button.wait_for()
    await look(page, "sound-blocked-en-desktop")
    await button.focus()
    await page.keyboard.press("Enter")
    await button.wait_for(state="hidden")
    # Said where the button was, with the focus there (not dropped to the page).
    await page.wait_for_function("document.activeElement.matches('[data-sound-on]')")
    assert await page.locator("[data-sound-on]").inner_text() == (
        "The sound is on: you hear a signal when it is your turn."
    )


async def test_the_page_follows_a_removal_and_the_end_of_the_event(new_page, base_url, db):
    """A waiting page whose registration ends (app/live/leaving.py) shows where its link now
    leads; one still waiting as the event's time runs out says the event is over. Both went
    on showing the place in the queue until a reload."""
    event = await make_live_event(db, interviewers=1, candidates=2)
    [removed, late], _ = await tokens(db, event)
    first = await open_candidate(new_page, base_url, removed, "en")
    second = await open_candidate(new_page, base_url, late, "sv", "phone")
    for page, language in ((first, "en"), (second, "sv")):
        await page.get_by_role("button", name=TEXTS[language]["checkin"]).click()
        await phase(page, "waiting")

    async with db.transaction():  # as the employer's Remove does (app/views/candidate_admin.py)
        await db.execute(
            "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'employer' WHERE id = $1",
            event.candidates[0],
        )
        await leaving.end_on_event_day(db, event.id, event.candidates[0], "removed", by_candidate=False)
    await first.get_by_text("has cancelled your registration for this event").wait_for()

    # The event's time runs out 3 s from now: no change comes then, the page's clock does it.
    await db.execute(
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes) + interval '3 seconds'"
        " WHERE id = $1",
        event.id,
    )
    await queue.notify(db, event.id, "event_state")  # the page learns the new end
    await second.get_by_text("Det här intervjutillfället är över").wait_for(timeout=20000)


async def test_a_page_let_in_no_more_loads_itself_again(new_page, base_url, db):
    """The registration ended while the page's socket was away (no notice reaches a page
    then): its handshakes are refused, which a browser does not explain; the page asks
    (PROTOCOL.md, "Let in?") and loads itself again instead of reconnecting for ever."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    await page.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
    await phase(page, "waiting")
    # The employer's Remove without its notice (as if it was sent while the socket was away):
    # the registration ends and its entry leaves the queue with it (the database holds that).
    async with db.transaction():
        await db.execute(
            "UPDATE candidate SET cancelled_at = now(), cancelled_by = 'employer' WHERE id = $1",
            event.candidates[0],
        )
        await db.execute(
            "UPDATE queue_entry SET state = 'left', left_reason = 'candidate' WHERE candidate_id = $1",
            event.candidates[0],
        )
    await page.evaluate("window.candidatePage.channel.ws.close()")  # the network drops
    await page.get_by_text("has cancelled your registration for this event").wait_for(timeout=30000)


async def test_the_end_coming_near_is_said_with_no_state_to_bring_it(new_page, base_url, db):
    """Nobody takes candidates, so nothing moves and no state comes: the page says the end
    when it comes within half an hour all the same (a late arrival waited, told only that
    nobody takes candidates, until the event was over)."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await db.execute(  # the end in 30 minutes and 4 seconds
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes - 30, secs => -4)"
        " WHERE id = $1",
        event.id,
    )
    [token], _interviewers = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    await page.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
    await phase(page, "waiting")
    await page.get_by_text("No interviewer is taking candidates right now").wait_for()
    assert "may not come before then" not in await page.text_content("[data-wait]")
    await page.get_by_text("so your turn may not come before then").wait_for(timeout=15000)


async def waiting_in_both_languages(new_page, base_url, first, second):
    """Two candidates checked in, in this order: the first's page in English, the second's in
    Swedish; returns the two pages."""
    pages = []
    for token, language in ((first, "en"), (second, "sv")):
        page = await open_candidate(new_page, base_url, token, language)
        await page.get_by_role("button", name=TEXTS[language]["checkin"]).click()
        await phase(page, "waiting")
        pages.append(page)
    return pages


async def test_the_waiting_room_says_when_the_interviews_start(new_page, base_url, db):
    """Checked in before the set start, with nobody taking candidates: the waiting room says
    when the interviews are to begin (it said only that nobody takes candidates right now),
    without claiming none has been held (an interviewer who began early may have paused),
    and gives the estimate once an interviewer is there."""
    event = await make_live_event(db, interviewers=1, candidates=2, starts_in_minutes=20)
    starts_at = await db.fetchval("SELECT starts_at FROM event WHERE id = $1", event.id)
    [first, second], [interviewer_token] = await tokens(db, event)
    pages = await waiting_in_both_languages(new_page, base_url, first, second)
    shown = starts_at.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%H:%M")
    said = (
        f"The interviews are set to start at {shown} Swedish time.",
        f"Intervjuerna ska börja kl. {shown} svensk tid.",
    )
    for page, words in zip(pages, said):
        # The zone named: a candidate abroad does not take it for their own time.
        await page.get_by_text(words).wait_for()
    await look(pages[1], "waiting-before-the-start-sv-desktop")
    async with interviewer_socket(base_url, interviewer_token):
        await pages[0].get_by_text("Estimated wait: about").wait_for()
        assert "start at" not in await pages[0].text_content("[data-wait]")


async def test_the_start_passing_is_drawn_with_no_state_to_bring_it(new_page, base_url, db):
    """Nothing moves, so no state comes at the set start: the page draws the waiting room
    again then by its own clock, and no longer names a start that has passed."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await db.execute("UPDATE event SET starts_at = now() + interval '5 seconds' WHERE id = $1", event.id)
    [token], _interviewers = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    await page.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
    await phase(page, "waiting")
    await page.get_by_text("The interviews are set to start at").wait_for()
    await page.get_by_text(
        "No interviewer is taking candidates right now, so there is no estimated wait. You keep"
    ).wait_for(timeout=15000)
    assert "start at" not in await page.text_content("[data-wait]")


async def test_a_wait_past_the_events_end_is_said(new_page, base_url, db):
    """Nobody is called after the event's end: a place whose estimated wait runs past it says
    so beside the estimate, instead of promising a wait that will not come."""
    event = await make_live_event(db, interviewers=1, candidates=2, interview_minutes=10)
    await db.execute(  # 4 minutes left
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes - 4) WHERE id = $1",
        event.id,
    )
    [first, second], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token):
        pages = await waiting_in_both_languages(new_page, base_url, first, second)
        await pages[1].get_by_text("Du är nummer 2 i kön.").wait_for()
        await pages[1].get_by_text("så din tur kanske inte kommer innan dess").wait_for()
        assert "may not come before then" not in await pages[0].text_content("[data-wait]")
        await look(pages[1], "wait-past-the-end-sv-desktop")
    # The interviewer gone, there is no estimate: the end so near is said all the same (a
    # late arrival waited, told only that nobody takes candidates, until the event was over).
    await pages[0].get_by_text("No interviewer is taking candidates right now").wait_for()
    await pages[0].get_by_text("so your turn may not come before then").wait_for()


async def test_a_wait_far_past_the_events_end_is_not_given_as_a_number(new_page, base_url, db):
    """An estimate hours past the end is no estimate: the page says plainly that the
    candidate's turn is unlikely to come before the end (with one interviewer as with many),
    and what they can do, not a wait of (at a national event's far end) days in minutes."""
    event = await make_live_event(db, interviewers=1, candidates=3, interview_minutes=90)
    await db.execute(  # 4 minutes left, interviews of an hour and a half
        "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes - 4) WHERE id = $1",
        event.id,
    )
    [first, second, third], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token):
        pages = await waiting_in_both_languages(new_page, base_url, first, second)
        page = await open_candidate(new_page, base_url, third, "en")
        await page.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
        await page.get_by_text("You are number 3 in the queue.").wait_for()
        await page.get_by_text(
            "There are more people ahead of you than there is likely to be time for"
        ).wait_for()
        assert "minutes" not in await page.text_content("[data-wait]")
        await pages[1].get_by_text("Det är fler före dig i kön än det troligen finns tid för").wait_for()
        await look(pages[1], "wait-far-past-the-end-sv-desktop")


async def test_an_answer_the_service_could_not_take_is_sent_again_by_itself(new_page, base_url, db, stack):
    """The interest answer answered `unavailable` (its interview's row held past the statement
    time-out, as a database that hangs does) is sent again by the page until it is taken:
    before, it stayed unsaved unless the candidate pressed Send again, and the page said "You
    keep your place" after the interview."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, "en", "desktop")
        await offered(page, interviewer, "en")
        await page.get_by_role("button", name="Join the interview").click()
        await phase(page, "interview")
        interview = await db.fetchval("SELECT id FROM interview WHERE event_id = $1", event.id)
        await interviewer.request({"ok"}, type="end")
        await phase(page, "feedback")
    holder = await asyncpg.connect(stack.environ["DATABASE_URL"])
    transaction = holder.transaction()
    await transaction.start()
    await holder.execute("SELECT 1 FROM interview WHERE id = $1 FOR UPDATE", interview)
    try:
        await page.get_by_label("Yes").check()
        await page.get_by_role("button", name="Send answer").click()
        await page.wait_for_function(
            "document.querySelector('[data-feedback-error]').textContent.startsWith('Your answer could not be saved')",
            timeout=30000,
        )
        assert "keep your place" not in await page.text_content("[data-feedback-error]")
    finally:
        await transaction.rollback()
        await holder.close()
    await phase(page, "thanks", timeout=30000)
    assert await db.fetchval("SELECT interested FROM interview_feedback WHERE interview_id = $1", interview)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_thanks_says_the_answer_back_and_it_can_be_changed(
    new_page, base_url, db, language, viewport
):
    """The thanks after the interest question said only that an answer was saved, not which:
    it says back what was saved, after a reload and on another page of theirs too, and the
    answer can be changed (the server replaces an answer sent again)."""
    said = {
        "sv": {
            "yes": "Ja, jobbet lät intressant.",
            "no": "Nej, jobbet lät inte intressant.",
            "change": "Ändra mitt svar",
            "keep": "Behåll mitt svar",
        },
        "en": {
            "yes": "Yes, the job sounded interesting.",
            "no": "No, the job did not sound interesting.",
            "change": "Change my answer",
            "keep": "Keep my answer",
        },
    }[language]
    text = TEXTS[language]
    event = await make_live_event(db, interviewers=1, candidates=1)
    [token], [interviewer_token] = await tokens(db, event)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        page = await open_candidate(new_page, base_url, token, language, viewport)
        other = await open_candidate(new_page, base_url, token, language, viewport)
        await offered(page, interviewer, language)
        await page.get_by_role("button", name=text["join"]).click()
        await phase(page, "interview")
        await interviewer.request({"ok"}, type="end")
        await phase(page, "feedback")
        await phase(other, "feedback")
    saved = page.locator("[data-answer-saved]")
    await page.get_by_label(text["yes"], exact=True).check()
    await page.get_by_label("Kommentar (frivilligt)" if language == "sv" else "Comment (optional)").fill(
        "Spännande jobb!\nHör av er."
    )
    await page.get_by_role("button", name=text["send"]).click()
    await phase(page, "thanks")
    await saved.get_by_text(said["yes"]).wait_for()
    assert await saved.locator("[data-answer-comment]").inner_text() == "Spännande jobb!\nHör av er."
    await look(page, f"answer-said-back-{language}-{viewport}")
    # The other page of theirs, which still asked the question, says it back too.
    await phase(other, "thanks")
    await other.locator("[data-answer-saved]").get_by_text(said["yes"]).wait_for()
    # And so does the page loaded again.
    await page.reload()
    await phase(page, "thanks")
    await saved.get_by_text(said["yes"]).wait_for()

    # Changed: the form comes as saved; Keep my answer goes back without a change.
    await page.get_by_role("button", name=said["change"]).click()
    await phase(page, "feedback")
    assert await page.get_by_label(text["yes"], exact=True).is_checked()
    assert await page.locator("#feedback-comment").input_value() == "Spännande jobb!\nHör av er."
    await look(page, f"answer-changing-{language}-{viewport}")
    await page.get_by_role("button", name=said["keep"]).click()
    await phase(page, "thanks")
    await saved.get_by_text(said["yes"]).wait_for()
    # Back on the control the form was opened with (not the thanks' heading), so a keyboard
    # or screen-reader user goes on from where they were: it opens the form again.
    assert await page.evaluate("document.activeElement.matches('[data-change-answer]')")
    await page.keyboard.press("Enter")
    await phase(page, "feedback")
    await page.get_by_label(text["no"], exact=True).check()
    await page.locator("#feedback-comment").fill("")
    await page.get_by_role("button", name=text["send"]).click()
    await phase(page, "thanks")
    await saved.get_by_text(said["no"]).wait_for()
    assert await saved.locator("[data-answer-comment]").is_hidden()
    assert await saved.locator("[data-answer-comment-term]").is_hidden()
    await look(page, f"answer-changed-{language}-{viewport}")
    # The other page, thanking all along, says back the answer as it now is.
    await other.locator("[data-answer-saved]").get_by_text(said["no"]).wait_for()
    row = await db.fetchrow(
        """
        SELECT f.interested, f.comment FROM interview_feedback f
        JOIN interview i ON i.id = f.interview_id WHERE i.candidate_id = $1""",
        event.candidates[0],
    )
    assert dict(row) == {"interested": False, "comment": ""}
