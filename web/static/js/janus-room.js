// Janus signalling for one interview room, and nothing else: no page drawing here.
//
// A RoomCall joins the private VideoRoom named in its join info (POST /api/join's answer, or
// the same in a `ticket` or `dispatched` reply), publishes this browser's camera and
// microphone, and subscribes to every other participant.
// The camera and microphone are asked for as the call starts, beside the signalling (a real
// camera takes up to a second to start), or earlier by the page: `new RoomCall(join,
// {media})`, media a promise of the stream (askMedia(), e.g. on the press of Join).
// A call made `held` (`new RoomCall(server, {held: true})`, server: the join info's
// janus_url, janus_token, ice_servers and opaque_id) opens its Janus session and handle and
// stops there: no camera, no room. `go(join, media)` enters the room named in `join` (the
// candidate's page while the offer shows, so that *Join* has only the room's join left:
// docs/calls.md, "Joining fast").
// It keeps its media up by itself (docs/calls.md): ICE restarts when a connection breaks,
// the video's bitrate follows the loss Janus reports, and the video pauses (sound goes on)
// when even the lowest bitrate does not get through or the camera stops.
// It reports what happens as DOM events on itself, for the page code to draw:
//   "localstream"  detail: {stream}                 own camera, for the small self view
//   "remotestream" detail: {feed, display, stream}  a participant's media (one stream per feed)
//   "remoteleft"   detail: {feed}                   the last participant's feed seen left
//                                  (one of theirs left, another remains: "remotestream" again)
//   "state"        detail: {state}  connecting | joined | publishing | closed
//   "link"         detail: {up}     all own connections to Janus up, or one of them down
//   "stats"        detail: {figures, sending, bitrate}  every second (call-stats.js); sending:
//                                  video | audio-only:bandwidth | audio-only:camera |
//                                  audio-only:no-camera | audio-only:camera-in-use
//                                  (joined without a camera: askMedia)
//   "failure"      detail: {code, reason, recoverable}  Janus refused us (recoverable false),
//                                  or the media could not be repaired in place (true: join
//                                  again, with a fresh ticket)
//
// janus.js expects webrtc-adapter as the global `adapter` (load vendor/adapter.js first).
import Janus from "../vendor/janus.es.js";
import { StatsSampler } from "./call-stats.js";
import { isOpen, watchPeerConnections } from "./peer-connections.js";
import { VideoSender } from "./video-sender.js";
import { mediaProblem } from "./media-problem.js";

const VIDEOROOM = "janus.plugin.videoroom";
const SAMPLE_EVERY_MS = 1000;
const RESTART_AFTER_MS = 1500;  // a "disconnected" often heals by itself (ICE consent)
const RESTART_EVERY_MS = 3000;  // while it does not, restart again (fresh checks)
const REJOIN_AFTER_MS = 15000;  // restarts did not help: join again from scratch
const STUCK_CHECKING_MS = 5000; // never connected: restart as if it had broken
const UP = new Set(["connected", "completed"]);
const NO_SUCH_FEED = 428; // the VideoRoom's error code for a feed that is not (or no longer) there
// The camera's failures after which the microphone alone is tried (askMedia): missing, or in
// use by another program. (A NotFoundError that media-problem.js could not narrow down may
// be either device: the microphone's own try says which.)
const SOUND_ONLY_AFTER = new Set(["noCamera", "NotFoundError", "NotReadableError", "AbortError"]);
let initialised = null;

// The camera and microphone a call publishes, as janus.js itself would ask for them. A
// camera that is missing or taken by another program does not keep the person out of the
// interview: the microphone alone is asked for then, and the call goes on with sound only
// (the stream's `soundOnly` names why, a media-problem.js name; docs/calls.md, "Sound only
// from the start"). A refusal, or no microphone either, fails the call as before.
export async function askMedia() {
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (error) {
    const problem = await mediaProblem(error);
    if (!SOUND_ONLY_AFTER.has(problem)) throw error;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    } catch {
      throw error;  // the microphone will not start either: the first reason is the one to tell
    }
    stream.soundOnly = problem === "NotFoundError" ? "noCamera" : problem;
    return stream;
  }
}

