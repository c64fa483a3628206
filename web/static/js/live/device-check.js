// The device check on the candidate's page (candidates/_device_check.html): whether the
// browser can make video calls, a camera preview, a microphone level meter (WebAudio
// AnalyserNode) and a test sound. When the camera or microphone cannot be used it says why
// and links the part of the help page that helps. Nothing leaves the browser.
//
// Also exports the page's sound: audio() (one AudioContext, resumed on a click) and beep().
import { N_, _, onLanguageChange } from "./texts.js";
import { mediaProblem } from "../media-problem.js";

const HEARD_LEVEL = 8; // meter value (0–100) that counts as "we hear you"

// What each getUserMedia failure means for the candidate, the help section for it (also
// used by the waiting room's own picture, self-view.js), and how the other side of a call is
// told it (app/live/PROTOCOL.md, `devices`, `problem`).
const BLOCKED = [N_("The camera and microphone are blocked for this page. Allow them (the camera or padlock symbol next to the address) and try again."), "camera", "blocked"];
const IN_USE = [N_("The camera or microphone is in use by another program. Close other video programs and tabs, then try again."), "camera", "in_use"];
const MISSING = [N_("No camera or microphone was found. Connect one and try again."), "camera", "not_found"];
const NO_CAMERA = [N_("No camera was found. Connect one and try again."), "camera", "no_camera"];
const NO_MICROPHONE = [N_("No microphone was found. Connect one (a headset works too) and try again."), "camera", "no_microphone"];
export const PROBLEMS = {
  NotAllowedError: BLOCKED,
  SecurityError: BLOCKED,
  NotReadableError: IN_USE,
  AbortError: IN_USE,
  NotFoundError: MISSING,
  OverconstrainedError: MISSING,
  noCamera: NO_CAMERA, // (media-problem.js: which one of the two is missing)
  noMicrophone: NO_MICROPHONE,
  unsupported: [N_("This browser cannot make video calls. Use a current Chrome, Edge, Firefox or Safari."), "browser", "unsupported"],
  other: [N_("The camera or microphone could not be started. Reload the page and try again."), "camera", "other"],
};

// The camera's problems the call gets over with sound only (janus-room.js askMedia): said
// so by the check, beside a microphone that works, in place of PROBLEMS' words.
const WITH_SOUND_ONLY = {
  noCamera: N_("No camera was found. You can still take part with sound only: the interviewer is told. To be seen, connect a camera and check again."),
  NotFoundError: N_("No camera was found. You can still take part with sound only: the interviewer is told. To be seen, connect a camera and check again."),
  NotReadableError: N_("Another program is using your camera. Close it and check again, or take part with sound only: the interviewer is told."),
  AbortError: N_("Another program is using your camera. Close it and check again, or take part with sound only: the interviewer is told."),
};

// Whether `name` is a PROBLEMS key of the camera or microphone themselves (not the browser's:
// their help is the camera's).
export function deviceProblem(name) {
  return Object.hasOwn(PROBLEMS, name) && PROBLEMS[name][1] === "camera";
}

// The PROBLEMS key for a getUserMedia failure (`asked`: the devices asked for).
export async function problemName(error, asked = { video: true, audio: true }) {
  const name = await mediaProblem(error, asked);
  return deviceProblem(name) ? name : "other";
}

let context = null;

export function audio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!context && Context) context = new Context();
  if (context && context.state === "suspended") context.resume().catch(() => {});
  return context;
}

// Short tones (the test sound, and "your turn"): `count` beeps of `seconds` each.
export function beep({ count = 1, frequency = 880, seconds = 0.2, gap = 0.12 } = {}) {
  const ctx = audio();
  if (!ctx) return;
  let at = ctx.currentTime + 0.05;
  for (let i = 0; i < count; i += 1) {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + seconds);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(at);
    oscillator.stop(at + seconds + 0.02);
    at += seconds + gap;
  }
}

export function browserSupported() {
  return !!(canCapture() && window.RTCPeerConnection
    && window.WebSocket && (window.AudioContext || window.webkitAudioContext));
}

