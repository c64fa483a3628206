"""The camera stopping mid-call (call-view.js, janus-room.js): the call goes on with sound
only, both people are told, and the video can be turned back on."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.test_candidate_live_call import start_call, two_in_a_call

pytestmark = pytest.mark.browser

PHASE = "window.callView.state.phase"
# Frames of the other person's video decoded so far (getStats, via the call's figures).
FRAMES = "window.callView.figures ? window.callView.figures.framesDecoded : 0"


async def wait_phase(page, phase, timeout=20000):
    await page.wait_for_function(f"{PHASE} === {phase!r}", timeout=timeout)


async def test_camera_stopping_goes_on_with_sound_and_comes_back(app_server, settings, new_page):
    tickets, pages = await two_in_a_call(app_server, settings, new_page)
    for page in pages:
        await wait_phase(page, "live")
    sender, receiver = pages
    # The camera's track ends (as when the device goes away; the fake camera cannot be unplugged).
    await sender.evaluate("document.querySelector('[data-call-self]').srcObject.getVideoTracks()[0].stop()")
    await sender.wait_for_function("window.callView.state.sending === 'audio-only:camera'", timeout=10000)
    assert await sender.is_visible("[data-call-video-note]")
    assert await sender.text_content("[data-call-video-note-text]") == (
        "Your camera stopped, so the call goes on with sound only."
    )
    # Said to screen readers, in the live region that was there before the note showed.
    assert await sender.text_content("[data-call-video-said]") == (
        "Your camera stopped, so the call goes on with sound only."
    )
    assert await sender.is_visible("[data-call-self-off]")
    # The other side hears them still and is told why the picture is gone.
    await wait_phase(receiver, "audio-only")
    assert await receiver.text_content("[data-call-status]") == (
        "The other person's video is paused (weak connection or camera). You can still hear each other."
    )
    assert await receiver.is_visible("[data-call-waiting]")
    # No frames arrive: the connection is not called good.
    assert await receiver.get_attribute("[data-call-quality]", "data-level") != "good"
    await sender.wait_for_function(PHASE + " === 'live'")  # their video still comes to us
    await assert_accessible(sender)
    await assert_accessible(receiver)
    for language in ("sv", "en"):
        for page, who in ((sender, "sender"), (receiver, "receiver")):
            await page.evaluate(
                "(code) => import('/static/js/live/texts.js').then((texts) => texts.setLanguage(code))",
                language,
            )
            for name, size in (
                ("desktop", {"width": 1280, "height": 800}),
                ("phone", {"width": 390, "height": 844}),
            ):
                await page.set_viewport_size(size)
                await page.screenshot(path=f"/tmp/shots-callstate/camera-{who}-{language}-{name}.png")
    assert await sender.text_content("[data-call-video-on]") == "Turn video back on"
    # Video back on: a new camera track, and the other side sees it again.
    frames = await receiver.evaluate(FRAMES)
    await sender.click("[data-call-video-on]")
    await sender.wait_for_function("window.callView.state.sending === 'video'", timeout=10000)
    assert await sender.is_hidden("[data-call-video-note]")
    await wait_phase(receiver, "live")
    await receiver.wait_for_function(f"({FRAMES}) > {frames} + 10", timeout=15000)
    assert await receiver.text_content("[data-call-status]") == ""
    # A reload after all this joins with the camera as usual.
    await sender.reload()
    await start_call(sender, tickets[0])
    await wait_phase(sender, "live")


async def test_the_camera_turned_off_stops_the_picture_for_the_other_side(app_server, settings, new_page):
    """Turn camera off: the other side sees the picture stop and is told, not a black picture
    on a connection called good (a muted track alone still sends black frames); on again,
    the picture comes back."""
    tickets, pages = await two_in_a_call(app_server, settings, new_page)
    for page in pages:
        await wait_phase(page, "live")
    sender, receiver = pages
    await sender.click("[data-call-camera]")
    await wait_phase(receiver, "audio-only")
    assert await receiver.text_content("[data-call-status]") == (
        "The other person's video is paused (weak connection or camera). You can still hear each other."
    )
    assert await receiver.is_visible("[data-call-waiting]")
    frames = await receiver.evaluate(FRAMES)
    await receiver.wait_for_timeout(2000)
    assert await receiver.evaluate(FRAMES) <= frames + 2  # nothing relayed (a frame in flight at most)
    assert await sender.is_visible("[data-call-self-off]")
    assert await sender.evaluate("window.callView.state.sending") == "video"  # not a pause to undo
    # A rejoin (as when the interview moves to a new room) keeps the camera off: the new
    # publisher is relayed as off once its media is up.
    await sender.evaluate("(ticket) => window.callView.join(ticket, {again: true})", tickets[0])
    await receiver.wait_for_function("window.callView.state.phase !== 'audio-only'", timeout=20000)
    await wait_phase(receiver, "audio-only")
    frames = await receiver.evaluate(FRAMES)
    await receiver.wait_for_timeout(2000)
    assert await receiver.evaluate(FRAMES) <= frames + 2
    await sender.click("[data-call-camera]")
    await wait_phase(receiver, "live")
    await receiver.wait_for_function(f"({FRAMES}) > {frames} + 10", timeout=15000)
    assert await receiver.text_content("[data-call-status]") == ""
