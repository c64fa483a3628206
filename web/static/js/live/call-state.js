// The call's one state, as this browser sees it: pure functions, no DOM, no Janus. The call
// view (call-view.js) feeds it what it learns and draws from the result alone; the phases,
// their texts and the bounds are in docs/calls.md.
//
// A state holds facts (what the signalling and the stats said last) and the phase derived
// from them:
//
//   phase        when (checked top to bottom)
//   idle         before the first join
//   ended        the call was left (the Leave button, or the interview ended)
//   failed       Janus refused us (no retry by itself: the page offers "Join again")
//   elsewhere    another window of this browser (call-hold.js) or another device holds the
//                call: this one left it, or did not join; the page offers "Continue here"
//   connecting   this join's own media link has not been up yet, for less than UNREACHABLE_MS
//   reconnecting the own link went down (ICE disconnected/failed, being restarted or rejoined),
//                for less than UNREACHABLE_MS; who = "self". Or: the own link is up, the other
//                person is in the room, and nothing of theirs (no frame, no sound) has arrived
//                for STALL_MS after it had: their link is down; who = "other"
//   unreachable  connecting or reconnecting (self) for UNREACHABLE_MS or more: no connection
//                can be made from here right now. Retrying goes on.
//   alone        own link up, the other person not in the room (not yet, or left: `remote`);
//                who = "other" once they have been gone for GONE_MS: their page is out of the
//                call (closed, or its network lost) and the interview goes on. Sooner it may
//                be their Leave or End, whose end of the interview follows in a moment.
//                who = "problem": their page said it could not start their camera or
//                microphone (`remoteProblem`), and shows them what to do
//   camera-off   their camera is switched off, as their page said (`remoteCamera`), and their
//                sound arrives or their microphone is off too: no picture is expected, and
//                none missing is read as a weak connection
//   audio-only   their sound arrives, their video does not (their camera stopped, or their
//                connection is too weak for video), after their video had come, or for
//                AUDIO_ONLY_MS from their arrival
//   degraded     their video arrives, but the connection is poor (quality "poor")
//   live         their video arrives and the connection is good or fair
//
//   event        facts it sets                              usual move
//   join         new attempt, link "new", remote "absent"   any → connecting
//    (again)     … but the link's clock goes on, and a link   reconnecting → reconnecting,
//                that was up counts as down                 unreachable → unreachable
//   link         link "up" | "down" (ICE of own handles)    connecting → alone/live,
//                                                            live → reconnecting → live
//   feed         remote "present" | "left", not yet seen     alone → connecting → live,
//                                                            live → alone
//   frame        media seen now (the first frame drawn)     connecting → live
//   sample       frames (null: unknown yet) and sound of    live ⇄ degraded ⇄ audio-only,
//                the last second, quality, now               live → reconnecting (other)
//   sending      what this side sends: video | audio-only   (drawn, no phase change)
//                 (bandwidth | camera)
//   remote-devices  remoteMic, remoteCamera: which of theirs   audio-only ⇄ camera-off,
//                are on, as the server says their page said;  alone ⇄ alone (problem)
//                remoteProblem: why theirs could not start
//   tick         now (once a second)                        connecting → unreachable,
//                                                            alone → alone (other)
//   fail         fatal                                      any → failed
//   elsewhere    held by another window or device           any → elsewhere (a join ends it;
//                                                           a join under way is dropped)
//   met          this page met the other person in this call  alone → alone (other) after
//                before it was loaded again                   MET_GONE_MS without them
//   leave        ended                                      any → ended
// Events of an older attempt (a join since replaced) are dropped: `attempt` must match.

export const STALL_MS = 2000;
export const UNREACHABLE_MS = 7000;
export const AUDIO_ONLY_MS = 5000;
// The problems told with the camera off by one who takes part with sound only
// (call-sound-only.js; PROTOCOL.md `devices`).
const SOUND_ONLY_PROBLEMS = ["no_camera", "in_use"];

// Whether their page said it takes part with sound only (its camera off for want of one).
export function withSoundOnly(state) {
  return !state.remoteCamera && SOUND_ONLY_PROBLEMS.includes(state.remoteProblem);
}
export const GONE_MS = 2000;
// A page that met the other person in this call before it was loaded again (`met`): the
// other not there for MET_GONE_MS is gone too. Longer than GONE_MS: after a room move both
// pages join again at once, and the other's may simply be a moment slower.
export const MET_GONE_MS = 6000;

export const PHASES = [
  "idle", "ended", "failed", "elsewhere", "connecting", "reconnecting", "unreachable", "alone",
  "camera-off", "audio-only", "degraded", "live",
];

// Good / fair / poor from the share of packets lost, the round-trip time (seconds) and the
// frames of the other person's video per second: "good" only while frames arrive.
export function qualityOf({ loss = null, rtt = null, fps = null, videoExpected = true } = {}) {
  if (loss === null && rtt === null && fps === null) return "unknown";
  if (videoExpected && fps !== null && fps < 1) return "poor";
  const slow = videoExpected && fps !== null && fps < 10;
  if ((loss ?? 0) < 0.02 && (rtt ?? 0) < 0.3 && !slow) return "good";
  if ((loss ?? 0) < 0.08 && (rtt ?? 0) < 0.7) return "fair";
  return "poor";
}

