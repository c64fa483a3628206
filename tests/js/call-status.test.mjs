// The call's status line beside what the page knows of the service
// (web/static/js/live/call-status.js): "from this network" only when the fault can be the
// person's network alone.
import assert from "node:assert/strict";
import test from "node:test";

globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { problemDetail, statusOf } = await import("../../web/static/js/live/call-status.js");

const UNREACHABLE = { phase: "unreachable", who: "self", remote: "present" };
const RECONNECTING = { phase: "reconnecting", who: "self", remote: "present" };

test("no connection with the service reachable: the network is named", () => {
  assert.equal(statusOf(UNREACHABLE), "No connection can be made from this network right now. Still trying…");
  assert.equal(statusOf(RECONNECTING), "Your connection was interrupted. Reconnecting…");
});

test("no connection with the page's socket down too: neither the network nor the service is blamed", () => {
  assert.equal(statusOf(UNREACHABLE, { serviceLost: true }), "No connection can be made right now. Still trying…");
  // Short of "unreachable" a drop is a drop, whoever's it is.
  assert.equal(statusOf(RECONNECTING, { serviceLost: true }), "Your connection was interrupted. Reconnecting…");
});

test("with the video service down its own notice speaks: the status line does not blame the connection", () => {
  assert.equal(statusOf(UNREACHABLE, { mediaDown: true }), "");
  assert.equal(statusOf(RECONNECTING, { mediaDown: true }), "");
  assert.equal(statusOf(UNREACHABLE, { mediaDown: true, serviceLost: true }), "");
});

test("the other person's side and the call's other phases say what they said", () => {
  const other = { phase: "reconnecting", who: "other", remote: "present" };
  assert.equal(statusOf(other, { mediaDown: true }), "The other person's connection was interrupted. Reconnecting…");
  assert.equal(statusOf({ phase: "live", who: "self", remote: "present" }), "");
  assert.equal(statusOf({ phase: "failed", who: "self", remote: "absent" }, { serviceLost: true }), "The call was interrupted.");
});

test("the other person gone from the call is said once, by name, with what each side can do", () => {
  const gone = { phase: "alone", who: "other", remote: "left" };
  assert.equal(
    statusOf(gone, { side: "interviewer", named: true }),
    "%(name)s's connection to the call was lost. They can come back while the interview's time runs. You can wait, or end the interview.",
  );
  assert.equal(
    statusOf(gone, { side: "interviewer" }),
    "The candidate's connection to the call was lost. They can come back while the interview's time runs. You can wait, or end the interview.",
  );
  // The candidate cannot end the interview: only asked to wait.
  assert.equal(
    statusOf(gone, { side: "candidate", named: true }),
    "%(name)s's connection to the call was lost. Please wait: they can come back while the interview's time runs.",
  );
  assert.equal(
    statusOf(gone),
    "The interviewer's connection to the call was lost. Please wait: they can come back while the interview's time runs.",
  );
  // Their first moments out of the room say nothing yet (their Leave or End may be ending
  // the interview), nor does waiting for them to come at all.
  assert.equal(statusOf({ phase: "alone", who: null, remote: "left" }, { side: "interviewer", named: true }), "");
  assert.equal(statusOf({ phase: "alone", who: null, remote: "absent" }, { side: "interviewer", named: true }), "");
});

test("the other person's camera or microphone that could not start is said, with what each side can do", () => {
  const problem = { phase: "alone", who: "problem", remote: "absent" };
  assert.equal(
    statusOf(problem, { side: "interviewer", named: true }),
    "%(name)s's camera or microphone could not be started. They are being shown what to do. You can wait, or end the interview.",
  );
  assert.equal(
    statusOf(problem, { side: "interviewer" }),
    "The candidate's camera or microphone could not be started. They are being shown what to do. You can wait, or end the interview.",
  );
  assert.equal(
    statusOf(problem, { side: "candidate", named: true }),
    "%(name)s's camera or microphone could not be started. Please wait: they are being shown what to do.",
  );
  assert.equal(
    statusOf(problem),
    "The interviewer's camera or microphone could not be started. Please wait: they are being shown what to do.",
  );
});

test("a browser of theirs that cannot make video calls is said as such, not as their camera", () => {
  const unsupported = { phase: "alone", who: "problem", remote: "absent", remoteProblem: "unsupported" };
  assert.equal(
    statusOf(unsupported, { side: "interviewer", named: true }),
    "%(name)s's browser cannot make video calls. They are being asked to open their link in a current browser or on another device. You can wait, or end the interview.",
  );
  assert.equal(
    statusOf(unsupported),
    "The interviewer's browser cannot make video calls. Please wait: they are being asked to use another browser.",
  );
  assert.equal(problemDetail(unsupported), null); // the status says it all
});

test("why their camera or microphone could not start is said after it, when their page said", () => {
  const problem = (remoteProblem) => ({ phase: "alone", who: "problem", remote: "absent", remoteProblem });
  assert.equal(problemDetail(problem("no_camera")), "No camera was found on their device.");
  assert.equal(problemDetail(problem("blocked")), "Their browser blocks the camera and microphone for this page.");
  assert.equal(problemDetail(problem("other")), null); // nothing more is known
  assert.equal(problemDetail({ ...problem("no_camera"), who: "other" }), null); // gone, not a problem
});

test("one who takes part with sound only from the start is said so, and why, not as a camera turned off", () => {
  const soundOnly = { phase: "camera-off", who: "other", remote: "present", remoteProblem: "no_camera" };
  assert.equal(
    statusOf(soundOnly, { side: "interviewer", named: true }),
    "%(name)s's camera could not be started, so they take part with sound only. You can still hear each other.",
  );
  assert.equal(
    statusOf(soundOnly),
    "The interviewer's camera could not be started, so they take part with sound only. You can still hear each other.",
  );
  assert.equal(problemDetail(soundOnly), "No camera was found on their device.");
  assert.equal(problemDetail({ ...soundOnly, remoteProblem: "in_use" }), "Another program on their device is using the camera or microphone.");
  // Turned off by hand: as before.
  assert.equal(statusOf({ ...soundOnly, remoteProblem: null }), "The other person has turned their camera off. You can still hear each other.");
});
