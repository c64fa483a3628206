// What the call's status line says (web/templates/live/_call.html, [data-call-status]) for
// a state of call-state.js, beside what the page knows of the service around the call:
//
//   statusOf(state, {serviceLost, mediaDown})   the English msgid, or "" for nothing
//
// serviceLost: the page's own socket to the service is down (channel.js "reconnecting");
// mediaDown: the service says the video service is down (media-outage.js, which says so in a
// notice of its own). "No connection from this network" is said only when neither holds: with
// the socket down too the page cannot tell the network from the service, and with the video
// service down the fault is the service's, not the person's connection.
import { N_ } from "./texts.js";

// Keyed by phase, or phase:who (self / other), or phase:remote (present / absent / left).
const STATUS = {
  connecting: N_("Connecting…"),
  "reconnecting:self": N_("Your connection was interrupted. Reconnecting…"),
  "reconnecting:other": N_("The other person's connection was interrupted. Reconnecting…"),
  unreachable: N_("No connection can be made from this network right now. Still trying…"),
  elsewhere: N_("You are in this call in another window or on another device. To go on here, choose Continue here."),
  "alone:left": N_("The other person has left the call."),
  "audio-only": N_("The other person's video is paused (weak connection or camera). You can still hear each other."),
  "camera-off": N_("The other person has turned their camera off. You can still hear each other."),
  failed: N_("The call was interrupted."),
};
const UNREACHABLE_ANY = N_("No connection can be made right now. Still trying…");

export function statusOf(state, { serviceLost = false, mediaDown = false } = {}) {
  const { phase, who, remote } = state;
  const ownLink = who === "self" && (phase === "unreachable" || phase === "reconnecting");
  if (ownLink && mediaDown) return "";
  if (phase === "unreachable" && serviceLost) return UNREACHABLE_ANY;
  return STATUS[`${phase}:${who}`] || STATUS[`${phase}:${remote}`] || STATUS[phase] || "";
}
