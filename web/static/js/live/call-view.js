// The call as the page shows it (web/templates/live/_call.html): the other person's video
// large, the own video small, microphone and camera switches, the countdown with its warning,
// the connection quality and Leave. Signalling stays in ../janus-room.js (RoomCall); what the
// call is doing is one state (call-state.js), and everything here is drawn from it.
//
//   const view = new CallView(root, {freshTicket, holdName, side});
//                                              // freshTicket: async () => a new ticket for
//                                              // joining again by itself (optional);
//                                              // holdName: the person's, for one window of
//                                              // theirs in the call (call-hold.js);
//                                              // side: "interviewer" or "candidate" (the
//                                              // default), whose page it is
//   view.setOtherName(name);                   // whom the call is with (null: not known), named
//                                              // when their connection is lost
//   view.askMedia();                           // on a press that leads to a join: the camera
//                                              // starts while the join is being arranged
//   view.dropMedia();                          // … the join did not come about
//   await view.join(ticket);                   // POST /api/join, then RoomCall; again = rejoin;
//                                              // press: a person's press, which takes the call
//                                              // from another window of theirs (else a join
//                                              // the page makes by itself shows "elsewhere")
//   await view.heldElsewhere();                // another window of theirs is in the call
//   await view.join(ticket, {info});           // the join info came with the ticket: RoomCall
//   view.join(ticket, {ahead: true});          // joined before the call shows (the interviewer,
//                                              // while the offer is open); view.clockFrom()
//                                              // when it shows: the join time counts from then
//   view.prepare(server);                      // ahead of a join (the candidate's offer): a Janus
//                                              // session and handle, no room; the join to the
//                                              // same server with the same token takes it over
//   view.unprepare();                          // … the offer went without a join
//   view.setTimes({endsAt, warningAt, now});   // ISO strings or null; now = the server's clock
//   view.setServiceLost(lost);                 // the page's socket to the service is down
//   view.setMediaDown(down);                   // the service says the video service is down
//                                              // (media-outage.js): either way "from this
//                                              // network" would blame the wrong one
//   view.leave();                              // ends the call here (dispatches "left"); its
//                                              // Leave button asks first (askLeave)
// Events: "left" (detail {byUser}: true when the Leave button was pressed), "remote-video"
// (the first remote frame of a join, and again when the other side comes back after leaving),
// "failed" (detail {code, reason}: Janus refused; the page offers to join again),
// "phase" (detail {state}: every change of the call's state), "take" (Continue here was
// pressed: the page joins with a press; without a listener the view joins with a fresh ticket),
// "holding" (a join has this window's hold on the call and goes on to Janus).
import { RoomCall, askMedia, dropMedia } from "../janus-room.js";
import { initialState, next, showsVideo, withSoundOnly } from "./call-state.js";
import { problemDetail, statusOf } from "./call-status.js";
import { QUALITY_TEXTS, detailsText, levelOf } from "./call-quality.js";
import { N_, _, ngettext, onLanguageChange } from "./texts.js";
import { reportJoinTime } from "./join-timing.js";
import { CallHold } from "./call-hold.js";
import { metBefore, rememberMet } from "./call-met.js";
import { PROBLEMS, browserSupported, deviceProblem } from "./device-check.js";
import { SoundOnlyFeed, soundOnlyProblem } from "./call-sound-only.js";

const RETRY_JOIN_MS = 3000;

// What the note on the stage says in each phase (the status line: call-status.js).
const NOTE = {
  connecting: N_("Connecting the video…"),
  "alone:absent": N_("Waiting for the other person to join…"),
  "audio-only": N_("Sound only"),
  "camera-off": N_("Camera off"),
  reconnecting: N_("Reconnecting…"),
  unreachable: N_("No connection"),
  // (elsewhere: none on the stage, site.css; the status line says it. Nor when the other
  // person has left: the status line says it once, with their name, and what to do.)
};
// Said after the status when the other person's microphone is switched off (their page
// said so): silence is not a fault of the connection.
const REMOTE_MUTED = N_("The other person's microphone is off.");
// Both off: one sentence, not "you can still hear each other" followed by the microphone's.
const REMOTE_BOTH_OFF = N_("The other person has turned their camera and microphone off.");
const SENDING = {
  "audio-only:bandwidth": N_("Your connection is too weak for video, so your video is paused. The other person still hears you."),
  "audio-only:camera": N_("Your camera stopped, so the call goes on with sound only."),
  "audio-only:no-camera": N_("No camera was found, so you take part with sound only. The other person is told."),
  "audio-only:camera-in-use": N_("Another program is using your camera, so you take part with sound only. The other person is told. To send video, close that program and reload this page."),
};

