"""A camera or microphone switched off in a call is said to the other side as such
(app/live/PROTOCOL.md `devices`, live/call-devices.js), on the real pages: the candidate's
page and the meeting web, through the live socket and Janus."""

from __future__ import annotations

import pytest

from tests.browser.interviewer_support import look, make_meeting_event, open_meeting
from tests.browser.test_live_event_e2e import both_see_each_other, open_candidate, phase

pytestmark = pytest.mark.browser

CANDIDATE_CALL = "[data-phase=interview] [data-call]"
INTERVIEWER_CALL = "#interview [data-call]"
CAMERA_OFF = "The other person has turned their camera off. You can still hear each other."
MICROPHONE_OFF = "The other person's microphone is off."
BOTH_OFF = "The other person has turned their camera and microphone off."


async def status_is(page, call: str, text: str) -> None:
    await page.wait_for_function(
        "([call, text]) => document.querySelector(call + ' [data-call-status]').textContent === text",
        arg=[call, text],
        timeout=15000,
    )


# Every peer connection the page makes, kept where a test can read its senders.
KEEP_PEER_CONNECTIONS = """
window.keptPeerConnections = [];
window.RTCPeerConnection = class extends window.RTCPeerConnection {
  constructor(...args) { super(...args); window.keptPeerConnections.push(this); }
};
"""


async def into_the_call(interviewer, candidate) -> None:
    """The candidate checks in, the interviewer presses Next, the candidate joins."""
    await candidate.locator("[data-checkin]").click()
    await phase(candidate, "waiting")
    await interviewer.locator("#next").click()
    await phase(candidate, "offer")
    await candidate.locator("[data-join]").click()
    await interviewer.wait_for_selector("#interview:not([hidden])")


async def test_a_camera_or_microphone_switched_off_is_said_not_read_as_the_connection(new_page, db, base_url):
    _event, interviewer_tokens, candidate_tokens = await make_meeting_event(db, interviewers=1, candidates=1)
    interviewer_page = await new_page(viewport={"width": 1100, "height": 900})
    await interviewer_page.add_init_script(KEEP_PEER_CONNECTIONS)
    interviewer = await open_meeting(interviewer_page, interviewer_tokens[0])
    candidate, _ = await open_candidate(new_page, base_url, candidate_tokens[0], "en")
    await into_the_call(interviewer, candidate)
    await both_see_each_other(interviewer, candidate)
    # The bitrate control reaches the encoder: our video's sender has the ceiling it set
    # (video-sender.js), refused or not without an error on the page.
    await interviewer.wait_for_function(
        """() => window.keptPeerConnections.flatMap((pc) => pc.getSenders())
              .filter((sender) => sender.track?.kind === "video")
              .some((sender) => sender.getParameters().encodings?.[0]?.maxBitrate > 0)""",
        timeout=10000,
    )

    # The interviewer's camera off: the candidate is told it is their camera, and the
    # quality is not held down for a picture nobody sends.
    await interviewer.locator(f"{INTERVIEWER_CALL} [data-call-camera]").click()
    await status_is(candidate, CANDIDATE_CALL, CAMERA_OFF)
    assert await candidate.get_attribute(CANDIDATE_CALL, "data-phase") == "camera-off"
    assert await candidate.locator(f"{CANDIDATE_CALL} [data-call-waiting]").inner_text() == "Camera off"
    await candidate.wait_for_function(
        "(call) => document.querySelector(call + ' [data-call-quality]').dataset.level === 'good'",
        arg=CANDIDATE_CALL,
        timeout=10000,
    )

    # And their microphone too: one sentence, not "you can still hear each other" beside it.
    await interviewer.locator(f"{INTERVIEWER_CALL} [data-call-mic]").click()
    await status_is(candidate, CANDIDATE_CALL, BOTH_OFF)
    await interviewer.locator(f"{INTERVIEWER_CALL} [data-call-mic]").click()
    await status_is(candidate, CANDIDATE_CALL, CAMERA_OFF)

    # The candidate's microphone off: the interviewer's status line says so, their picture stays.
    await candidate.locator(f"{CANDIDATE_CALL} [data-call-mic]").click()
    await status_is(interviewer, INTERVIEWER_CALL, MICROPHONE_OFF)
    assert await interviewer.get_attribute(INTERVIEWER_CALL, "data-phase") == "live"
    await look(candidate, "call-devices-candidate-en-desktop")
    await look(interviewer, "call-devices-interviewer-en-desktop")

    # Both back on: nothing more is said, the candidate sees the interviewer again.
    await interviewer.locator(f"{INTERVIEWER_CALL} [data-call-camera]").click()
    await candidate.locator(f"{CANDIDATE_CALL} [data-call-mic]").click()
    await status_is(candidate, CANDIDATE_CALL, "")
    await status_is(interviewer, INTERVIEWER_CALL, "")
    await candidate.wait_for_function(
        "(call) => document.querySelector(call).dataset.phase === 'live'", arg=CANDIDATE_CALL, timeout=15000
    )
    # Muted, then the page reloaded: it joins again with its microphone on and says so, so the
    # other side is not left reading "microphone is off" (the server held the old page's word).
    await candidate.locator(f"{CANDIDATE_CALL} [data-call-mic]").click()
    await status_is(interviewer, INTERVIEWER_CALL, MICROPHONE_OFF)
    await candidate.reload()
    await candidate.wait_for_function(
        "(call) => document.querySelector(call).dataset.phase === 'live'", arg=CANDIDATE_CALL, timeout=20000
    )
    await status_is(interviewer, INTERVIEWER_CALL, "")


