// The own video's camera button against Janus (web/static/js/video-sender.js): what Janus is
// asked to relay, and when, with a publisher handle that records what it is told.
import assert from "node:assert/strict";
import test from "node:test";
import { VideoSender } from "../../web/static/js/video-sender.js";

// The janus.js handle's part VideoSender uses; `relays` is every `send` of a configure asked.
function fakePublisher({ mid = "1" } = {}) {
  const publisher = {
    mid,
    muted: false,
    relays: [],
    getLocalTracks: () => (publisher.mid === undefined ? [] : [{ type: "video", mid: publisher.mid }]),
    muteVideo: () => { publisher.muted = true; },
    unmuteVideo: () => { publisher.muted = false; },
    setMaxBitrate: () => {},
    send: ({ message }) => {
      if (message.streams) publisher.relays.push(message.streams[0].send);
    },
    replaceTracks: ({ success }) => success(),
  };
  return publisher;
}

const SECOND = { lossOut: 0, kbpsOut: 500, available: null };

test("camera off in a call: the track is muted and Janus stops relaying; on: both back", () => {
  const publisher = fakePublisher();
  const sender = new VideoSender(publisher);
  sender.follow(SECOND, { slow: false, linkUp: true });
  sender.setCamera(false);
  assert.equal(publisher.muted, true);
  assert.deepEqual(publisher.relays, [false]);
  sender.follow(SECOND, { slow: false, linkUp: true });
  assert.deepEqual(publisher.relays, [false]); // asked once, not every second
  sender.setCamera(true);
  assert.equal(publisher.muted, false);
  assert.deepEqual(publisher.relays, [false, true]);
});

test("the button pressed the same way twice asks Janus nothing", () => {
  const publisher = fakePublisher();
  const sender = new VideoSender(publisher);
  sender.follow(SECOND, { slow: false, linkUp: true });
  sender.setCamera(true);
  assert.deepEqual(publisher.relays, []);
});

test("camera off before the media is up: Janus is asked once it is", () => {
  const publisher = fakePublisher({ mid: undefined });
  const sender = new VideoSender(publisher);
  sender.setCamera(false); // before the offer: no mid yet
  assert.equal(publisher.muted, true);
  assert.deepEqual(publisher.relays, []);
  publisher.mid = "1";
  sender.follow(SECOND, { slow: false, linkUp: false });
  assert.deepEqual(publisher.relays, []);
  sender.follow(SECOND, { slow: false, linkUp: true });
  assert.deepEqual(publisher.relays, [false]);
});

test("a pause undone while the camera is off keeps the picture off", async () => {
  const publisher = fakePublisher();
  const sender = new VideoSender(publisher);
  sender.follow(SECOND, { slow: false, linkUp: true });
  sender.pause("audio-only:bandwidth");
  assert.deepEqual(publisher.relays, [false]);
  sender.setCamera(false); // during the pause: kept for the resume
  await sender.resume();
  assert.equal(sender.sending, "video");
  assert.equal(publisher.muted, true);
  assert.deepEqual(publisher.relays, [false]);
  sender.setCamera(true);
  assert.equal(publisher.muted, false);
  assert.deepEqual(publisher.relays, [false, true]);
});
