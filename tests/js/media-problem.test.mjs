// Which device a refused getUserMedia missed (web/static/js/media-problem.js): the browser's
// NotFoundError names neither, the devices it lists do. Run by tests/unit/test_call_state.py.
import assert from "node:assert/strict";
import test from "node:test";
import { mediaProblem } from "../../web/static/js/media-problem.js";

const NOT_FOUND = { name: "NotFoundError" };

function listing(...kinds) {
  Object.defineProperty(globalThis, "navigator", {
    configurable: true,
    value: { mediaDevices: { enumerateDevices: async () => kinds.map((kind) => ({ kind })) } },
  });
}

test("a microphone and no camera: the camera is what is missing", async () => {
  listing("audioinput", "audiooutput");
  assert.equal(await mediaProblem(NOT_FOUND), "noCamera");
});

test("a camera and no microphone: the microphone is what is missing", async () => {
  listing("videoinput");
  assert.equal(await mediaProblem(NOT_FOUND), "noMicrophone");
});

test("neither, or both listed: the browser's own name", async () => {
  listing();
  assert.equal(await mediaProblem(NOT_FOUND), "NotFoundError");
  listing("videoinput", "audioinput");
  assert.equal(await mediaProblem({ name: "OverconstrainedError" }), "OverconstrainedError");
});

test("the camera alone asked for and not there: no camera, whatever else is there", async () => {
  listing();
  assert.equal(await mediaProblem(NOT_FOUND, { video: true, audio: false }), "noCamera");
});

test("other refusals keep their name, and a listing that fails changes nothing", async () => {
  listing("audioinput");
  assert.equal(await mediaProblem({ name: "NotAllowedError" }), "NotAllowedError");
  Object.defineProperty(globalThis, "navigator", {
    configurable: true,
    value: { mediaDevices: { enumerateDevices: async () => { throw new Error("no"); } } },
  });
  assert.equal(await mediaProblem(NOT_FOUND), "NotFoundError");
});
