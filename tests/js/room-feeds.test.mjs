// Which participant a RoomCall reports as here when feeds leave (web/static/js/janus-room.js):
// after both sides joined again at once, the other person's old feed may leave after their
// new one came, and they are still here.
import assert from "node:assert/strict";
import test from "node:test";

// janus.js looks at the page as it loads: enough of one for it (nothing of it is used here).
globalThis.window ??= globalThis;
globalThis.document ??= { addEventListener: () => {}, createElement: () => ({}), documentElement: { lang: "en" } };
const { RoomCall } = await import("../../web/static/js/janus-room.js");

function feed(call, id, { video = true } = {}) {
  const stream = { getVideoTracks: () => (video ? [{ kind: "video" }] : []) };
  call.subscribers.set(id, { handle: { detach: () => {} }, stream, display: "Ada" });
  call.ice.set(id, "connected");
  return stream;
}

function heard(call) {
  const events = [];
  for (const type of ["remotestream", "remoteleft"]) {
    call.addEventListener(type, (event) => events.push({ type, feed: event.detail.feed, stream: event.detail.stream }));
  }
  return events;
}

test("an old feed leaving after the new one came: the new one is still the other person", () => {
  const call = new RoomCall({ room: 1 });
  feed(call, 11);
  const fresh = feed(call, 12);
  const events = heard(call);
  call.dropFeed(11);
  assert.deepEqual(events, [{ type: "remotestream", feed: 12, stream: fresh }]);
  call.dropFeed(12);
  assert.deepEqual(events.at(-1), { type: "remoteleft", feed: 12, stream: undefined });
});

test("a remaining feed with no video yet is not a person seen: the one who left has left", () => {
  const call = new RoomCall({ room: 1 });
  feed(call, 11);
  feed(call, 12, { video: false });
  const events = heard(call);
  call.dropFeed(11);
  assert.deepEqual(events, [{ type: "remoteleft", feed: 11, stream: undefined }]);
});

test("a feed dropped to subscribe to it afresh is no leaving", () => {
  const call = new RoomCall({ room: 1 });
  feed(call, 11);
  const events = heard(call);
  call.dropFeed(11, false);
  assert.deepEqual(events, []);
});
