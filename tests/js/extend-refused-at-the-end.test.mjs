// Extend pressed as the event was being ended (web/static/js/live/interviewer-extend-end.js):
// the server makes it wait for the end and refuses it (`event_over`). The alert says so only
// when the page does not know yet; once the state that says the event is over has come, the
// line beside End has said it, and the alert would repeat it and keep it.
import assert from "node:assert/strict";
import test from "node:test";

globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { ExtendAndEnd } = await import("../../web/static/js/live/interviewer-extend-end.js");
const { Requests } = await import("../../web/static/js/live/interviewer-requests.js");

function element() {
  return { hidden: false, textContent: "", dataset: { limit: "10" }, addEventListener() {}, focus() {} };
}

// The page's Extend and End with a channel that answers every message with `reply`.
function pageAnswering(reply, { over }) {
  const elements = {};
  const root = { querySelector: (selector) => (elements[selector] ??= element()) };
  const channel = { send: async () => reply, lastState: null };
  const alert = element();
  const requests = new Requests(channel, alert);
  requests.drawn({ id: 7, state: "active" });
  const lobby = { over };
  const extendAndEnd = new ExtendAndEnd(root, { channel, requests, record: { flush: async () => {} }, lobby });
  return { extendAndEnd, alert };
}

const REFUSED = { type: "error", code: "event_over", for: "extend" };

test("refused because the event is over, after the page was told it is: said once, beside End", async () => {
  const { extendAndEnd, alert } = pageAnswering(REFUSED, { over: true });
  await extendAndEnd.extend();
  assert.equal(alert.textContent, "");
});

test("refused before the page was told: the alert says why (the state's news clears it)", async () => {
  const { extendAndEnd, alert } = pageAnswering(REFUSED, { over: false });
  await extendAndEnd.extend();
  assert.equal(alert.textContent, "The event is over: this interview goes on to its end and can no longer be extended.");
});

test("any other refusal is said as before, the event over or not", async () => {
  const { extendAndEnd, alert } = pageAnswering({ type: "error", code: "busy_retry", for: "extend" }, { over: true });
  await extendAndEnd.extend();
  assert.notEqual(alert.textContent, "");
});
