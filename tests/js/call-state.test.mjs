// The call's state machine (web/static/js/live/call-state.js), event by event.
// Run by tests/unit/test_call_state.py (node --test).
import assert from "node:assert/strict";
import test from "node:test";
import {
  AUDIO_ONLY_MS, GONE_MS, MET_GONE_MS, STALL_MS, UNREACHABLE_MS, initialState, next, qualityOf, showsVideo,
} from "../../web/static/js/live/call-state.js";

function run(events, state = initialState()) {
  for (const event of events) state = next(state, { attempt: state.attempt, ...event });
  return state;
}

const LIVE = [
  { type: "join", now: 0 }, { type: "link", up: true, now: 500 },
  { type: "feed", present: true, now: 600 }, { type: "frame", now: 900 },
];

test("a join connects, waits for the other person, then goes live on the first frame", () => {
  let s = next(initialState(), { type: "join", now: 0 });
  assert.equal(s.phase, "connecting");
  s = next(s, { type: "link", up: true, attempt: s.attempt, now: 400 });
  assert.equal(s.phase, "alone");
  assert.equal(s.remote, "absent");
  s = next(s, { type: "feed", present: true, attempt: s.attempt, now: 500 });
  assert.equal(s.phase, "connecting");
  s = next(s, { type: "frame", attempt: s.attempt, now: 800 });
  assert.equal(s.phase, "live");
  assert.ok(showsVideo(s));
});

test("the other person leaving shows them gone, coming back shows them again", () => {
  let s = run([...LIVE, { type: "feed", present: false, now: 2000 }]);
  assert.equal(s.phase, "alone");
  assert.equal(s.remote, "left");
  assert.ok(!showsVideo(s));
  s = run([{ type: "feed", present: true, now: 3000 }, { type: "frame", now: 3100 }], s);
  assert.equal(s.phase, "live");
});

test("the other person out of the room for GONE_MS is gone (who: other), until they are back", () => {
  let s = run([...LIVE, { type: "feed", present: false, now: 2000 }]);
  assert.equal(s.who, null); // a moment: their Leave or End may be ending the interview
  s = run([{ type: "tick", now: 2000 + GONE_MS - 1 }], s);
  assert.equal(s.who, null);
  s = run([{ type: "tick", now: 2000 + GONE_MS }], s);
  assert.deepEqual([s.phase, s.who, s.remote], ["alone", "other", "left"]);
  s = run([{ type: "feed", present: true, now: 9000 }], s);
  assert.deepEqual([s.phase, s.who], ["connecting", null]);
  // Never there yet: waiting for them, not gone.
  s = run([{ type: "join", now: 0 }, { type: "link", up: true, now: 400 }, { type: "tick", now: 60_000 }]);
  assert.deepEqual([s.phase, s.who, s.remote], ["alone", null, "absent"]);
});

test("a lost link is reconnecting, and unreachable after the bound, until it is back", () => {
  let s = run([...LIVE, { type: "link", up: false, now: 10_000 }]);
  assert.equal(s.phase, "reconnecting");
  assert.equal(s.who, "self");
  s = run([{ type: "sample", frames: 0, sound: false, now: 10_000 + UNREACHABLE_MS }], s);
  assert.equal(s.phase, "unreachable");
  s = run([{ type: "link", up: true, now: 40_000 }, { type: "frame", now: 40_200 }], s);
  assert.equal(s.phase, "live");
});

test("a rejoin by itself stays reconnecting and keeps the clock", () => {
  let s = run([...LIVE, { type: "link", up: false, now: 10_000 }]);
  s = next(s, { type: "join", again: true, now: 15_000 });
  assert.equal(s.phase, "reconnecting");
  s = next(s, { type: "sample", frames: 0, sound: false, attempt: s.attempt, now: 18_500 });
  assert.equal(s.phase, "unreachable");
  // A fresh join (a new interview, a click) starts from "connecting".
  s = next(s, { type: "join", now: 20_000 });
  assert.equal(s.phase, "connecting");
});

test("joining again by itself while never connected keeps saying so", () => {
  let s = run([{ type: "join", now: 0 }, { type: "tick", now: UNREACHABLE_MS + 1 }]);
  assert.equal(s.phase, "unreachable");
  s = next(s, { type: "join", again: true, now: UNREACHABLE_MS + 2000 });
  assert.equal(s.phase, "unreachable");
  s = run([{ type: "link", up: true, now: 30_000 }], s);
  assert.equal(s.phase, "alone");
});

test("never connecting is said within the bound", () => {
  let s = run([{ type: "join", now: 0 }]);
  s = run([{ type: "sample", frames: 0, sound: false, now: UNREACHABLE_MS - 1 }], s);
  assert.equal(s.phase, "connecting");
  s = run([{ type: "sample", frames: 0, sound: false, now: UNREACHABLE_MS }], s);
  assert.equal(s.phase, "unreachable");
});

