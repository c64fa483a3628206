// The live channel's reconnect waits (web/static/js/live/channel.js, reconnectDelay).
// Run by tests/unit/test_call_state.py (node --test).
import assert from "node:assert/strict";
import test from "node:test";
import { reconnectDelay } from "../../web/static/js/live/channel.js";

test("a step's waits spread evenly over half to one and a half times it", () => {
  assert.equal(reconnectDelay(1000, 10000, () => 0), 500);
  assert.equal(reconnectDelay(1000, 10000, () => 0.5), 1000);
  assert.equal(reconnectDelay(1000, 10000, () => 0.999), 1499);
});

test("pages dropped together do not come back on the same millisecond", () => {
  // Ten thousand pages of one restarted server, their first waits in 100 ms bins.
  const bins = new Map();
  for (let page = 0; page < 10000; page += 1) {
    const bin = Math.floor(reconnectDelay(1000, 10000) / 100);
    bins.set(bin, (bins.get(bin) ?? 0) + 1);
  }
  assert.deepEqual([...bins.keys()].sort((a, b) => a - b), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  for (const count of bins.values()) assert.ok(count < 1500, `a bin of ${count}`);
});

test("the longest wait stays bounded", () => {
  assert.equal(reconnectDelay(10000, 10000, () => 0.999), 14990);
  assert.equal(reconnectDelay(40000, 10000, () => 0.999), 15000);
});
