// What the call's status line says (web/templates/live/_call.html, [data-call-status]) for
// a state of call-state.js, beside what the page knows of the service around the call:
//
//   statusOf(state, {serviceLost, mediaDown, side, named})
//                                               the English msgid, or "" for nothing; a text
//                                               about the other person may hold %(name)s
//
// serviceLost: the page's own socket to the service is down (channel.js "reconnecting");
// mediaDown: the service says the video service is down (media-outage.js, which says so in a
// notice of its own). "No connection from this network" is said only when neither holds: with
// the socket down too the page cannot tell the network from the service, and with the video
// service down the fault is the service's, not the person's connection.
// side: whose page this is, "interviewer" or "candidate"; named: the page knows the other
// person's name (then the text holds %(name)s).
import { N_ } from "./texts.js";

// Keyed by phase, or phase:who (self / other), or phase:remote (present / absent / left).
const STATUS = {
  connecting: N_("Connecting…"),
  "reconnecting:self": N_("Your connection was interrupted. Reconnecting…"),
  "reconnecting:other": N_("The other person's connection was interrupted. Reconnecting…"),
  unreachable: N_("No connection can be made from this network right now. Still trying…"),
  elsewhere: N_("You are in this call in another window or on another device. To go on here, choose Continue here."),
  "audio-only": N_("The other person's video is paused (weak connection or camera). You can still hear each other."),
  "camera-off": N_("The other person has turned their camera off. You can still hear each other."),
  failed: N_("The call was interrupted."),
};
const UNREACHABLE_ANY = N_("No connection can be made right now. Still trying…");

// The other person's page went out of the call while the interview goes on (the tab closed,
// the network lost; Leave and End end the interview, and the call with it): not that they
// left, but that they can come back, and what this side can do meanwhile. Only the
// interviewer can end the interview.
const OTHER_GONE = {
  interviewer: {
    named: N_("%(name)s's connection to the call was lost. They can come back while the interview's time runs. You can wait, or end the interview."),
    unnamed: N_("The candidate's connection to the call was lost. They can come back while the interview's time runs. You can wait, or end the interview."),
  },
  candidate: {
    named: N_("%(name)s's connection to the call was lost. Please wait: they can come back while the interview's time runs."),
    unnamed: N_("The interviewer's connection to the call was lost. Please wait: they can come back while the interview's time runs."),
  },
};

// Their page could not start their camera or microphone (call-state.js: alone, who
// "problem"): it shows them what to do, and this side is not left guessing why they do not come.
const OTHER_PROBLEM = {
  interviewer: {
    named: N_("%(name)s's camera or microphone could not be started. They are being shown what to do. You can wait, or end the interview."),
    unnamed: N_("The candidate's camera or microphone could not be started. They are being shown what to do. You can wait, or end the interview."),
  },
  candidate: {
    named: N_("%(name)s's camera or microphone could not be started. Please wait: they are being shown what to do."),
    unnamed: N_("The interviewer's camera or microphone could not be started. Please wait: they are being shown what to do."),
  },
};

// Their page is in a browser that cannot make video calls at all (`problem`: unsupported):
// not their camera, and not something they can allow; they are being asked to change browser
// or device.
const OTHER_UNSUPPORTED = {
  interviewer: {
    named: N_("%(name)s's browser cannot make video calls. They are being asked to open their link in a current browser or on another device. You can wait, or end the interview."),
    unnamed: N_("The candidate's browser cannot make video calls. They are being asked to open their link in a current browser or on another device. You can wait, or end the interview."),
  },
  candidate: {
    named: N_("%(name)s's browser cannot make video calls. Please wait: they are being asked to use another browser."),
    unnamed: N_("The interviewer's browser cannot make video calls. Please wait: they are being asked to use another browser."),
  },
};

// They take part with sound only from the start: their camera is missing or taken by another
// program (call-sound-only.js). Said in place of "turned their camera off".
const OTHER_SOUND_ONLY = {
  interviewer: {
    named: N_("%(name)s's camera could not be started, so they take part with sound only. You can still hear each other."),
    unnamed: N_("The candidate's camera could not be started, so they take part with sound only. You can still hear each other."),
  },
  candidate: {
    named: N_("%(name)s's camera could not be started, so they take part with sound only. You can still hear each other."),
    unnamed: N_("The interviewer's camera could not be started, so they take part with sound only. You can still hear each other."),
  },
};

// Why, as their page told it (`devices`, `problem`; call-state.js remoteProblem): said
// after the notice above. ("other": nothing more is known.)
const PROBLEM_DETAIL = {
  blocked: N_("Their browser blocks the camera and microphone for this page."),
  in_use: N_("Another program on their device is using the camera or microphone."),
  no_camera: N_("No camera was found on their device."),
  no_microphone: N_("No microphone was found on their device."),
  not_found: N_("No camera or microphone was found on their device."),
};

export function problemDetail(state) {
  const soundOnly = state.phase === "camera-off" && state.remoteProblem;
  if (!soundOnly && (state.phase !== "alone" || state.who !== "problem")) return null;
  return PROBLEM_DETAIL[state.remoteProblem] ?? null;
}

export function statusOf(state, { serviceLost = false, mediaDown = false, side = "candidate", named = false } = {}) {
  const { phase, who, remote } = state;
  const ownLink = who === "self" && (phase === "unreachable" || phase === "reconnecting");
  if (ownLink && mediaDown) return "";
  if (phase === "unreachable" && serviceLost) return UNREACHABLE_ANY;
  if (phase === "alone" && (who === "other" || who === "problem")) {
    let table = who === "problem" ? OTHER_PROBLEM : OTHER_GONE;
    if (who === "problem" && state.remoteProblem === "unsupported") table = OTHER_UNSUPPORTED;
    const texts = table[side] ?? table.candidate;
    return named ? texts.named : texts.unnamed;
  }
  if (phase === "camera-off" && state.remoteProblem) {
    const texts = OTHER_SOUND_ONLY[side] ?? OTHER_SOUND_ONLY.candidate;
    return named ? texts.named : texts.unnamed;
  }
  return STATUS[`${phase}:${who}`] || STATUS[`${phase}:${remote}`] || STATUS[phase] || "";
}