test("the other side's picture stopping with their sound is their link: reconnecting", () => {
  let s = run([...LIVE, { type: "sample", frames: 25, sound: true, now: 2000 }]);
  s = run([{ type: "sample", frames: 0, sound: false, now: 3000 }], s);
  assert.equal(s.phase, "live"); // a short gap
  s = run([{ type: "sample", frames: 0, sound: false, now: 2000 + STALL_MS }], s);
  assert.equal(s.phase, "reconnecting");
  assert.equal(s.who, "other");
  s = run([{ type: "sample", frames: 20, sound: true, quality: "good", now: 9000 }], s);
  assert.equal(s.phase, "live");
});

test("sound before the first picture is not yet audio-only", () => {
  let s = run([{ type: "join", now: 0 }, { type: "link", up: true, now: 100 },
    { type: "feed", present: true, now: 200 }, { type: "sample", frames: null, sound: true, now: 1200 }]);
  assert.equal(s.phase, "connecting");
  s = run([{ type: "sample", frames: 0, sound: true, now: 200 + AUDIO_ONLY_MS }], s);
  assert.equal(s.phase, "audio-only"); // their camera never sent anything
});

test("their video is said to be seen once per appearance", () => {
  let s = run(LIVE);
  assert.ok(s.seen);
  s = run([{ type: "sample", frames: 0, sound: true, now: 2000 }], s);
  assert.equal(s.phase, "audio-only");
  assert.ok(s.seen);
  s = run([{ type: "feed", present: false, now: 3000 }, { type: "feed", present: true, now: 4000 }], s);
  assert.ok(!s.seen);
});

test("sound without pictures is audio-only; poor quality is degraded", () => {
  let s = run([...LIVE, { type: "sample", frames: 0, sound: true, now: 2000 }]);
  assert.equal(s.phase, "audio-only");
  assert.ok(!showsVideo(s));
  s = run([{ type: "sample", frames: 12, sound: true, quality: "poor", now: 3000 }], s);
  assert.equal(s.phase, "degraded");
  assert.ok(showsVideo(s));
});

test("events of a replaced attempt change nothing", () => {
  const old = run(LIVE);
  const s = next(old, { type: "join", now: 5000 });
  const after = next(s, { type: "frame", attempt: old.attempt, now: 5100 });
  assert.equal(after, s);
});

test("leave ends, fail fails, and what this side sends is kept", () => {
  let s = run([...LIVE, { type: "sending", sending: "audio-only:camera", now: 1000 }]);
  assert.equal(s.sending, "audio-only:camera");
  assert.equal(s.phase, "live");
  assert.equal(run([{ type: "fail" }], s).phase, "failed");
  assert.equal(run([{ type: "leave" }], s).phase, "ended");
});

test("quality is good only while frames arrive", () => {
  assert.equal(qualityOf({}), "unknown");
  assert.equal(qualityOf({ loss: 0, rtt: 0.02, fps: 25 }), "good");
  assert.equal(qualityOf({ loss: 0, rtt: 0.02, fps: 0 }), "poor");
  assert.equal(qualityOf({ loss: 0, rtt: 0.02, fps: 5 }), "fair");
  assert.equal(qualityOf({ loss: 0.05, rtt: 0.1, fps: 25 }), "fair");
  assert.equal(qualityOf({ loss: 0.2, rtt: 0.1, fps: 25 }), "poor");
  assert.equal(qualityOf({ loss: 0, rtt: 0.02, fps: null, videoExpected: false }), "good");
});

test("another window holding the call shows it here, whatever time or the link says, until a join", () => {
  let s = run([...LIVE, { type: "elsewhere", now: 2000 }]);
  assert.equal(s.phase, "elsewhere");
  assert.ok(!showsVideo(s));
  // No link of its own: time alone must not make it "unreachable".
  s = run([{ type: "tick", now: 2000 + UNREACHABLE_MS * 2 }], s);
  assert.equal(s.phase, "elsewhere");
  // Use this window: a new join connects again.
  s = run([{ type: "join", now: 30000 }], s);
  assert.equal(s.phase, "connecting");
  assert.equal(s.elsewhere, false);
  // Leaving wins over it (the interview ended while another window held the call).
  s = run([{ type: "elsewhere", now: 31000 }, { type: "leave", now: 32000 }], s);
  assert.equal(s.phase, "ended");
  // Out of the next interview's call too (another device has it): elsewhere, not ended.
  s = run([{ type: "elsewhere", now: 33000 }], s);
  assert.equal(s.phase, "elsewhere");
});

test("a join still under way when the call is taken elsewhere is dropped", () => {
  let s = run([{ type: "join", now: 0 }]);
  const joining = s.attempt;
  s = run([{ type: "elsewhere", now: 100 }], s);
  // What the join reports afterwards (its link coming up) belongs to an attempt that is over.
  s = next(s, { type: "link", up: true, attempt: joining, now: 200 });
  assert.equal(s.phase, "elsewhere");
  assert.notEqual(s.attempt, joining);
});

