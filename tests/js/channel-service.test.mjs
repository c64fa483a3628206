// The channel's status while the service's database is away (web/static/js/live/channel.js,
// the `service` message): the socket stays open, and the pages say that nothing moves.
// Run by tests/unit/test_call_state.py (node --test).
import assert from "node:assert/strict";
import test from "node:test";
import { LiveChannel } from "../../web/static/js/live/channel.js";

function openChannel() {
  const channel = new LiveChannel("ws://127.0.0.1:1/ws");
  const seen = [];
  channel.addEventListener("status", (event) => seen.push(event.detail));
  channel.setStatus("open");
  return { channel, seen };
}

const down = JSON.stringify({ type: "service", database: "unavailable" });
const back = JSON.stringify({ type: "service", database: "ok" });

test("the database away and back: service_down, then open again (which the pages catch up on)", () => {
  const { channel, seen } = openChannel();
  channel.receive(down);
  assert.equal(channel.status, "service_down");
  assert.ok(channel.connected());
  channel.receive(down);  // said twice: one status change
  channel.receive(back);
  assert.equal(channel.status, "open");
  assert.deepEqual(seen, ["open", "service_down", "open"]);
});

test("a socket that is not open is not made open by a late message", () => {
  const { channel } = openChannel();
  channel.setStatus("reconnecting");
  channel.receive(back);
  assert.equal(channel.status, "reconnecting");
  assert.ok(!channel.connected());
});


// A socket whose page waits for nothing but its ping, and one that waits for a Next too.
function pinging(t, { busy }) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  globalThis.WebSocket ??= { OPEN: 1 };
  const channel = new LiveChannel("ws://127.0.0.1:1/ws", { pongTimeoutMs: 10000, busyGraceMs: 30000 });
  channel.ws = { readyState: 1, send() {}, close() {} };
  channel.status = "open";
  const dropped = [];
  channel.reconnectNow = () => dropped.push(Date.now());
  if (busy) channel.send({ type: "next" }).catch(() => {});
  channel.ping();
  return dropped;
}

test("no pong within 10 s: the connection is taken for dead", (t) => {
  const dropped = pinging(t, { busy: false });
  t.mock.timers.tick(9999);
  assert.equal(dropped.length, 0);
  t.mock.timers.tick(1);
  assert.equal(dropped.length, 1);
});

test("a pong behind a message still being answered is given that answer's time", (t) => {
  const dropped = pinging(t, { busy: true });
  t.mock.timers.tick(10000);
  assert.equal(dropped.length, 0, "a Next waiting for a slow database is not a dead connection");
  t.mock.timers.tick(30000);
  assert.equal(dropped.length, 1, "but a pong that never comes still is");
});
