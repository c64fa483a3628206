// The candidate's estimated wait as time passes with no news (web/static/js/live/
// candidate-waiting.js waitNow): worked out again from the waits' inputs, said each minute
// in the last ten and by fives before.
import assert from "node:assert/strict";
import test from "node:test";

globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { waitNow } = await import("../../web/static/js/live/candidate-waiting.js");

// Two interviewers in interviews that end in 4 and 12 minutes; interviews of 10 minutes.
const BUSY = { free_in: [240, 720], average: 600 };

test("no estimate, no inputs or no place: the figure as it came", () => {
  assert.equal(waitNow(null, 3, BUSY, 300), null);
  assert.equal(waitNow(14, 3, null, 300), 14);
  assert.equal(waitNow(14, null, BUSY, 300), 14);
});

test("behind interviews under way it counts down: by fives, then each minute", () => {
  // Second in the queue: the other interviewer, free in 12 minutes.
  const shown = [0, 1, 2, 6, 7, 8, 9, 10, 11, 12].map((m) => waitNow(12, 2, BUSY, m * 60));
  assert.deepEqual(shown, [12, 12, 10, 6, 5, 4, 3, 2, 1, 0]);
});

test("as far as the server's own figure would go with no news: third, it stays at 10", () => {
  // The first interviewer, free at minute 4, is counted as taking the first candidate then
  // and the third after a mean interview: until a state says what happened, 10 minutes.
  const shown = [0, 2, 4, 10, 20].map((m) => waitNow(14, 3, BUSY, m * 60));
  assert.deepEqual(shown, [14, 14, 10, 10, 10]);
});

test("behind an interviewer who is free and idle it stays: nobody is being interviewed", () => {
  const idle = { free_in: [0], average: 600 };
  assert.equal(waitNow(10, 2, idle, 0), 10);
  assert.equal(waitNow(10, 2, idle, 600), 10);
});

test("never more than it came as", () => {
  assert.equal(waitNow(7, 2, { free_in: [420], average: 600 }, -30), 7);
});

test("a wait under ten minutes goes down each minute, not to the next five", () => {
  // Next in the queue, the interviewer expected free in 9 minutes.
  const shown = [0, 1, 2, 3, 4].map((m) => waitNow(9, 1, { free_in: [540], average: 600 }, m * 60));
  assert.deepEqual(shown, [9, 8, 7, 6, 5]);
});
