// The call as the page shows it (web/templates/live/_call.html): the other person's video
// large, the own video small, microphone and camera switches, the countdown with its warning,
// the connection quality and Leave. Signalling stays in ../janus-room.js (RoomCall).
//
//   const view = new CallView(document.querySelector("[data-call]"));
//   await view.join(ticket);                   // POST /api/join, then RoomCall; again = rejoin
//   view.setTimes({endsAt, warningAt, now});   // ISO strings or null; now = the server's clock
//   view.leave();                              // ends the call here (dispatches "left")
// Events: "left" (detail {byUser}: true when the Leave button was pressed), "remote-video"
// (the first remote frame of a join, and again when the other side comes back after leaving),
// "failed" (detail {code, reason}).
import { RoomCall } from "../janus-room.js";
import { N_, _, onLanguageChange } from "./texts.js";

const QUALITY_EVERY_MS = 3000;
const QUALITY_TEXTS = {
  unknown: N_("Connection: checking…"),
  good: N_("Connection: good"),
  fair: N_("Connection: fair"),
  poor: N_("Connection: poor"),
};

// Good / fair / poor from the share of packets lost and the round-trip time (seconds).
export function qualityOf(loss, rtt) {
  if (loss === null && rtt === null) return "unknown";
  if ((loss ?? 0) < 0.02 && (rtt ?? 0) < 0.3) return "good";
  if ((loss ?? 0) < 0.08 && (rtt ?? 0) < 0.7) return "fair";
  return "poor";
}

