// The video's bitrate under loss (web/static/js/send-control.js), second by second.
// Run by tests/unit/test_call_state.py (node --test).
import assert from "node:assert/strict";
import test from "node:test";
import { FLOOR_KBPS, MAX_KBPS, adapt, initialControl, resume } from "../../web/static/js/send-control.js";

function seconds(control, figures, count) {
  for (let i = 0; i < count; i += 1) control = adapt(control, figures);
  return control;
}

test("moderate loss holds the bitrate where it is: it cannot climb", () => {
  const c = seconds(initialControl(), { loss: 0.1, sent: 450 }, 10);
  assert.equal(c.target, Math.round(450 * 1.05));
  assert.ok(!c.paused);
});

test("heavy loss brings it down to the floor, not below, and keeps the video", () => {
  let c = adapt(initialControl(), { loss: 0.3, sent: 500 });
  assert.equal(c.target, Math.round(500 * 0.85)); // the first second counts in full
  assert.ok(c.changed);
  c = seconds(c, { loss: 0.3, sent: 300 }, 30);
  assert.equal(c.target, FLOOR_KBPS);
  assert.ok(!c.paused);
});

test("a clean stretch raises it again, step by step, up to the maximum", () => {
  let c = seconds(initialControl(), { loss: 0.3, sent: 300 }, 20);
  c = seconds(c, { loss: 0, sent: FLOOR_KBPS }, 14); // the loss fades, then 8 clean seconds
  assert.ok(c.target > FLOOR_KBPS && c.target < FLOOR_KBPS * 2, c.target);
  c = seconds(c, { loss: 0, sent: 1000 }, 200);
  assert.equal(c.target, MAX_KBPS);
});

test("no bandwidth for the floor pauses the video; resuming starts low and afresh", () => {
  let c = seconds(initialControl(), { loss: 0.01, available: 60, sent: 50 }, 5);
  assert.ok(!c.paused);
  c = adapt(c, { loss: 0.01, available: 60, sent: 50 });
  assert.ok(c.paused && c.pause);
  assert.ok(!adapt(c, { loss: 0 }).pause); // said once
  c = resume(c);
  assert.equal(c.target, FLOOR_KBPS * 2);
  assert.ok(!c.paused);
});

test("one lossy second among clean ones does not bring it down", () => {
  let c = seconds(initialControl(), { loss: 0, sent: 600 }, 3);
  c = adapt(c, { loss: 0.25, sent: 600 });
  assert.equal(c.target, 630); // held just above what it sends, not brought down
});

test("no figures change nothing", () => {
  const c = adapt(initialControl(), {});
  assert.equal(c.target, MAX_KBPS);
  assert.ok(!c.changed);
});
