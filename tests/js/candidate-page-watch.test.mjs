// candidate-page-watch.js verdict: when a page before check-in loads itself again.
import { test } from "node:test";
import assert from "node:assert/strict";

const { verdict } = await import("../../web/static/js/live/candidate-page-watch.js");

test("the same version keeps the page, another one reloads it", () => {
  assert.equal(verdict(200, { version: "abc" }, "abc"), "keep");
  assert.equal(verdict(200, { version: "abd" }, "abc"), "reload");
});

test("a registration gone or a session ended reloads: the link's page says why", () => {
  assert.equal(verdict(404, null, "abc"), "reload");
  assert.equal(verdict(403, null, "abc"), "reload");
});

test("an outage or an odd answer keeps the page until the next look", () => {
  assert.equal(verdict(0, null, "abc"), "keep");
  assert.equal(verdict(503, null, "abc"), "keep");
  assert.equal(verdict(200, {}, "abc"), "keep");
  assert.equal(verdict(200, null, "abc"), "keep");
});