// Stops the tracks of a stream asked for and not used (the call did not come about).
export function dropMedia(media) {
  media?.then((stream) => stream.getTracks().forEach((track) => track.stop()), () => {});
}

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
  constructor(join, { media = null, held = false } = {}) {
    super();
    this.join = join;
    this.media = media;           // a promise of the stream to publish (askMedia)
    this.held = held;             // connected to Janus, not in the room (go())
    this.janus = null;
    this.publisher = null;
    this.privateId = null;
    this.subscribers = new Map(); // feed id -> {handle, stream, display}
    this.ice = new Map();         // "publisher" | feed id -> ICE state
    this.linkUp = false;
    this.broken = null;           // {since, timer} while a connection is down
    this.pcs = new Set();
    this.sampler = new StatsSampler();
    this.video = null;            // VideoSender, once the publisher handle is there
    this.slow = false;
    this.closed = false;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  fail(code, reason, recoverable = false) {
    // A failure the call does not get over (a camera refused, a room closed): its "never
    // connected" timer must not start a join of its own later.
    if (!recoverable) clearTimeout(this.connectTimer);
    this.emit("failure", { code, reason: String(reason), recoverable });
  }

  async start() {
    this.emit("state", { state: "connecting" });
    this.unwatch = watchPeerConnections((pc) => this.pcs.add(pc));
    await initJanus();
    if (Janus.isWebrtcSupported() && !this.media && !this.held) this.media = askMedia();
    this.media?.catch(() => {}); // a refusal is told when the call publishes
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
          // Refused at the start; later, the session was lost (Janus gone): join again.
          this.fail("connection", error, this.linkUp || this.publisher !== null);
          reject(new Error(String(error)));
        },
        destroyed: () => this.emit("state", { state: "closed" }),
      });
    });
    this.publisher = await this.attach("publisher", {
      // Janus's event handler reports this handle's media with it (app/live/media.py).
      opaqueId: this.join.opaque_id,
      onmessage: (message, jsep) => this.onPublisherMessage(message, jsep),
      onlocaltrack: (track, on) => this.onLocalTrack(track, on),
      slowLink: (uplink) => { if (uplink) this.slow = true; },
    });
    this.video = new VideoSender(this.publisher, () => [...this.pcs].filter(isOpen));
    if (!this.held) this.enterRoom();
  }

  // The held call goes into the room `join` names (the same server, token and tag as it was
  // made with), publishing `media` (askMedia(); asked for now without one). Before its
  // handle is there, start() enters when it is.
  go(join, media = null) {
    if (!this.held || this.closed) return;
    this.held = false;
    this.join = join;
    this.media = media ?? askMedia();
    this.media.catch(() => {}); // a refusal is told when the call publishes
    if (this.publisher) this.enterRoom();
  }

  enterRoom() {
    this.publisher.send({
      message: {
        request: "join", ptype: "publisher", room: this.join.room, pin: this.join.pin,
        token: this.join.room_token, display: this.join.display,
      },
    });
    this.sampleTimer = setInterval(() => this.sampleMedia(), SAMPLE_EVERY_MS);
    // Never up (e.g. UDP blocked and no TURN that helps): join again from scratch.
    this.connectTimer = setTimeout(() => {
      if (!this.linkUp && !this.broken && !this.closed) {
        this.fail("ice", "no connection to Janus", true);
      }
    }, REJOIN_AFTER_MS);
  }

  attach(key, callbacks) {
    return new Promise((resolve, reject) => {
      this.janus.attach({
        plugin: VIDEOROOM,
        success: resolve,
        error: (error) => {
          this.fail("attach", error, this.linkUp);
          reject(new Error(String(error)));
        },
        iceState: (state) => this.onIceState(key, state),
        webrtcState: (up) => { if (!up) this.onHangup(key); },
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

  async publish() {
    let stream;
    try {
      stream = await this.media;
    } catch (error) {
      const problem = await mediaProblem(error);
      if (!this.closed) this.fail("media", problem);
      return;
    }
    if (this.closed) return;
    const camera = stream.getVideoTracks()[0];
    const tracks = [{ type: "audio", capture: stream.getAudioTracks()[0] ?? true, recv: false }];
    if (camera || !stream.soundOnly) tracks.push({ type: "video", capture: camera ?? true, recv: false });
    // Without a camera the video sender has nothing to send or adapt: "sending" says so
    // from the first second (video-sender.js).
    if (stream.soundOnly) this.video.noCamera(stream.soundOnly);
    this.publisher.createOffer({
      tracks,
      success: (jsep) => {
        this.publisher.send({ message: { request: "configure", audio: true, video: !stream.soundOnly }, jsep });
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
    // After a feed has left, its tracks still go one by one: not someone coming back (who
    // comes back does so as a new feed).
    const current = () => this.subscribers.get(publisher.id) === entry;
    const handle = await this.attach(publisher.id, {
      onmessage: (message, jsep) => {
        if (message.error) this.subscriptionRefused(publisher.id, current, message);
        else if (jsep && current()) this.answer(entry.handle, current, jsep);
      },
      onremotetrack: (track, mid, on) => {
        if (!current()) return;
        if (on) entry.stream.addTrack(track);
        else entry.stream.removeTrack(track);
        this.emit("remotestream", { feed: publisher.id, display: entry.display, stream: entry.stream });
      },
    });
    // The feed left while its handle was being attached (a page that joined and left at
    // once: the interviewer's other device sent out of the call): nothing to subscribe to.
    if (!current() || this.closed) {
      handle.detach();
      return;
    }
    entry.handle = handle;
    handle.send({
      message: {
        request: "join", ptype: "subscriber", room: this.join.room, pin: this.join.pin,
        private_id: this.privateId, streams: [{ feed: publisher.id }],
      },
    });
  }

  // The answer to Janus's offer of a feed. A feed that leaves meanwhile (its handle let go
  // while the answer was being made: janus.js then says the handle is invalid) has left; only
  // a failure for a feed still here fails the call. `current()`: whether the subscription
  // is still the feed's (subscribe).
  answer(handle, current, jsep) {
    handle.createAnswer({
      jsep,
      tracks: [], // receive only
      success: (answer) => handle.send({ message: { request: "start", room: this.join.room }, jsep: answer }),
      error: (error) => {
        if (current() && !this.closed) this.fail("media", error?.name || error);
      },
    });
  }

  // Janus refused a subscription. A feed gone before Janus read the join (it left as it was
  // being subscribed to: "no such feed") is a participant who left, told as a leaving, not a
  // call that failed; for a feed already dropped, nothing. Anything else: the call failed.
  subscriptionRefused(feed, current, message) {
    if (!current()) return;
    if (message.error_code === NO_SUCH_FEED) this.dropFeed(feed);
    else this.fail(message.error_code, message.error);
  }

  dropFeed(feed, left = true) {
    const entry = this.subscribers.get(feed);
    if (!entry) return;
    this.subscribers.delete(feed);
    this.ice.delete(feed);
    entry.handle?.detach(); // none yet while it is being attached (subscribe)
    if (left) {
      // After both sides joined again at once (a long outage), the other person's old feed
      // may leave only after their new one is here (two Janus sessions of theirs, in no
      // set order): they are still here, in the remaining feed's stream (its sound alone,
      // for one without a camera: call-sound-only.js).
      const [remaining, other] = [...this.subscribers].find(([, e]) => e.stream.getTracks().length) ?? [];
      if (other) this.emit("remotestream", { feed: remaining, display: other.display, stream: other.stream });
      else this.emit("remoteleft", { feed });
    }
    this.reportLink();
  }

  // --- Keeping the connections up -----------------------------------------------------------

  onIceState(key, state) {
    if (this.closed) return;
    this.ice.set(key, state);
    // Checking that finds nothing (a join while the network is down): restart it too, so
    // that the network's return is found by fresh checks within seconds.
    if (state === "checking" && !this.linkUp && !this.broken && !this.stuckTimer) {
      this.stuckTimer = setTimeout(() => {
        this.stuckTimer = null;
        if (this.closed || this.linkUp || this.broken) return;
        this.broken = { since: Date.now(), timer: null };
        this.restartIce();
      }, STUCK_CHECKING_MS);
    }
    this.reportLink();
  }

  // Up: the own media's connection is up and none is down. Once one is down, it counts as
  // down (restarting) until every connection is up again: "checking" after a restart is
  // not yet mended.
  reportLink() {
    const states = [...this.ice.values()];
    const down = states.some((state) => state === "disconnected" || state === "failed");
    const mended = states.every((state) => UP.has(state) || state === "new");
    const up = UP.has(this.ice.get("publisher")) && !down && (!this.broken || mended);
    if (up !== this.linkUp) {
      this.linkUp = up;
      this.emit("link", { up });
    }
    if (down && !this.broken) {
      const failed = states.includes("failed");
      this.broken = { since: Date.now(), timer: null };
      this.broken.timer = setTimeout(() => this.restartIce(), failed ? 0 : RESTART_AFTER_MS);
    } else if (mended && this.broken) {
      clearTimeout(this.broken.timer);
      this.broken = null;
      this.reportLink();
    }
  }

  // Janus hung a connection up (ICE gave out on its side): no restart can mend that one.
  // Our own media: join again. A participant's: subscribe to them afresh, unless they left
  // (Janus hangs up their subscriptions then too, just before it says so).
  onHangup(key) {
    if (this.closed) return;
    if (key === "publisher") {
      this.fail("hangup", "Janus hung up the own media", true);
      return;
    }
    const entry = this.subscribers.get(key);
    setTimeout(() => {
      if (this.closed || this.subscribers.get(key) !== entry) return;
      this.dropFeed(key, false);
      this.subscribe({ id: key, display: entry.display });
    }, RESTART_AFTER_MS);
  }

  // ICE restart of every connection that is down, in place (the room is not left): the
  // publisher offers anew with fresh ICE credentials; a subscriber asks Janus for a fresh
  // offer (configure, restart). Again every few seconds, until REJOIN_AFTER_MS.
  restartIce() {
    if (!this.broken || this.closed) return;
    if (Date.now() - this.broken.since >= REJOIN_AFTER_MS) {
      this.fail("ice", "the connection did not come back after ICE restarts", true);
      return;
    }
    for (const [key, state] of this.ice) {
      if (UP.has(state)) continue;
      if (key === "publisher") {
        this.publisher.createOffer({
          iceRestart: true,
          success: (jsep) => this.publisher.send({ message: { request: "configure" }, jsep }),
          error: () => {},
        });
      } else {
        this.subscribers.get(key)?.handle?.send({ message: { request: "configure", restart: true } });
      }
    }
    this.broken.timer = setTimeout(() => this.restartIce(), RESTART_EVERY_MS);
  }

  // --- The media, second by second ------------------------------------------------------------

  async sampleMedia() {
    for (const pc of this.pcs) if (!isOpen(pc)) this.pcs.delete(pc);
    const figures = await this.sampler.sample([...this.pcs]);
    if (this.closed || !this.video) return;
    this.video.follow(figures, { slow: this.slow, linkUp: this.linkUp, local: this.localStream });
    this.slow = false;
    this.emit("stats", { figures, sending: this.video.sending, bitrate: this.video.control.target });
  }

  resumeVideo() {
    return this.video?.resume() ?? Promise.resolve();
  }

  setMicrophone(enabled) {
    if (enabled) this.publisher?.unmuteAudio();
    else this.publisher?.muteAudio();
  }

  setCamera(enabled) {
    if (this.video) this.video.setCamera(enabled);
    else if (enabled) this.publisher?.unmuteVideo();
    else this.publisher?.muteVideo();
  }

  leave() {
    this.closed = true;
    dropMedia(this.media); // (janus.js stops those it was given too: no harm)
    clearInterval(this.sampleTimer);
    clearTimeout(this.broken?.timer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.stuckTimer);
    this.unwatch?.();
    if (this.janus) this.janus.destroy({ cleanupHandles: true });
    this.janus = null;
  }
}
