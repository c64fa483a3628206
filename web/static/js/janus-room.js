// Janus signalling for one interview room, and nothing else: no page drawing here.
//
// A RoomCall joins the private VideoRoom named in its join info (from POST /api/join),
// publishes this browser's camera and microphone, and subscribes to every other participant.
// It reports what happens as DOM events on itself, for the page code to draw:
//   "localstream"  detail: {stream}                 own camera, for the small self view
//   "remotestream" detail: {feed, display, stream}  a participant's media (one stream per feed)
//   "remoteleft"   detail: {feed}
//   "state"        detail: {state}  connecting | joined | publishing | closed
//   "failure"      detail: {code, reason}           Janus refused us, or the connection broke
//
// janus.js expects webrtc-adapter as the global `adapter` (load vendor/adapter.js first).
import Janus from "../vendor/janus.es.js";

const VIDEOROOM = "janus.plugin.videoroom";
let initialised = null;

function initJanus() {
  if (!initialised) {
    initialised = new Promise((resolve) => {
      Janus.init({
        debug: false,
        dependencies: Janus.useDefaultDependencies({ adapter: window.adapter }),
        callback: resolve,
      });
    });
  }
  return initialised;
}

export class RoomCall extends EventTarget {
  constructor(join) {
    super();
    this.join = join;
    this.janus = null;
    this.publisher = null;
    this.privateId = null;
    this.subscribers = new Map(); // feed id -> {handle, stream}
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  fail(code, reason) {
    this.emit("failure", { code, reason: String(reason) });
  }

  async start() {
    this.emit("state", { state: "connecting" });
    await initJanus();
    if (!Janus.isWebrtcSupported()) {
      this.fail("unsupported", "WebRTC is not supported by this browser");
      return;
    }
    await new Promise((resolve, reject) => {
      this.janus = new Janus({
        server: this.join.janus_url,
        token: this.join.janus_token,
        iceServers: this.join.ice_servers || [],
        success: resolve,
        error: (error) => {
          this.fail("connection", error);
          reject(new Error(String(error)));
        },
        destroyed: () => this.emit("state", { state: "closed" }),
      });
    });
    this.publisher = await this.attach({
      // Janus's event handler reports this handle's media with it (app/live/media.py).
      opaqueId: this.join.opaque_id,
      onmessage: (message, jsep) => this.onPublisherMessage(message, jsep),
      onlocaltrack: (track, on) => this.onLocalTrack(track, on),
    });
    this.publisher.send({
      message: {
        request: "join", ptype: "publisher", room: this.join.room, pin: this.join.pin,
        token: this.join.room_token, display: this.join.display,
      },
    });
  }

  attach(callbacks) {
    return new Promise((resolve, reject) => {
      this.janus.attach({
        plugin: VIDEOROOM,
        success: resolve,
        error: (error) => {
          this.fail("attach", error);
          reject(new Error(String(error)));
        },
        ...callbacks,
      });
    });
  }

  onPublisherMessage(message, jsep) {
    if (message.error) {
      this.fail(message.error_code, message.error);
      return;
    }
    if (message.videoroom === "joined") {
      this.privateId = message.private_id;
      this.emit("state", { state: "joined" });
      this.publish();
    }
    for (const publisher of message.publishers || []) this.subscribe(publisher);
    const gone = message.leaving ?? message.unpublished;
    if (gone !== undefined && gone !== "ok") this.dropFeed(gone);
    if (jsep) this.publisher.handleRemoteJsep({ jsep });
  }

  publish() {
    this.publisher.createOffer({
      tracks: [
        { type: "audio", capture: true, recv: false },
        { type: "video", capture: true, recv: false },
      ],
      success: (jsep) => {
        this.publisher.send({ message: { request: "configure", audio: true, video: true }, jsep });
        this.emit("state", { state: "publishing" });
      },
      error: (error) => this.fail("media", error?.name || error),
    });
  }

  onLocalTrack(track, on) {
    if (!this.localStream) this.localStream = new MediaStream();
    if (on) this.localStream.addTrack(track);
    else this.localStream.removeTrack(track);
    this.emit("localstream", { stream: this.localStream });
  }

  async subscribe(publisher) {
    if (this.subscribers.has(publisher.id)) return;
    const entry = { handle: null, stream: new MediaStream(), display: publisher.display };
    this.subscribers.set(publisher.id, entry);
    entry.handle = await this.attach({
      onmessage: (message, jsep) => {
        if (message.error) this.fail(message.error_code, message.error);
        if (jsep) this.answer(entry.handle, jsep);
      },
      onremotetrack: (track, mid, on) => {
        if (on) entry.stream.addTrack(track);
        else entry.stream.removeTrack(track);
        this.emit("remotestream", { feed: publisher.id, display: entry.display, stream: entry.stream });
      },
    });
    entry.handle.send({
      message: {
        request: "join", ptype: "subscriber", room: this.join.room, pin: this.join.pin,
        private_id: this.privateId, streams: [{ feed: publisher.id }],
      },
    });
  }

  answer(handle, jsep) {
    handle.createAnswer({
      jsep,
      tracks: [], // receive only
      success: (answer) => handle.send({ message: { request: "start", room: this.join.room }, jsep: answer }),
      error: (error) => this.fail("media", error?.name || error),
    });
  }

  dropFeed(feed) {
    const entry = this.subscribers.get(feed);
    if (!entry) return;
    this.subscribers.delete(feed);
    entry.handle.detach();
    this.emit("remoteleft", { feed });
  }

  // The peer connections in use, for getStats (the connection-quality indicator): own media
  // out, and each participant's media in.
  peerConnections() {
    const pc = (handle) => handle?.webrtcStuff?.pc || null;
    return {
      publisher: pc(this.publisher),
      subscribers: [...this.subscribers.values()].map((entry) => pc(entry.handle)).filter(Boolean),
    };
  }

  setMicrophone(enabled) {
    if (enabled) this.publisher?.unmuteAudio();
    else this.publisher?.muteAudio();
  }

  setCamera(enabled) {
    if (enabled) this.publisher?.unmuteVideo();
    else this.publisher?.muteVideo();
  }

  leave() {
    if (this.janus) this.janus.destroy({ cleanupHandles: true });
    this.janus = null;
  }
}
