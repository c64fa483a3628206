// The call's connection details (web/static/js/live/call-quality.js detailsText): a figure
// and its unit stay on one line, however narrow the phone.
import assert from "node:assert/strict";
import test from "node:test";

globalThis.document ??= { documentElement: { lang: "en" }, querySelectorAll: () => [], querySelector: () => null };
const { detailsText } = await import("../../web/static/js/live/call-quality.js");

test("a share of loss keeps its per cent sign beside its figure", () => {
  const text = detailsText({ rtt: 0.024, lossIn: 0.003, lossOut: 0, kbpsIn: 900, fps: 30 }, 800);
  assert.match(text, /0\.3\u00a0% received, 0\u00a0% sent/);
  assert.doesNotMatch(text, / %/);
});