function clock(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  return `${String(minutes).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

export class CallView extends EventTarget {
  constructor(root) {
    super();
    this.root = root;
    const find = (name) => root.querySelector(`[data-call-${name}]`);
    this.el = {
      remote: find("remote"), self: find("self"), selfOff: find("self-off"), waiting: find("waiting"),
      sound: find("sound"), timer: find("timer"), quality: find("quality"),
      qualityText: find("quality-text"), warning: find("warning"), status: find("status"),
      mic: find("mic"), camera: find("camera"), leave: find("leave"),
    };
    this.call = null;
    this.generation = 0;
    this.micOn = true;
    this.cameraOn = true;
    this.times = null;
    this.statusText = null; // [msgid, params]: redrawn in the new language
    this.level = "unknown";
    this.el.mic.addEventListener("click", () => this.setMicrophone(!this.micOn));
    this.el.camera.addEventListener("click", () => this.setCamera(!this.cameraOn));
    this.el.leave.addEventListener("click", () => this.leave(true));
    this.el.sound.addEventListener("click", () => this.unmuteRemote());
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

  async join(ticket) {
    this.stop();
    const generation = ++this.generation;
    this.root.hidden = false;
    this.el.waiting.hidden = false;
    this.remoteGone = false;
    this.el.remote.classList.remove("playing");
    this.setStatus(N_("Connecting…"));
    let info;
    try {
      const reply = await fetch("/api/join", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ticket }), credentials: "same-origin",
      });
      if (!reply.ok) throw new Error(`join refused: ${reply.status}`);
      info = await reply.json();
    } catch (error) {
      if (generation === this.generation) this.fail("join", error);
      return;
    }
    if (generation !== this.generation) return; // left or rejoined meanwhile
    const call = new RoomCall(info);
    this.call = call;
    const mine = (handler) => (event) => {
      if (this.call === call) handler(event.detail);
    };
    call.addEventListener("localstream", mine(({ stream }) => this.showSelf(stream)));
    const goneFeeds = new Set();
    call.addEventListener("remotestream", mine(({ feed, stream }) => {
      // The tracks of a feed that has left go one by one after it: not someone coming back
      // (who comes back does so as a new feed).
      if (goneFeeds.has(feed) || stream.getVideoTracks().length === 0) return;
      this.remoteGone = false;
      this.showRemote(stream, generation);
    }));
    call.addEventListener("remoteleft", mine(({ feed }) => {
      goneFeeds.add(feed);
      this.seenFrame = null; // when they come back, their first frame counts again
      this.remoteGone = true; // a frame callback still pending must not hide "waiting"
      this.el.waiting.hidden = false;
      this.setStatus(N_("The other person has left the call."));
    }));
    call.addEventListener("state", mine(({ state }) => {
      if (state === "publishing") this.applySwitches();
    }));
    call.addEventListener("failure", mine(({ code, reason }) => this.fail(code, reason)));
    this.qualityTimer = setInterval(() => this.measure(), QUALITY_EVERY_MS);
    this.previous = null;
    try {
      await call.start();
    } catch (error) {
      if (this.call === call) this.fail("start", error);
    }
  }

  showSelf(stream) {
    if (this.el.self.srcObject !== stream) this.el.self.srcObject = stream;
    this.applySwitches();
  }

  showRemote(stream, generation) {
    const video = this.el.remote;
    if (video.srcObject !== stream) video.srcObject = stream;
    video.play().catch((error) => {
      // Sound needs a click first (e.g. after a reload): play muted, offer to turn it on.
      if (error.name !== "NotAllowedError") return; // e.g. interrupted by the next track
      video.muted = true;
      this.el.sound.hidden = false;
      video.play().catch(() => {});
    });
    const first = () => {
      if (generation !== this.generation || this.seenFrame === generation || this.remoteGone) {
        return;
      }
      this.seenFrame = generation;
      this.el.waiting.hidden = true;
      this.setStatus(null);
      this.emit("remote-video", { stream });
    };
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
  }

  setCamera(on) {
    this.cameraOn = on;
    this.applySwitches();
    this.redraw();
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
    stream?.getVideoTracks().forEach((track) => { track.enabled = this.cameraOn; });
    this.el.selfOff.hidden = this.cameraOn;
  }

  // stoppedAt: the server stopped the interview's clock then (its media server is down):
  // the time left stays as it was at that moment.
  setTimes({ endsAt = null, warningAt = null, now = null, stoppedAt = null } = {}) {
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

  drawWarning() {
    const over = this.times && Date.now() + this.times.offset >= this.times.endsAt;
    this.el.warning.textContent = over ? _("The time is up.") : _("The interview ends soon. Time to round off.");
  }

  async measure() {
    const connections = this.call?.peerConnections?.();
    if (!connections) return;
    let lost = 0;
    let received = 0;
    let rtt = null;
    const all = [connections.publisher, ...connections.subscribers].filter(Boolean);
    for (const pc of all) {
      let report;
      try {
        report = await pc.getStats();
      } catch {
        continue;
      }
      report.forEach((entry) => {
        if (entry.type === "inbound-rtp" && entry.kind === "video") {
          lost += entry.packetsLost || 0;
          received += entry.packetsReceived || 0;
        }
        if (entry.type === "candidate-pair" && entry.nominated && entry.currentRoundTripTime != null) {
          rtt = Math.max(rtt ?? 0, entry.currentRoundTripTime);
        }
      });
    }
    const before = this.previous;
    this.previous = { lost, received };
    let loss = null;
    if (before) {
      const newLost = Math.max(0, lost - before.lost);
      const newReceived = Math.max(0, received - before.received);
      if (newLost + newReceived > 0) loss = newLost / (newLost + newReceived);
      else if (received > 0) loss = 1; // media stopped coming
    }
    this.level = qualityOf(loss, rtt);
    this.drawQuality();
  }

  drawQuality() {
    this.el.quality.dataset.level = this.level;
    this.el.qualityText.textContent = _(QUALITY_TEXTS[this.level]);
  }

  setStatus(msgid, params) {
    this.statusText = msgid ? [msgid, params] : null;
    this.el.status.textContent = msgid ? _(msgid, params) : "";
  }

  redraw() {
    this.el.mic.textContent = this.micOn ? _("Mute microphone") : _("Unmute microphone");
    this.el.camera.textContent = this.cameraOn ? _("Turn camera off") : _("Turn camera on");
    this.el.mic.classList.toggle("off", !this.micOn);
    this.el.camera.classList.toggle("off", !this.cameraOn);
    this.drawQuality();
    if (!this.el.warning.hidden) this.drawWarning();
    if (this.statusText) this.el.status.textContent = _(...this.statusText);
  }

  fail(code, reason) {
    this.setStatus(N_("The call was interrupted."));
    this.emit("failed", { code: String(code), reason: String(reason) });
  }

  stop() {
    // Ends the current call here without a word to anyone.
    const call = this.call;
    this.call = null;
    clearInterval(this.qualityTimer);
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
    this.level = "unknown";
    this.drawQuality();
  }

  leave(byUser = false) {
    this.generation += 1;
    this.stop();
    clearInterval(this.timerTimer);
    this.timerTimer = null;
    this.times = null;
    this.root.hidden = true;
    this.setStatus(null);
    this.emit("left", { byUser });
  }
}
