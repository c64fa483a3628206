// The address a page keeps once it has shown its notices (web/static/js/notice-address.js):
// without the notices' parameters, every other one as it was written.
import assert from "node:assert/strict";
import test from "node:test";

import { addressWithout } from "../../web/static/js/notice-address.js";

const SAVED = ["notice", "candidates_told_time", "interviewers_told_time", "interviewers_invited"];

test("the notice's parameters go, the others stay in their order", () => {
  assert.equal(
    addressWithout("https://x.test/events/7?lang=en&notice=saved&candidates_told_time=2&page=3", SAVED),
    "https://x.test/events/7?lang=en&page=3",
  );
});

test("no question mark is left when nothing else was asked", () => {
  assert.equal(addressWithout("https://x.test/events/7?notice=saved&candidates_told_time=2", SAVED), "https://x.test/events/7");
});

test("the fragment stays: the page opens at the list again", () => {
  assert.equal(
    addressWithout("https://x.test/events/7?candidates=resent&q=Anna&page=2#candidates-heading", ["candidates"]),
    "https://x.test/events/7?q=Anna&page=2#candidates-heading",
  );
});

test("other parameters keep their spelling: a search for a plus sign is not one for a space", () => {
  assert.equal(
    addressWithout("https://x.test/events/7?q=a%2Bb+c&candidates=removed&x=%C3%A5", ["candidates"]),
    "https://x.test/events/7?q=a%2Bb+c&x=%C3%A5",
  );
});

test("a name is matched as the server reads it, and only whole", () => {
  assert.equal(
    addressWithout("https://x.test/e?%6Eotice=saved&time_candidates=1&candidates=resent", ["notice", "candidates"]),
    "https://x.test/e?time_candidates=1",
  );
  assert.equal(addressWithout("https://x.test/e?%E0=1&notice=ended", ["notice"]), "https://x.test/e?%E0=1");
});

test("an address without the parameters is left as it is", () => {
  assert.equal(addressWithout("https://x.test/events/7?page=2", SAVED), "https://x.test/events/7?page=2");
  assert.equal(addressWithout("https://x.test/events/7", SAVED), "https://x.test/events/7");
});
