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

// A peer connection with one transceiver per [mid, direction]; its senders record the
// ceilings asked, and refuse them while `refuse` is set.
function fakeConnection(transceivers) {
  const made = transceivers.map(([mid, direction]) => {
    const sender = {
      asked: [],
      refuse: false,
      pending: null,
      getParameters: () => ({ encodings: [{}] }),
      setParameters(parameters) {
        sender.asked.push(parameters.encodings[0].maxBitrate);
        if (sender.refuse) return Promise.reject(new DOMException("getParameters() has never been called"));
        return new Promise((resolve) => { sender.pending = resolve; });
      },
    };
    return { mid, direction, sender };
  });
  return { getTransceivers: () => made, made };
}

test("the encoder's ceiling goes to our sending transceiver, one change at a time", async () => {
  const receiving = fakeConnection([["1", "recvonly"]]);
  const publishing = fakeConnection([["0", "sendonly"], ["1", "sendonly"]]);
  const sender = new VideoSender(fakePublisher({ mid: "1" }), () => [receiving, publishing]);
  const video = publishing.made[1].sender;
  sender.setBitrate(300);
  sender.setBitrate(200); // the first still under way: skipped, the next second's makes it good
  assert.deepEqual(video.asked, [300000]);
  assert.deepEqual(receiving.made[0].sender.asked, []);
  video.pending();
  await new Promise((resolve) => setTimeout(resolve));
  sender.setBitrate(200);
  assert.deepEqual(video.asked, [300000, 200000]);
});

test("a ceiling the browser refuses is no error on the page, and the next is asked", async () => {
  const publishing = fakeConnection([["1", "sendonly"]]);
  const sender = new VideoSender(fakePublisher({ mid: "1" }), () => [publishing]);
  const video = publishing.made[0].sender;
  video.refuse = true;
  await sender.setBitrate(300); // resolves: the refusal is caught
  video.refuse = false;
  sender.setBitrate(250);
  assert.deepEqual(video.asked, [300000, 250000]);
});
