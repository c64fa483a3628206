// call-sound-only.js: which own sending is told as which problem, and when a feed of sound
// alone counts as the other person.
import assert from "node:assert/strict";
import test from "node:test";

const { SoundOnlyFeed, soundOnlyProblem } = await import("../../web/static/js/live/call-sound-only.js");

const stream = (audio, video) => ({
  getAudioTracks: () => Array(audio).fill({}),
  getVideoTracks: () => Array(video).fill({}),
});

test("the sending of a call without a camera is told as its problem; others are not", () => {
  assert.equal(soundOnlyProblem("audio-only:no-camera"), "no_camera");
  assert.equal(soundOnlyProblem("audio-only:camera-in-use"), "in_use");
  assert.equal(soundOnlyProblem("audio-only:bandwidth"), null);
  assert.equal(soundOnlyProblem("video"), null);
});

test("a feed of sound alone is them at once when their page said it has no camera", () => {
  const shown = [];
  const feed = new SoundOnlyFeed((s, attempt) => shown.push(attempt));
  feed.offer(stream(1, 0), 3, true);
  assert.deepEqual(shown, [3]);
});

test("otherwise it waits for their word, and their video arriving first wins", () => {
  const shown = [];
  const feed = new SoundOnlyFeed((s, attempt) => shown.push(attempt));
  const sound = stream(1, 0);
  feed.offer(sound, 1, false);
  assert.deepEqual(shown, []);
  feed.told();
  assert.deepEqual(shown, [1]);
  const later = { ...stream(1, 0) };
  feed.offer(later, 2, false);
  later.getVideoTracks = () => [{}];  // their video came
  feed.told();
  assert.deepEqual(shown, [1]);
  feed.forget();
});
