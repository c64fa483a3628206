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

const { OfferAlert } = await import("../../web/static/js/live/candidate-waiting.js");

// The offer box as the page has it (candidates/_live.html), enough for OfferAlert.
function offerBox() {
  const part = () => ({ textContent: "", disabled: false });
  const parts = { "[data-offer-text]": part(), "[data-join]": part(), "[data-offer-warning]": part() };
  const settings = { dataset: { offerSeconds: "60", offerWarningSeconds: "20" } };
  return { parts, dataset: {}, focus() {}, querySelector: (s) => parts[s], closest: () => settings };
}

test("the warning is said and seen once, its words go once read, and more time takes it back", () => atFrozenClock((now) => {
  globalThis.window ??= {};  // no AudioContext here: the beeps are silent
  const box = offerBox();
  const alert = new OfferAlert(box);
  const said = () => box.parts["[data-offer-warning]"].textContent;
  try {
    alert.show({ interview: 7, expires_at: new Date(now + 60_000).toISOString() }, 0);
    const at = (secondsLeft) => { alert.offset = 60_000 - secondsLeft * 1000; alert.tick(); };
    at(21);
    assert.equal(said(), "");
    assert.equal("runningLow" in box.dataset, false);
    at(20);
    assert.equal(said(), "20 seconds left to join the interview.");
    assert.equal("runningLow" in box.dataset, true);
    at(16);
    assert.equal(said(), "20 seconds left to join the interview.");
    at(15);  // read out by now: no "20 seconds" beside a countdown at 15
    assert.equal(said(), "");
    assert.equal("runningLow" in box.dataset, true);  // the countdown still stands out
    at(10);
    assert.equal(said(), "");  // said once only
    at(21);  // the clock's offset measured again moves the count back by one: no new warning
    assert.equal("runningLow" in box.dataset, true);
    at(19);
    assert.equal(said(), "");
    at(30);  // the same offer given more time: not running low any more
    assert.equal("runningLow" in box.dataset, false);
    at(19);  // and warned again when it is
    assert.equal(said(), "19 seconds left to join the interview.");
    assert.equal("runningLow" in box.dataset, true);
  } finally {
    alert.hide();  // its timer, or the test run would never end
  }
  assert.equal("runningLow" in box.dataset, false);
}));
