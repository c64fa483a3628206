// The waits between tries (web/static/js/live/backoff.js): the notes' save and the interest
// answer sent again, and the channel's reconnect steps. It only counts, so no clock is needed.
// Run by tests/unit/test_call_state.py (node --test).
import assert from "node:assert/strict";
import test from "node:test";
import { Backoff, TRY_AGAIN_CODES, serviceBackoff } from "../../web/static/js/live/backoff.js";

function waits(backoff, count) {
  return Array.from({ length: count }, () => backoff.next());
}

test("the first wait, then each twice the one before, up to the longest", () => {
  assert.deepEqual(waits(new Backoff(1000, 10000), 7), [1000, 2000, 4000, 8000, 10000, 10000, 10000]);
});

test("once it has worked, the next failure waits the first again", () => {
  const backoff = new Backoff(1000, 10000);
  waits(backoff, 5);
  backoff.reset();
  assert.deepEqual(waits(backoff, 3), [1000, 2000, 4000]);
});

test("a reset before any wait changes nothing", () => {
  const backoff = new Backoff(1000, 10000);
  backoff.reset();
  assert.equal(backoff.next(), 1000);
});

test("a request the service could not take: 2 s doubling to 30 s, each its own count", () => {
  const notes = serviceBackoff();
  const answer = serviceBackoff();
  assert.deepEqual(waits(notes, 7), [2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(answer.next(), 2000);
});

test("sent again on a moment's trouble only, never on a refusal", () => {
  for (const code of ["unavailable", "busy_retry", "server_error"]) assert.ok(TRY_AGAIN_CODES.has(code), code);
  for (const code of ["record_changed", "invalid_fields", "event_not_open"]) assert.ok(!TRY_AGAIN_CODES.has(code), code);
});