// What POST /api/join answers for a ticket (app/views/join.py); a refusal carries its status.
async function joinInfo(ticket) {
  const reply = await fetch("/api/join", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ticket }), credentials: "same-origin",
  });
  if (!reply.ok) throw Object.assign(new Error(`join refused: ${reply.status}`), { status: reply.status });
  return reply.json();
}

function clock(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  return `${String(minutes).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

export class CallView extends EventTarget {
  constructor(root, { freshTicket = null, holdName = null, side = "candidate" } = {}) {
    super();
    this.root = root;
    this.freshTicket = freshTicket;
    this.side = side;
    this.otherName = null;
    // Another window's press took the call: this one leaves it, camera and all.
    this.hold = new CallHold(holdName, () => this.showElsewhere());
    const find = (name) => root.querySelector(`[data-call-${name}]`);
    this.el = {
      remote: find("remote"), self: find("self"), selfOff: find("self-off"), waiting: find("waiting"),
      sound: find("sound"), timer: find("timer"), quality: find("quality"),
      qualityText: find("quality-text"), details: find("quality-details"), warning: find("warning"),
      extended: find("extended"),
      status: find("status"), videoNote: find("video-note"), videoNoteText: find("video-note-text"),
      videoOn: find("video-on"), mic: find("mic"), camera: find("camera"), leave: find("leave"),
      videoSaid: find("video-said"), leaveQuestion: find("leave-question"), leaveYes: find("leave-yes"),
      leaveNo: find("leave-no"), here: find("here"),
      problemHelp: find("problem-help"), problemLink: find("problem-link"),
    };
    this.call = null;
    this.state = initialState();
    this.ticket = null;
    this.joinStarted = null;  // performance.now() of the join whose first frame is awaited
    this.media = null;        // the camera asked for ahead of the next join (askMedia)
    this.mediaProblem = null; // getUserMedia's error name when the call failed for it (fail)
    this.focusKept = false;   // keepFocusFrom: the focus goes into the call at its next phase
    // What the other side was told of it (PROBLEMS' codes): kept through the next join until
    // that one publishes, so a Join again refused once more does not flicker their status.
    // A browser that cannot make calls at all says so with every word of its devices.
    this.toldProblem = browserSupported() ? null : PROBLEMS.unsupported[2];
    this.prepared = null;     // {server, call}: a held RoomCall ahead of the next join
    this.micOn = true;
    this.cameraOn = true;
    // The other person's feed of sound alone, until it counts as them (call-sound-only.js).
    this.soundOnlyFeed = new SoundOnlyFeed((stream, attempt) => {
      if (attempt === this.state.attempt && this.call && !this.call.closed) this.showPresent(stream, attempt);
    });
    this.serviceLost = false;
    this.mediaDown = false;
    this.times = null;
    this.figures = null;
    this.bitrate = null;
    this.el.mic.addEventListener("click", () => this.setMicrophone(!this.micOn));
    this.el.camera.addEventListener("click", () => this.setCamera(!this.cameraOn));
    this.el.leave.addEventListener("click", () => this.askLeave(true));
    this.el.leaveYes.addEventListener("click", () => this.leave(true));
    this.el.leaveNo.addEventListener("click", () => {
      this.askLeave(false);
      this.el.leave.focus();
    });
    // Escape stays, wherever the focus is in the call while it is asked.
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.el.leaveNo.hidden) this.el.leaveNo.click();
    });
    this.el.here.addEventListener("click", () => this.takeHere());
    this.el.sound.addEventListener("click", () => this.unmuteRemote());
    this.el.videoOn.addEventListener("click", () => this.call?.resumeVideo().catch(() => {}));
    this.el.remote.addEventListener("playing", () => this.el.remote.classList.add("playing"));
    onLanguageChange(() => this.redraw());
    this.redraw();
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  get joined() {
    return this.call !== null;
  }

  // Another window of this browser holds the call (call-hold.js), and this one shows it.
  get elsewhere() {
    return this.state.phase === "elsewhere";
  }

  // In a call here, or between two tries of one (no RoomCall while it waits to try again):
  // what the end of the interview must leave.
  get underway() {
    return this.joined || (this.state.phase !== "idle" && !this.state.ended);
  }

  // Feeds the state an event of the current attempt, and draws what changed.
  update(event) {
    const before = this.state;
    this.state = next(before, { attempt: before.attempt, now: Date.now(), ...event });
    if (this.state === before) return;
    if (this.state.seen && !before.seen) {
      this.emit("remote-video", { stream: this.el.remote.srcObject });
      if (this.joinStarted !== null) {
        reportJoinTime(this.ticket, (performance.now() - this.joinStarted) / 1000);
        this.joinStarted = null;  // once per join
      }
    }
    if (this.state.phase !== before.phase || this.state.who !== before.who
        || this.state.remote !== before.remote || this.state.sending !== before.sending) {
      this.draw();
      if (this.state.phase !== before.phase) this.placeKeptFocus();
      this.emit("phase", { state: this.state });
    }
  }

  askMedia() {
    if (!this.media) this.media = askMedia();
    this.media.catch(() => {}); // told by the call that publishes it
  }

  dropMedia() {
    dropMedia(this.media);
    this.media = null;
  }

  // Connected to the Janus server ahead of the join, held: a session and a handle, not in
  // the room (RoomCall's `held`), so that the join has only the room's join left
  // (docs/calls.md, "Joining fast"). A failure of the held call only drops it.
  prepare(server) {
    this.unprepare();
    const call = new RoomCall(server, { held: true });
    const prepared = { server, call };
    this.prepared = prepared;
    const drop = () => {
      if (this.prepared === prepared) this.unprepare();
    };
    call.addEventListener("failure", drop);
    call.start().catch(drop);
  }

  unprepare() {
    const prepared = this.prepared;
    this.prepared = null;
    try {
      prepared?.call.leave();
    } catch {
      // already gone
    }
  }

  // The held call, if it was made for the server, token and tag of `info`; any other is dropped.
  takePrepared(info) {
    const held = this.prepared?.server;
    const same = held && ["janus_url", "janus_token", "opaque_id"].every((key) => held[key] === info[key]);
    if (!same) {
      this.unprepare();
      return null;
    }
    const { call } = this.prepared;
    this.prepared = null;
    return call;
  }

  // A call joined ahead (join's `ahead`) shows now: its join time counts from here, unless
  // the other person's video came already.
  clockFrom() {
    this.joinStarted = this.state.seen ? null : performance.now();
  }

  // again: joining by itself after the media could not be mended (still "reconnecting").
  // ahead: before the call shows; no join time until clockFrom().
  // info: the ticket's join info, when the reply that brought the ticket carried it
  // (`ticket`, `dispatched`: PROTOCOL.md): straight to Janus, without POST /api/join.
  // met: the other person is known to have joined this call before (the interviewer's page:
  // the interview is running, so the candidate joined), also on a page new to it.
  async join(ticket, { again = false, ahead = false, info = null, press = false, met = false } = {}) {
    const media = this.media;
    this.media = null;
    this.stop();
    this.ticket = ticket;
    this.joinStarted = ahead ? null : performance.now();
    this.mediaProblem = null;
    this.update({ type: "join", again });
    const { attempt } = this.state;
    if (!(await this.hold.take(press))) {
      dropMedia(media);
      if (this.state.attempt === attempt && !this.state.ended) this.showElsewhere();
      return;
    }
    if (this.state.attempt !== attempt || this.state.ended) { // left or joined again meanwhile
      dropMedia(media);
      // (leave() or showElsewhere() let go before this was granted)
      if (this.state.ended || this.state.elsewhere) this.hold.release();
      return;
    }
    this.dispatchEvent(new CustomEvent("holding")); // this window is the one joining
    // Time alone moves the state on (to "unreachable"), also while nothing else happens.
    if (!this.stateTimer) this.stateTimer = setInterval(() => this.update({ type: "tick" }), 1000);
    const current = () => this.state.attempt === attempt && !this.state.ended;
    this.root.hidden = false;
    this.el.remote.classList.remove("playing");
    try {
      info ??= await joinInfo(ticket);
    } catch (error) {
      dropMedia(media); // (a retry asks again)
      if (!current()) return;
      // The network (not the ticket) failed: try again soon, still connecting.
      if (error.status === undefined) this.retrySoon();
      else this.fail("join", error);
      return;
    }
    if (!current()) {  // left or rejoined meanwhile
      dropMedia(media);
      return;
    }
    // Met here before (this page loaded again): their absence is their page gone, not late.
    if (met || metBefore(info.opaque_id)) this.update({ type: "met" });
    const held = this.takePrepared(info);
    const call = held ?? new RoomCall(info, { media });
    this.call = call;
    // Only the current call's, and nothing of one left (a failed call stays the current one,
    // ended: a late callback of its Janus session must not show or rejoin anything).
    const mine = (handler) => (event) => {
      if (this.call === call && !call.closed) handler(event.detail);
    };
    call.addEventListener("localstream", mine(({ stream }) => this.showSelf(stream)));
    this.soundOnlyFeed.forget();
    this.metId = info.opaque_id;
    call.addEventListener("remotestream", mine(({ stream }) => {
      if (stream.getVideoTracks().length === 0) {
        // Sound alone: their video is on its way, or they have no camera (call-sound-only.js).
        if (stream.getAudioTracks().length) this.soundOnlyFeed.offer(stream, attempt, withSoundOnly(this.state));
        return;
      }
      this.soundOnlyFeed.forget();
      this.showPresent(stream, attempt);
    }));
    call.addEventListener("remoteleft", mine(() => {
      this.soundOnlyFeed.forget();
      this.update({ type: "feed", present: false });
    }));
    call.addEventListener("link", mine(({ up }) => this.update({ type: "link", up })));
    call.addEventListener("stats", mine((detail) => this.onStats(detail)));
    call.addEventListener("state", mine(({ state }) => {
      if (state !== "publishing") return;
      this.applySwitches();
      if (this.toldProblem) { // the camera and microphone work now: the other side is told
        this.toldProblem = null;
        this.emitDevices();
      }
    }));
    call.addEventListener("failure", mine(({ code, reason, recoverable }) => {
      if (recoverable) this.rejoin();
      // Janus out of reach while joining again by itself: keep trying (the network may
      // still be down); a first join that cannot reach it is said at once.
      else if (code === "connection" && again) this.retrySoon();
      else this.fail(code, reason);
    }));
    if (held) {
      call.go(info, media);
      return;
    }
    try {
      await call.start();
    } catch (error) {
      if (this.call === call && this.state.phase === "connecting") this.fail("start", error);
    }
  }

  async heldElsewhere() {
    return this.hold.elsewhere();
  }

  // Another window of this person is in the call: this one is not (its camera off), and
  // offers to take the call here (draw: the note, the status and Continue here).
  showElsewhere() {
    this.stop();
    this.hold.release(); // (when another device took it: this window's others may join)
    this.dropMedia();
    clearInterval(this.stateTimer);
    this.stateTimer = null;
    this.root.hidden = false;
    this.update({ type: "elsewhere" });
  }

  // Continue here: the page's own join with a press (it knows the newest ticket), else a
  // join with a fresh ticket.
  async takeHere() {
    this.keepFocusFrom(this.el.here);
    if (!this.dispatchEvent(new CustomEvent("take", { cancelable: true }))) return;
    let ticket = this.ticket;
    try {
      ticket = (await this.freshTicket?.()) || ticket;
    } catch {
      // the live socket is down: the last ticket may still do
    }
    if (ticket) this.join(ticket, { press: true });
    else this.forgetKeptFocus();
  }

  // The media could not be mended in place: join again, with a fresh ticket if the page
  // can get one (else the same one again).
  async rejoin() {
    const { attempt } = this.state;
    this.stop();
    let ticket = this.ticket;
    if (this.freshTicket) {
      try {
        ticket = (await this.freshTicket()) || ticket;
      } catch {
        // the live socket is down too: the last ticket may still do
      }
    }
    if (this.state.attempt === attempt && !this.state.ended && !this.elsewhere) this.join(ticket, { again: true });
  }

  retrySoon() {
    const { attempt } = this.state;
    this.update({ type: "link", up: false });
    setTimeout(() => {
      if (this.state.attempt === attempt && !this.state.ended && !this.elsewhere) this.rejoin();
    }, RETRY_JOIN_MS);
  }

  // The other person's stream, there (with their video, or with sound only).
  showPresent(stream, attempt) {
    if (this.state.remote !== "present") this.update({ type: "feed", present: true });
    rememberMet(this.metId);
    this.showRemote(stream, attempt);
  }

  onStats({ figures, sending, bitrate }) {
    this.figures = figures;
    this.bitrate = bitrate;
    if (sending !== this.state.sending) {
      const toldBefore = soundOnlyProblem(this.state.sending);
      this.update({ type: "sending", sending });
      // Joined without a camera: the other side is told (camera off, and why).
      if (soundOnlyProblem(sending) !== toldBefore) this.emitDevices();
    }
    const videoExpected = this.state.remote === "present" && !["audio-only", "camera-off"].includes(this.state.phase);
    const frames = figures.receiving ? figures.fps : 0; // null in the first second
    this.update({
      type: "sample", frames, sound: figures.soundIn, quality: levelOf(figures, videoExpected),
    });
    this.drawQuality();
  }

  showSelf(stream) {
    if (this.el.self.srcObject !== stream) this.el.self.srcObject = stream;
    this.applySwitches();
  }

  showRemote(stream, attempt) {
    const video = this.el.remote;
    if (video.srcObject !== stream) video.srcObject = stream;
    video.play().catch((error) => {
      // Sound needs a click first (e.g. after a reload): play muted, offer to turn it on.
      if (error.name !== "NotAllowedError") return; // e.g. interrupted by the next track
      video.muted = true;
      this.el.sound.hidden = false;
      video.play().catch(() => {});
    });
    // The first frame drawn counts at once (the stats come once a second).
    const first = () => this.update({ type: "frame", attempt });
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(first);
    else video.addEventListener("loadeddata", first, { once: true });
  }

  unmuteRemote() {
    this.el.remote.muted = false;
    this.el.remote.play().catch(() => {});
    this.el.sound.hidden = true;
    this.el.mic.focus();
  }

  setMicrophone(on) {
    this.micOn = on;
    this.applySwitches();
    this.redraw();
    this.emitDevices();
  }

  setCamera(on) {
    this.cameraOn = on;
    this.applySwitches();
    this.redraw();
    this.emitDevices();
  }

  // Which of the own microphone and camera are on, for the page to tell the other side
  // (PROTOCOL.md, `devices`); only while this window is in the call.
  // The own switches, and why the camera or microphone could not be started (null: they
  // could), for the other side (call-devices.js).
  get devices() {
    const withoutCamera = soundOnlyProblem(this.state.sending);
    return { microphone: this.micOn, camera: this.cameraOn && !withoutCamera, problem: withoutCamera ?? this.toldProblem };
  }

  emitDevices() {
    if (this.joined) this.emit("devices", this.devices);
  }

  // The other person's, as the server says their page said ({microphone, camera}).
  setRemoteDevices(devices) {
    const microphone = devices?.microphone ?? true;
    const camera = devices?.camera ?? true;
    const problem = devices?.problem ?? null;
    const s = this.state;
    if (microphone === s.remoteMic && camera === s.remoteCamera && problem === s.remoteProblem) return;
    this.update({ type: "remote-devices", microphone, camera, problem });
    // They have no camera to send: a feed of their sound alone is them.
    if (withSoundOnly(this.state)) this.soundOnlyFeed.told();
    this.draw();
  }

  applySwitches() {
    // Both on the call (Janus's own mute) and on the local tracks, so a rejoin keeps them.
    try {
      this.call?.setMicrophone(this.micOn);
      this.call?.setCamera(this.cameraOn);
    } catch {
      // not negotiated yet: the tracks below still say it
    }
    const stream = this.el.self.srcObject;
    stream?.getAudioTracks().forEach((track) => { track.enabled = this.micOn; });
    if (this.state.sending === "video") {
      stream?.getVideoTracks().forEach((track) => { track.enabled = this.cameraOn; });
    }
    this.el.selfOff.hidden = this.cameraOn && this.state.sending === "video";
  }

  // stoppedAt: the server stopped the interview's clock then (its media server is down):
  // the time left stays as it was at that moment.
  // extended: the minutes the interviewer has added, said beside the time left (both see
  // the clock jump, and the candidate would not know why).
  setTimes({ endsAt = null, warningAt = null, now = null, stoppedAt = null, extended = 0 } = {}) {
    this.extended = endsAt ? extended : 0;
    this.drawExtended();
    if (!endsAt) {
      this.times = null;
    } else {
      const serverNow = now ? Date.parse(now) : Date.now();
      this.times = {
        endsAt: Date.parse(endsAt), warningAt: warningAt ? Date.parse(warningAt) : null,
        offset: serverNow - Date.now(), // add to the local clock to get the server's
        stoppedAt: stoppedAt ? Date.parse(stoppedAt) : null,
      };
    }
    if (!this.timerTimer) this.timerTimer = setInterval(() => this.tick(), 1000);
    this.tick();
  }

  tick() {
    const { timer, warning } = this.el;
    if (!this.times) {
      timer.textContent = "--:--";
      warning.hidden = true;
      return;
    }
    const now = this.times.stoppedAt ?? Date.now() + this.times.offset;
    timer.textContent = clock((this.times.endsAt - now) / 1000);
    const warn = this.times.warningAt !== null && now >= this.times.warningAt;
    this.root.classList.toggle("call-ending", warn);
    if (warn && warning.hidden) {
      warning.hidden = false;
      this.drawWarning();
    } else if (!warn) {
      warning.hidden = true;
    }
  }

  drawExtended() {
    const minutes = this.extended ?? 0;
    const text = minutes > 0 ? ngettext("Extended by %(minutes)s minute.", "Extended by %(minutes)s minutes.",
      minutes, { minutes }) : "";
    // Only a change: the element is a live region, and the same words must not be read again.
    if (this.el.extended.textContent !== text) this.el.extended.textContent = text;
  }

  drawWarning() {
    const over = this.times && Date.now() + this.times.offset >= this.times.endsAt;
    this.el.warning.textContent = over ? _("The time is up.") : _("The interview ends soon. Time to round off.");
  }

  // Everything that depends on the state, from the state alone.
  draw() {
    const { phase, who, remote, sending } = this.state;
    this.root.dataset.phase = phase;
    this.root.dataset.who = who ?? "";
    const key = (table) => table[`${phase}:${who}`] || table[`${phase}:${remote}`] || table[phase];
    // The other person gone, or their camera refused: the status line says it (also on a
    // page loaded again, where they are "absent", never seen: not "waiting for them to join").
    const note = phase === "alone" && (who === "other" || who === "problem") ? "" : key(NOTE);
    // No note of its own (the other person gone, the call failed): none, rather than the
    // last one left standing.
    this.el.waiting.hidden = showsVideo(this.state) || !note;
    if (note) this.el.waiting.textContent = _(note);
    this.el.waiting.dataset.i18n = note || NOTE.connecting;
    const status = statusOf(this.state, {
      serviceLost: this.serviceLost, mediaDown: this.mediaDown, side: this.side, named: !!this.otherName,
    });
    const muted = remote === "present" && !this.state.remoteMic && !["ended", "elsewhere"].includes(phase);
    const detail = problemDetail(this.state);
    let said = [status ? _(status, { name: this.otherName }) : "", detail ? _(detail) : "", muted ? _(REMOTE_MUTED) : ""]
      .filter(Boolean).join(" ");
    if (phase === "camera-off" && muted) said = _(REMOTE_BOTH_OFF);
    // The camera or microphone could not be had: what to do about it, not "interrupted".
    else if (phase === "failed" && this.mediaProblem) said = _(PROBLEMS[this.mediaProblem][0]);
    this.el.problemHelp.hidden = !(phase === "failed" && this.mediaProblem);
    if (this.mediaProblem) this.el.problemLink.href = `/help#${PROBLEMS[this.mediaProblem][1]}`;
    // Only a change: the status line is a live region.
    if (this.el.status.textContent !== said) this.el.status.textContent = said;
    this.el.videoNote.hidden = !SENDING[sending];
    const videoNote = SENDING[sending] ? _(SENDING[sending]) : "";
    if (this.el.videoNoteText.textContent !== videoNote) {
      this.el.videoNoteText.textContent = videoNote;
      if (this.el.videoSaid) this.el.videoSaid.textContent = videoNote;
    }
    this.el.selfOff.hidden = this.cameraOn && sending === "video";
    // No camera to switch, nor video to turn back on, in a call with sound only from the start.
    if (this.el.leaveNo.hidden) this.el.camera.hidden = !!soundOnlyProblem(sending);
    this.el.videoOn.hidden = !!soundOnlyProblem(sending);
    this.el.here.hidden = phase !== "elsewhere";
    this.drawQuality();
  }

  setOtherName(name) {
    if ((name || null) === this.otherName) return;
    this.otherName = name || null;
    this.draw();
  }

  setServiceLost(lost) {
    if (lost === this.serviceLost) return;
    this.serviceLost = lost;
    this.draw();
  }

  setMediaDown(down) {
    if (down === this.mediaDown) return;
    this.mediaDown = down;
    this.draw();
  }

  // "good" only while their frames arrive: never while reconnecting, at most "fair" while
  // their video is paused, from the figures alone while nobody else is there.
  drawQuality() {
    // The video service down (the service says so): the figures measure that, not this
    // person's connection, and "Connection: poor" beside its notice would blame their
    // network (docs/calls.md). Shown again when it is back. (With the page's own link to the
    // service lost it stays: that may well be their network.)
    const { phase } = this.state;
    // Out of the call here (failed, or held by another window): nothing is being measured,
    // and "checking…" would say something is.
    this.el.quality.hidden = this.mediaDown || phase === "failed" || phase === "elsewhere";
    let level = "unknown";
    if (phase === "reconnecting" || phase === "unreachable") level = "poor";
    else if (showsVideo(this.state)) level = levelOf(this.figures, true);
    else if (phase === "alone" || phase === "camera-off") level = levelOf(this.figures, false);
    else if (phase === "audio-only") {
      level = levelOf(this.figures, false);
      if (level === "good") level = "fair";
    }
    this.el.quality.dataset.level = level;
    this.el.qualityText.textContent = _(QUALITY_TEXTS[level]);
    this.el.details.textContent = detailsText(this.figures, this.bitrate);
  }

  redraw() {
    this.el.mic.textContent = this.micOn ? _("Mute microphone") : _("Unmute microphone");
    this.el.camera.textContent = this.cameraOn ? _("Turn camera off") : _("Turn camera on");
    this.el.mic.classList.toggle("off", !this.micOn);
    this.el.camera.classList.toggle("off", !this.cameraOn);
    this.draw();
    if (!this.el.warning.hidden) this.drawWarning();
    this.drawExtended();
  }

  fail(code, reason) {
    // A refusal of the camera or microphone (janus-room.js publish: getUserMedia's error
    // name) is said as the device check says it; Join again asks for them anew.
    const known = code === "media" && deviceProblem(reason);
    this.mediaProblem = known ? reason : null;
    this.update({ type: "fail" });
    // The other side is told why this side is not coming into the call (and, once a later
    // join publishes, that it is coming).
    if (known) {
      this.toldProblem = PROBLEMS[reason][2];
      this.emitDevices();
    }
    // Out of the call for good until Join again: nothing of it may go on, above all not
    // the other person's sound in a picture no longer shown (a refused camera fails after
    // the page has joined the room and subscribed to them). Still joined as the page sees
    // it: Join again starts the next call, not the page's own join on its next state.
    this.stop({ keep: true });
    this.emit("failed", { code: String(code), reason: String(reason) });
  }

  stop({ keep = false } = {}) {
    // Ends the current call here without a word to anyone (keep: a failed call stays the
    // current one, ended, until the next join replaces it).
    const call = this.call;
    if (!keep) this.call = null;
    this.soundOnlyFeed.forget();
    if (call) {
      try {
        call.leave();
      } catch {
        // already gone
      }
    }
    this.el.self.srcObject?.getTracks().forEach((track) => track.stop());
    this.el.self.srcObject = null;
    this.el.remote.srcObject = null;
    // Nothing plays any more: no sound to turn on (a call joined later asks again if need be).
    this.el.remote.muted = false;
    this.el.sound.hidden = true;
    this.figures = null;
  }

  // A Join again or Continue here (`control`) about to hide while it holds the focus: the
  // focus goes to the call's first control shown, not to the top of the page (nothing is
  // focused once it hides). Placed when the join it starts has drawn its next phase (the
  // switches are not shown in a failed call, nor while another window holds it, nor with
  // the leave question; a failed join then offers the focus to Join again).
  keepFocusFrom(control) {
    if (control.contains(document.activeElement)) this.focusKept = true;
  }

  // No join follows after all (refused, no ticket): a phase much later does not move the focus.
  forgetKeptFocus() {
    this.focusKept = false;
  }

  placeKeptFocus() {
    if (!this.focusKept) return;
    this.focusKept = false;
    // (Not from where the person has gone meanwhile, as the notes.)
    const at = document.activeElement;
    if (at && at !== document.body && at.getClientRects().length > 0) return;
    const { mic, camera, leave, leaveNo, here } = this.el;
    [mic, camera, leave, leaveNo, here].find((button) => button.getClientRects().length > 0)?.focus();
  }

  // The call failed and its Join again (`button`) shows: it takes the focus when the focus
  // was in the call or nowhere to be seen (never from a field elsewhere on the page, as the
  // notes).
  offerFocusTo(button) {
    const at = document.activeElement;
    // (A control hidden meanwhile, as the offer's Join, may still be the active element.)
    const nowhere = !at || at === document.body || at.getClientRects().length === 0;
    if (nowhere || this.root.contains(at)) button.focus();
  }

  // Leaving ends the interview for good (PROTOCOL.md, `leave`), and people leave a call to
  // mend their sound: asked once more, in place of the controls, staying the focused answer.
  askLeave(asking) {
    for (const button of [this.el.mic, this.el.camera, this.el.leave]) button.hidden = asking;
    // No camera to switch in a call with sound only from the start.
    if (soundOnlyProblem(this.state.sending)) this.el.camera.hidden = true;
    for (const part of [this.el.leaveQuestion, this.el.leaveYes, this.el.leaveNo]) part.hidden = !asking;
    if (asking) this.el.leaveNo.focus();
  }

  leave(byUser = false) {
    if (!this.el.leaveNo.hidden) this.askLeave(false); // the call ended while it was asked
    this.update({ type: "leave" });
    this.dropMedia();
    this.stop();
    this.hold.release();
    clearInterval(this.stateTimer);
    this.stateTimer = null;
    clearInterval(this.timerTimer);
    this.timerTimer = null;
    this.times = null;
    this.root.hidden = true;
    this.emit("left", { byUser });
  }
}
