// Which participant a RoomCall reports as here when feeds leave (web/static/js/janus-room.js):
// after both sides joined again at once, the other person's old feed may leave after their
// new one came, and they are still here.
import assert from "node:assert/strict";
import test from "node:test";

// janus.js looks at the page as it loads: enough of one for it (nothing of it is used here).
globalThis.window ??= globalThis;
globalThis.document ??= { addEventListener: () => {}, createElement: () => ({}), documentElement: { lang: "en" } };
globalThis.MediaStream ??= class {
  getVideoTracks() { return []; }
};
const { RoomCall } = await import("../../web/static/js/janus-room.js");

function feed(call, id, { video = true, audio = false } = {}) {
  const tracks = [...(video ? [{ kind: "video" }] : []), ...(audio ? [{ kind: "audio" }] : [])];
  const stream = {
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((track) => track.kind === "video"),
    getAudioTracks: () => tracks.filter((track) => track.kind === "audio"),
  };
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

test("a remaining feed with nothing yet is not a person seen: the one who left has left", () => {
  const call = new RoomCall({ room: 1 });
  feed(call, 11);
  feed(call, 12, { video: false });
  const events = heard(call);
  call.dropFeed(11);
  assert.deepEqual(events, [{ type: "remoteleft", feed: 11, stream: undefined }]);
});

test("a remaining feed of sound alone is still them: the call view tells one without a camera", () => {
  const call = new RoomCall({ room: 1 });
  feed(call, 11, { video: false, audio: true });
  const fresh = feed(call, 12, { video: false, audio: true });
  const events = heard(call);
  call.dropFeed(11);
  assert.deepEqual(events, [{ type: "remotestream", feed: 12, stream: fresh }]);
});

test("a feed dropped to subscribe to it afresh is no leaving", () => {
  const call = new RoomCall({ room: 1 });
  feed(call, 11);
  const events = heard(call);
  call.dropFeed(11, false);
  assert.deepEqual(events, []);
});

// A subscription whose handle the test hands out when it likes, and the messages sent on it.
function attaching(call) {
  const handles = [];
  call.join = { room: 1, pin: "p" };
  call.attach = (feed, callbacks) =>
    new Promise((resolve) => {
      const handle = { sent: [], detached: false, callbacks, resolve: () => resolve(handle) };
      handle.send = (message) => handle.sent.push(message);
      handle.detach = () => { handle.detached = true; };
      handles.push(handle);
    });
  return handles;
}

function failures(call) {
  const seen = [];
  call.addEventListener("failure", (event) => seen.push(event.detail));
  return seen;
}

// A call beginning to subscribe to feed 11, with what it tells.
function subscribing11() {
  const call = new RoomCall({ room: 1 });
  const handles = attaching(call);
  const events = heard(call);
  const failed = failures(call);
  return { call, handles, events, failed, subscribing: call.subscribe({ id: 11, display: "Ada" }) };
}

test("a feed that leaves while it is being subscribed to is dropped quietly, its handle let go", async () => {
  const { call, handles, events, failed, subscribing } = subscribing11();
  call.onPublisherMessage({ videoroom: "event", leaving: 11 });
  handles[0].resolve();
  await subscribing;
  assert.equal(call.subscribers.size, 0);
  assert.equal(handles[0].detached, true);
  assert.deepEqual(handles[0].sent, []); // no join for a feed that is gone
  assert.deepEqual(failed, []);
  assert.deepEqual(events, [{ type: "remoteleft", feed: 11, stream: undefined }]);
});

test("Janus answering a subscription 'no such feed' is the participant gone, not a failed call", async () => {
  const { call, handles, events, failed, subscribing } = subscribing11();
  handles[0].resolve();
  await subscribing;
  assert.equal(handles[0].sent[0].message.request, "join");
  handles[0].callbacks.onmessage({ error_code: 428, error: "No such feed (11)" });
  assert.deepEqual(failed, []);
  assert.equal(call.subscribers.size, 0);
  assert.equal(handles[0].detached, true);
  assert.deepEqual(events, [{ type: "remoteleft", feed: 11, stream: undefined }]);
  // The leaving that follows it changes nothing more.
  call.onPublisherMessage({ videoroom: "event", leaving: 11 });
  assert.equal(events.length, 1);
});

test("any other refusal of a subscription still fails the call", async () => {
  const { handles, failed, subscribing } = subscribing11();
  handles[0].resolve();
  await subscribing;
  handles[0].callbacks.onmessage({ error_code: 433, error: "Unauthorized" });
  assert.deepEqual(failed.map((f) => [f.code, f.recoverable]), [[433, false]]);
});

test("a feed that leaves while its offer is being answered has left; the call goes on", async () => {
  const { call, handles, events, failed, subscribing } = subscribing11();
  handles[0].resolve();
  await subscribing;
  let answering = null;
  handles[0].createAnswer = (options) => { answering = options; };
  handles[0].callbacks.onmessage({ videoroom: "attached" }, { type: "offer", sdp: "v=0" });
  call.onPublisherMessage({ videoroom: "event", leaving: 11 });
  answering.error(new Error("Invalid handle")); // janus.js, the handle let go under it
  assert.deepEqual(failed, []);
  assert.deepEqual(events, [{ type: "remoteleft", feed: 11, stream: undefined }]);
});

test("an answer that fails for a feed still here fails the call", async () => {
  const { handles, failed, subscribing } = subscribing11();
  handles[0].resolve();
  await subscribing;
  let answering = null;
  handles[0].createAnswer = (options) => { answering = options; };
  handles[0].callbacks.onmessage({ videoroom: "attached" }, { type: "offer", sdp: "v=0" });
  answering.error({ name: "OperationError" });
  assert.deepEqual(failed.map((f) => [f.code, f.reason, f.recoverable]), [["media", "OperationError", false]]);
});