# A computer without a camera: Chromium's fake devices always have one, so the page's own
# calls are told there is none (the only way to show this fault here).
NO_CAMERA = """
(() => {
  const devices = navigator.mediaDevices;
  const ask = devices.getUserMedia.bind(devices);
  const list = devices.enumerateDevices.bind(devices);
  devices.getUserMedia = (constraints) => constraints?.video
    ? Promise.reject(new DOMException("Requested device not found", "NotFoundError"))
    : ask(constraints);
  devices.enumerateDevices = async () => (await list()).filter((device) => device.kind !== "videoinput");
})();
"""


async def test_a_candidate_without_a_camera_takes_part_with_sound_only(new_page, db, base_url):
    """No camera (call-sound-only.js): the call goes on with the microphone alone, the
    candidate is told so, and the interviewer hears them and is told why there is no picture."""
    _event, interviewer_tokens, candidate_tokens = await make_meeting_event(db, interviewers=1, candidates=1)
    interviewer = await open_meeting(
        await new_page(viewport={"width": 1100, "height": 900}), interviewer_tokens[0]
    )

    async def without_a_camera(**_):
        page = await new_page(viewport={"width": 390, "height": 844})
        await page.add_init_script(NO_CAMERA)
        return page

    candidate, _ = await open_candidate(without_a_camera, base_url, candidate_tokens[0], "en")
    await into_the_call(interviewer, candidate)
    # The candidate: in the call, told it is sound only, no camera button to press.
    note = candidate.locator(f"{CANDIDATE_CALL} [data-call-video-note-text]")
    await note.filter(has_text="No camera was found, so you take part with sound only.").wait_for(
        timeout=15000
    )
    assert await candidate.locator(f"{CANDIDATE_CALL} [data-call-camera]").is_hidden()
    assert await candidate.locator(f"{CANDIDATE_CALL} [data-call-video-on]").is_hidden()
    await candidate.wait_for_function(
        "(call) => document.querySelector(call).dataset.phase === 'live'", arg=CANDIDATE_CALL, timeout=20000
    )
    # The interviewer: hears them (their sound is played), and is told why no picture comes.
    await interviewer.wait_for_function(
        """(call) => {
             const remote = document.querySelector(call + ' [data-call-remote]');
             return remote.srcObject?.getAudioTracks().length > 0 && !remote.paused;
           }""",
        arg=INTERVIEWER_CALL,
        timeout=15000,
    )
    status = interviewer.locator(f"{INTERVIEWER_CALL} [data-call-status]")
    await status.filter(has_text="camera could not be started, so they take part with sound only.").wait_for(
        timeout=15000
    )
    assert "No camera was found on their device." in await status.inner_text()
    assert await interviewer.get_attribute(INTERVIEWER_CALL, "data-phase") == "camera-off"
    await look(candidate, "call-sound-only-candidate-en-phone")
    await look(interviewer, "call-sound-only-interviewer-en-desktop")
