// The candidate's page by its state alone (web/static/js/live/candidate-phases.js phaseOf,
// leftQueueText; candidate-day-clock.js nextLookIn, overWhileWaiting): which phase a state
// shows, and when the page must look again with no state to bring the change.
import assert from "node:assert/strict";
import test from "node:test";

globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { leftQueueText, phaseOf } = await import("../../web/static/js/live/candidate-phases.js");
const { nextLookIn, overWhileWaiting } = await import("../../web/static/js/live/candidate-day-clock.js");

const queue = (state, reason) => ({ queue: { state, reason } });

test("the phase a state shows, the call first", () => {
  assert.equal(phaseOf({ ...queue("interviewing"), interview: { id: 1 }, offer: null }, false), "interview");
  assert.equal(phaseOf({ ...queue("offered"), offer: { interview: 1 } }, false), "offer");
  assert.equal(phaseOf({ ...queue("done"), feedback_open: true }, false), "feedback");
  assert.equal(phaseOf(queue("offered"), false), "waiting"); // the offer gone, its state not yet
  assert.equal(phaseOf(queue("away"), false), "left");
  assert.equal(phaseOf(queue("left"), false), "left");
  assert.equal(phaseOf(queue(null), false), "before");
});

test("the thanks, or the saved answer's form while it is being changed", () => {
  assert.equal(phaseOf(queue("done"), false), "thanks");
  assert.equal(phaseOf(queue("done"), true), "feedback");
});

test("the words after the queue was left say how it was left", () => {
  assert.match(leftQueueText({ state: "away" }), /^You were away for a while/);
  assert.match(leftQueueText({ state: "left", reason: "missed" }), /twice/);
  assert.equal(leftQueueText({ state: "left" }), "If you check in again, you join at the end of the queue.");
  assert.equal(leftQueueText(undefined), "If you check in again, you join at the end of the queue.");
});

const MINUTE = 60000;
const day = (now, startsAt = "2026-12-05T09:00:00Z") => ({
  now, event: { starts_at: startsAt, ends_at: "2026-12-05T15:00:00Z", state: "live" },
});

test("waiting, the page looks again at the set start, as the end comes near and at the end", () => {
  assert.equal(nextLookIn(day("2026-12-05T08:50:00Z"), "waiting"), 10 * MINUTE + 1000);
  // Past the start: half an hour before the end (an hour at most at a time).
  assert.equal(nextLookIn(day("2026-12-05T13:00:00Z"), "waiting"), 3600 * 1000);
  assert.equal(nextLookIn(day("2026-12-05T14:10:00Z"), "waiting"), 20 * MINUTE + 1000);
  // Within the last half hour: at the end.
  assert.equal(nextLookIn(day("2026-12-05T14:50:00Z"), "waiting"), 10 * MINUTE + 1000);
  assert.equal(nextLookIn(day("2026-12-05T15:00:10Z"), "waiting"), null);
});

test("before check-in and after leaving only the end counts; in a call nothing", () => {
  assert.equal(nextLookIn(day("2026-12-05T14:10:00Z"), "left"), 50 * MINUTE + 1000);
  assert.equal(nextLookIn(day("2026-12-05T08:50:00Z"), "before"), 3600 * 1000);
  assert.equal(nextLookIn(day("2026-12-05T14:10:00Z"), "interview"), null);
  assert.equal(nextLookIn({ now: "2026-12-05T14:10:00Z", event: {} }, "waiting"), null);
});

test("the end makes a waiting page over, not one in a call or asking about it", () => {
  const after = day("2026-12-05T15:00:01Z");
  assert.equal(overWhileWaiting(after, "waiting"), true);
  assert.equal(overWhileWaiting(after, "before"), true);
  assert.equal(overWhileWaiting(after, "interview"), false);
  assert.equal(overWhileWaiting(after, "feedback"), false);
  assert.equal(overWhileWaiting(day("2026-12-05T14:59:00Z"), "waiting"), false);
});
