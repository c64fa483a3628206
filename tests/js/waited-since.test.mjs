// How far the waits of a state have grown by now (web/static/js/live/interviewer-lobby.js
// waitedSince), as the interviewers' lobby and the organizer's live view count them.
import assert from "node:assert/strict";
import test from "node:test";

// texts.js (imported by the lobby) reads the page's language as it loads.
globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { waitedSince } = await import("../../web/static/js/live/interviewer-lobby.js");

const CUT = "2026-12-04T10:00:00Z";
const at = (iso) => Date.parse(iso);

test("the time since the state was cut, while the event goes on", () => {
  assert.equal(waitedSince(CUT, "2026-12-04T12:00:00Z", at("2026-12-04T10:00:30Z")), 30);
  assert.equal(waitedSince(CUT, null, at("2026-12-04T10:00:30Z")), 30);
});

test("it stops at the event's end", () => {
  assert.equal(waitedSince(CUT, "2026-12-04T10:00:10Z", at("2026-12-04T10:05:00Z")), 10);
});

test("a state cut after the end adds nothing: its waits stop at the end already", () => {
  assert.equal(waitedSince("2026-12-04T10:20:00Z", "2026-12-04T10:00:00Z", at("2026-12-04T10:30:00Z")), 0);
});