test("their camera switched off is camera-off, not audio-only or their connection", () => {
  const off = { type: "remote-devices", microphone: true, camera: false };
  // Sound without pictures, their page having said the camera is off: at once, no wait.
  let s = run([...LIVE, off, { type: "sample", frames: 0, sound: true, now: 1500 }]);
  assert.equal(s.phase, "camera-off");
  assert.equal(s.who, "other");
  assert.ok(!showsVideo(s));
  // Switched on again: their pictures make it live.
  s = run([{ type: "remote-devices", microphone: true, camera: true, now: 3000 },
    { type: "sample", frames: 25, sound: true, now: 3500 }], s);
  assert.equal(s.phase, "live");
});

test("camera and microphone both off is camera-off while anything comes, their link when nothing does", () => {
  const both = { type: "remote-devices", microphone: false, camera: false };
  let s = run([...LIVE, both, { type: "sample", frames: 0, sound: false, now: 1000 }]);
  assert.equal(s.phase, "camera-off");
  // Nothing at all for STALL_MS (a switched-off microphone still sends silence): their link.
  s = run([{ type: "sample", frames: 0, sound: false, now: 1000 + STALL_MS }], s);
  assert.equal(s.phase, "reconnecting");
  assert.equal(s.who, "other");
});

test("what their page said of its devices outlives a rejoin of this one", () => {
  let s = run([...LIVE, { type: "remote-devices", microphone: false, camera: false, now: 1000 }]);
  s = next(s, { type: "join", again: true, now: 2000 });
  assert.equal(s.remoteMic, false);
  assert.equal(s.remoteCamera, false);
});

test("a page loaded again that had met the other person says them gone after MET_GONE_MS", () => {
  // (A reload: it starts knowing nobody; the ticket's call was met in this browser before.)
  let s = run([{ type: "join", now: 0 }, { type: "link", up: true, now: 400 }, { type: "met", now: 500 }]);
  assert.deepEqual([s.phase, s.who], ["alone", null]);
  s = run([{ type: "tick", now: 500 + MET_GONE_MS - 1 }], s);
  assert.equal(s.who, null); // after a room move the other page may be a moment slower
  s = run([{ type: "tick", now: 500 + MET_GONE_MS }], s);
  assert.deepEqual([s.phase, s.who, s.remote], ["alone", "other", "absent"]);
  // Back: as when they come back in the same page.
  s = run([{ type: "feed", present: true, now: 9000 }, { type: "frame", now: 9100 }], s);
  assert.equal(s.phase, "live");
  // A new join (another call) knows nothing of it.
  s = run([{ type: "join", now: 20_000 }, { type: "link", up: true, now: 20_400 }, { type: "tick", now: 60_000 }], s);
  assert.deepEqual([s.phase, s.who], ["alone", null]);
});

test("their page unable to start its camera or microphone is alone (problem) until it can", () => {
  const up = [{ type: "join", now: 0 }, { type: "link", up: true, now: 400 }];
  let s = run([...up, { type: "remote-devices", microphone: true, camera: true, problem: "blocked", now: 500 }]);
  assert.deepEqual([s.phase, s.who], ["alone", "problem"]);
  // Still so after GONE_MS and across this page's own rejoin: it is why they do not come.
  s = run([{ type: "tick", now: 500 + GONE_MS + MET_GONE_MS }], s);
  assert.deepEqual([s.phase, s.who], ["alone", "problem"]);
  s = run([{ type: "join", again: true, now: 9000 }, { type: "link", up: true, now: 9100 }], s);
  assert.deepEqual([s.phase, s.who], ["alone", "problem"]);
  // Their Join again started them: they come into the call as anyone does.
  s = run([{ type: "remote-devices", microphone: true, camera: true, problem: null, now: 9500 },
    { type: "feed", present: true, now: 9600 }, { type: "frame", now: 9700 }], s);
  assert.equal(s.phase, "live");
});

test("one who joins with sound only (no camera) is waited for as anyone, then heard with their camera off", () => {
  const up = [{ type: "join", now: 0 }, { type: "link", up: true, now: 400 }];
  let s = run([...up, { type: "remote-devices", microphone: true, camera: false, problem: "no_camera", now: 500 }]);
  assert.deepEqual([s.phase, s.who], ["alone", null]); // coming, not "being shown what to do"
  s = run([{ type: "feed", present: true, now: 600 },
    { type: "sample", frames: 0, sound: true, now: 1600 }], s);
  assert.deepEqual([s.phase, s.who], ["camera-off", "other"]);
});

test("one whose camera was switched off and whose join then failed is still said to have a problem", () => {
  const up = [{ type: "join", now: 0 }, { type: "link", up: true, now: 400 }];
  const s = run([...up, { type: "remote-devices", microphone: true, camera: false, problem: "blocked", now: 500 }]);
  assert.deepEqual([s.phase, s.who], ["alone", "problem"]);
});
