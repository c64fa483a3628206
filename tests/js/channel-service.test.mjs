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