export function initialState() {
  return {
    phase: "idle", attempt: 0, who: null, link: "new", linkSince: 0, remote: "absent",
    mediaAt: null, frames: false, sound: false, quality: "unknown", feedAt: null, seen: false, metAt: null,
    sending: "video", ended: false, fatal: false, elsewhere: false, remoteMic: true, remoteCamera: true,
    remoteProblem: null,
  };
}

// The new state after `event` ({type, attempt, now, …}); `state` is never changed.
export function next(state, event) {
  const now = event.now ?? Date.now();
  if (event.type === "join") {
    // A rejoin by itself (event.again) goes on from a lost link: still "reconnecting", and
    // the clock towards "unreachable" keeps running.
    const again = event.again && state.phase !== "idle" && !state.ended;
    return derive({
      ...initialState(), attempt: state.attempt + 1, phase: "connecting",
      remoteMic: state.remoteMic, remoteCamera: state.remoteCamera, // the same person's, still
      remoteProblem: state.remoteProblem,
      link: again && state.link !== "new" ? "down" : "new",
      linkSince: again ? state.linkSince : now,
    }, now);
  }
  if (event.attempt !== undefined && event.attempt !== state.attempt) return state;
  const s = { ...state };
  switch (event.type) {
    case "leave": s.ended = true; break;
    case "fail": s.fatal = true; break;
    // Out of the call, also after an ended one (a page out of it since an earlier
    // interview), and a join still under way is dropped: its attempt is over.
    case "elsewhere": s.elsewhere = true; s.ended = false; s.attempt += 1; break;
    case "link":
      if (event.up !== (s.link === "up")) {
        // Down: the clock of "how long without a link" starts now, unless it was never up.
        if (!event.up && s.link === "up") s.linkSince = now;
        s.link = event.up ? "up" : "down";
        if (event.up) s.mediaAt = null; // their media gets STALL_MS from here
      }
      break;
    // This page had met the other person in this call before it was loaded again.
    case "met": s.metAt = now; break;
    case "feed":
      s.remote = event.present ? "present" : "left";
      s.feedAt = now;
      s.seen = false;
      s.mediaAt = null;
      s.frames = false;
      s.sound = false;
      break;
    case "frame":
      s.frames = true;
      s.mediaAt = now;
      break;
    case "sample":
      if (event.frames !== null) s.frames = event.frames > 0; // null: not known yet
      s.sound = !!event.sound;
      if (s.frames || s.sound) s.mediaAt = now;
      else if (s.mediaAt === null && s.phase !== "connecting" && s.remote === "present") {
        s.mediaAt = now; // stall counted from the first empty second we see
      }
      s.quality = event.quality ?? s.quality;
      break;
    case "sending": s.sending = event.sending; break;
    case "remote-devices":
      s.remoteMic = event.microphone;
      s.remoteCamera = event.camera;
      s.remoteProblem = event.problem ?? null;
      break;
    case "tick": break; // time alone moves a phase on (to "unreachable", "reconnecting")
    default: return state;
  }
  return derive(s, now);
}

function derive(s, now) {
  const derived = { ...s, ...phaseOf(s, now) };
  // Their video has been seen since they (re)appeared: "remote-video" is said once per feed.
  if (showsVideo(derived)) derived.seen = true;
  return derived;
}

function phaseOf(s, now) {
  if (s.ended) return { phase: "ended", who: null };
  if (s.fatal) return { phase: "failed", who: null };
  if (s.elsewhere) return { phase: "elsewhere", who: null };
  if (s.link !== "up") {
    const everUp = s.link === "down";
    if (now - s.linkSince >= UNREACHABLE_MS) return { phase: "unreachable", who: "self" };
    return everUp ? { phase: "reconnecting", who: "self" } : { phase: "connecting", who: null };
  }
  if (s.remote !== "present") {
    const gone = s.remote === "left"
      ? now - (s.feedAt ?? now) >= GONE_MS
      : s.metAt !== null && now - s.metAt >= MET_GONE_MS;
    // Their page could not start its camera or microphone: they are being told what to do,
    // and this side is told that, not only to wait.
    // (Not one who comes with sound only, for want of a camera: call-sound-only.js.)
    if (s.remoteProblem && !withSoundOnly(s)) return { phase: "alone", who: "problem" };
    return { phase: "alone", who: gone ? "other" : null };
  }
  if (s.frames) return { phase: s.quality === "poor" ? "degraded" : "live", who: null };
  // (A microphone switched off still sends silence: nothing at all for STALL_MS is their
  // connection, camera or not.)
  const hadMedia = s.phase !== "connecting" && s.phase !== "alone";
  const stalled = hadMedia && s.mediaAt !== null && now - s.mediaAt >= STALL_MS;
  if (!s.remoteCamera && (s.sound || (!s.remoteMic && !stalled))) return { phase: "camera-off", who: "other" };
  // Sound first is usual (the video waits for its first full picture): sound only counts
  // as "audio-only" once their video had come, or after AUDIO_ONLY_MS without it.
  if (s.sound && (s.seen || now - (s.feedAt ?? now) >= AUDIO_ONLY_MS)) {
    return { phase: "audio-only", who: "other" };
  }
  if (stalled) return { phase: "reconnecting", who: "other" };
  if (!hadMedia) return { phase: "connecting", who: null };
  return { phase: s.phase, who: s.who }; // a short gap: keep what is shown
}

// Whether the other person's picture shows (else the "waiting" note covers it).
export function showsVideo(state) {
  return state.phase === "live" || state.phase === "degraded";
}
