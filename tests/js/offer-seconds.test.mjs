// The seconds left to join an offer (web/static/js/live/media-outage.js offerSecondsLeft):
// never more than an offer gives, however the page's clock offset fell.
import assert from "node:assert/strict";
import test from "node:test";

globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { offerSecondsLeft } = await import("../../web/static/js/live/media-outage.js");

// The clock stands still while a test reads it: a busy machine must not move a second.
function atFrozenClock(check) {
  const realNow = Date.now;
  const frozen = realNow();
  Date.now = () => frozen;
  try {
    check(frozen);
  } finally {
    Date.now = realNow;
  }
}

test("an offset measured half a round trip short does not make 60 seconds 61", () => atFrozenClock((now) => {
  const expires = new Date(now + 60_000 + 400).toISOString();
  assert.equal(offerSecondsLeft({ expires_at: expires }, 0), 61);
  assert.equal(offerSecondsLeft({ expires_at: expires }, 0, 60), 60);
}));

test("the seconds count down and stop at nought", () => atFrozenClock((now) => {
  const expires = new Date(now + 12_500).toISOString();
  assert.equal(offerSecondsLeft({ expires_at: expires }, 0, 60), 13);
  assert.equal(offerSecondsLeft({ expires_at: expires }, 20_000, 60), 0);
}));

test("while the video service is down the seconds stand where they stopped", () => {
  const stopped = Date.now() - 30_000;
  const offer = {
    expires_at: new Date(stopped + 42_000).toISOString(),
    media: "unavailable",
    stopped_at: new Date(stopped).toISOString(),
  };
  assert.equal(offerSecondsLeft(offer, 0, 60), 42);
});

const { offerWarning } = await import("../../web/static/js/live/candidate-waiting.js");

test("the time to join is said once more when it runs low, not before, not after", () => {
  assert.equal(offerWarning(21, 60, 20), null);
  assert.equal(offerWarning(20, 60, 20), "20 seconds left to join the interview.");
  assert.equal(offerWarning(1, 60, 20), "1 second left to join the interview.");
  assert.equal(offerWarning(0, 60, 20), null);
  // An offer shown with no more than that (a reload late in it, a short setting): the alert
  // itself said the seconds.
  assert.equal(offerWarning(15, 18, 20), null);
  assert.equal(offerWarning(10, 60, 0), null);  // a page without the setting says nothing more
});
