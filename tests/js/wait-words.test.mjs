// The candidate's place and estimated wait in words (web/static/js/live/candidate-waiting.js
// waitText, pastTheEnd; texts.js numberText): hours past an hour, no wait of days when the
// estimate runs far past the event's end, and numbers as the page's language writes them.
import assert from "node:assert/strict";
import test from "node:test";

globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { waitText, pastTheEnd } = await import("../../web/static/js/live/candidate-waiting.js");
const { _ } = await import("../../web/static/js/live/texts.js");

test("under an hour in minutes, above it in hours and minutes by fives", () => {
  assert.equal(waitText(1), "Estimated wait: about a minute or less.");
  assert.equal(waitText(45), "Estimated wait: about 45 minutes.");
  assert.equal(waitText(60), "Estimated wait: about 1 hour.");
  assert.equal(waitText(62), "Estimated wait: about 1 hour.");
  assert.equal(waitText(93), "Estimated wait: about 1 hour and 35 minutes.");
  assert.equal(waitText(178), "Estimated wait: about 3 hours.");
});

test("how the estimate stands to the event's end", () => {
  const ending = { endsAt: "2026-12-05T15:00:00Z", now: "2026-12-05T13:00:00Z" };  // two hours left
  assert.equal(pastTheEnd(90, ending), "");
  assert.equal(pastTheEnd(150, ending), "past");
  assert.equal(pastTheEnd(181, ending), "far");
  assert.equal(pastTheEnd(44991, ending), "far");
  assert.equal(pastTheEnd(null, ending), "");  // no estimate, the end not near
  assert.equal(pastTheEnd(null, { ...ending, now: "2026-12-05T14:45:00Z" }), "past");
  assert.equal(pastTheEnd(90, {}), "");
});

test("whole numbers in a text are written the English way on an English page", () => {
  assert.equal(_("You are number %(position)s in the queue.", { position: 4998 }),
    "You are number 4,998 in the queue.");
  assert.equal(_("%(name)s", { name: "1234" }), "1234");  // a text stays as it is
});
