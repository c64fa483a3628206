// When a pressed control of the live pages says that its reply is awaited
// (web/static/js/live/press-timing.js), on the fake clock of node:test: nothing for a quick
// reply, "working" after a moment, "slow" after a few seconds, gone at once with the reply.
// Run by tests/unit/test_call_state.py (node --test).
import assert from "node:assert/strict";
import test from "node:test";
import { SLOW_AFTER_MS, WORKING_AFTER_MS, timePress } from "../../web/static/js/live/press-timing.js";

function pressed() {
  const seen = [];
  const finish = timePress({
    onWorking: () => seen.push("working"),
    onSlow: () => seen.push("slow"),
    onDone: () => seen.push("done"),
  });
  return { seen, finish };
}

test("a quick reply shows no sign at all", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { seen, finish } = pressed();
  t.mock.timers.tick(WORKING_AFTER_MS - 1);
  finish();
  t.mock.timers.tick(SLOW_AFTER_MS * 2);
  assert.deepEqual(seen, []);
});

test("working after a moment, slow after a few seconds, gone with the reply", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { seen, finish } = pressed();
  t.mock.timers.tick(WORKING_AFTER_MS);
  assert.deepEqual(seen, ["working"]);
  t.mock.timers.tick(SLOW_AFTER_MS - WORKING_AFTER_MS - 1);
  assert.deepEqual(seen, ["working"]);
  t.mock.timers.tick(1);
  assert.deepEqual(seen, ["working", "slow"]);
  finish();
  assert.deepEqual(seen, ["working", "slow", "done"]);
});

test("a reply between the two takes the sign away and says nothing slow later", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { seen, finish } = pressed();
  t.mock.timers.tick(WORKING_AFTER_MS + 100);
  finish();
  finish(); // (a second call changes nothing)
  t.mock.timers.tick(SLOW_AFTER_MS * 2);
  assert.deepEqual(seen, ["working", "done"]);
});

test("the sign comes after a second and slow well before the server's refusal", () => {
  assert.ok(WORKING_AFTER_MS >= 500 && WORKING_AFTER_MS <= 1500, WORKING_AFTER_MS);
  // app/live/action_bound.py ACTION_SECONDS = 4.0: slow is said before it refuses.
  assert.ok(SLOW_AFTER_MS > WORKING_AFTER_MS && SLOW_AFTER_MS <= 3000, SLOW_AFTER_MS);
});

test("timers given are used instead of the global ones", () => {
  const calls = [];
  const timers = {
    setTimeout: (fn, ms) => { calls.push(ms); return { fn }; },
    clearTimeout: (handle) => calls.push(handle ? "cleared" : "none"),
  };
  const finish = timePress({ onWorking() {}, onSlow() {}, onDone() {} }, timers);
  finish();
  assert.deepEqual(calls, [WORKING_AFTER_MS, SLOW_AFTER_MS, "cleared", "cleared"]);
});