// The camera and microphone can be tried even where the call cannot be made (a browser
// without WebRTC): the check then shows both, so the advice to change browsers is clear.
function canCapture() {
  return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

export class DeviceCheck {
  constructor(root) {
    this.root = root;
    const find = (name) => root.querySelector(`[data-device-${name}]`);
    this.el = {
      unsupported: find("unsupported"), start: find("start"), sound: find("sound"),
      soundHint: find("sound-hint"), problem: find("problem"), problemText: find("problem-text"),
      problemLink: find("problem-link"), results: find("results"), video: find("video"),
      meter: find("meter"), micStatus: find("mic-status"), cameraStatus: find("camera-status"),
      stopCheck: find("stop"),
    };
    this.stream = null;
    this.problem = null;
    this.heard = false;
    this.el.start.addEventListener("click", () => this.start());
    this.el.stopCheck.addEventListener("click", () => this.end());
    this.el.sound.addEventListener("click", () => {
      beep({ count: 2, frequency: 660, seconds: 0.35 });
      this.el.soundHint.hidden = false;
    });
    onLanguageChange(() => this.redraw());
    this.callsUnsupported = !browserSupported();
    if (this.callsUnsupported) this.showProblem("unsupported");
  }

  async start() {
    if (!canCapture()) {
      this.showProblem("unsupported");
      return;
    }
    audio(); // this click lets the page play sounds later (the offer's beep)
    this.stop();
    this.showProblem(null);
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (error) {
      const name = await problemName(error);
      // Without the camera the call goes on with sound only: the microphone is checked alone.
      if (!WITH_SOUND_ONLY[name] || !(await this.microphoneAlone())) {
        this.showProblem(name);
        return;
      }
      this.showProblem(name, { soundOnly: true });
    }
    this.el.results.hidden = false;
    // No picture without a camera: no empty black box either.
    this.el.video.parentElement.hidden = this.stream.getVideoTracks().length === 0;
    this.el.video.srcObject = this.stream;
    this.el.video.play().catch(() => {});
    this.heard = false;
    this.listen(this.stream);
    this.el.start.textContent = _("Check again");
    this.el.start.dataset.i18n = "Check again";
    this.el.stopCheck.hidden = false;
    this.redraw();
  }

  // The microphone without the camera: whether it could be had.
  async microphoneAlone() {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      return true;
    } catch {
      return false;
    }
  }

  // Stop the check pressed: the camera and microphone off, the check as before it began.
  end() {
    this.stop();
    this.el.results.hidden = true;
    this.el.start.textContent = _("Start the device check");
    this.el.start.dataset.i18n = "Start the device check";
    this.el.start.focus();
  }

  listen(stream) {
    const ctx = audio();
    if (!ctx || stream.getAudioTracks().length === 0) return;
    const source = ctx.createMediaStreamSource(stream);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    this.source = source;
    this.meterTimer = setInterval(() => {
      analyser.getByteTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += ((sample - 128) / 128) ** 2;
      const level = Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 300));
      this.el.meter.value = level;
      if (level >= HEARD_LEVEL && !this.heard) {
        this.heard = true;
        this.redraw();
      }
    }, 100);
  }

  // soundOnly: the camera's problem, with the microphone working (the results stay shown).
  showProblem(name, { soundOnly = false } = {}) {
    this.problem = name;
    this.soundOnly = soundOnly;
    this.el.problem.hidden = !name || name === "unsupported";
    this.el.unsupported.hidden = name !== "unsupported" && !this.callsUnsupported;
    if (name) {
      this.el.problemLink.href = `/help#${PROBLEMS[name][1]}`;
      if (!soundOnly) this.el.results.hidden = true;
    }
    this.redraw();
  }

  redraw() {
    if (this.problem) {
      this.el.problemText.textContent = _(this.soundOnly ? WITH_SOUND_ONLY[this.problem] : PROBLEMS[this.problem][0]);
    }
    const video = this.stream?.getVideoTracks()[0];
    // Not nested in the sentence's _(): the catalog's extractor would miss the inner text.
    const camera = video?.label || _("on");
    this.el.cameraStatus.textContent = video
      ? _("Camera: %(name)s. You should see yourself.", { name: camera }) : "";
    this.el.micStatus.textContent = this.heard
      ? _("Microphone: we hear you.") : _("Microphone: say something; the bar moves when we hear you.");
  }

  stop() {
    clearInterval(this.meterTimer);
    this.source?.disconnect();
    this.source = null;
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.el.video.srcObject = null;
    this.el.meter.value = 0;
    this.el.stopCheck.hidden = true;
  }
}
