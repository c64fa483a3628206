// Why the browser would not give a call its camera or microphone: getUserMedia's error
// name, told more exactly where the browser's own name is vague. A NotFoundError does not
// say which device was missing; the devices the browser lists (their kinds are listed even
// before any permission) do, so someone with a microphone and no camera is told "no camera"
// rather than to connect "one" of the two (device-check.js PROBLEMS has the texts).
const NOT_FOUND = new Set(["NotFoundError", "OverconstrainedError"]);

export async function mediaProblem(error, asked = { video: true, audio: true }) {
  const name = error?.name || String(error);
  if (!NOT_FOUND.has(name) || !navigator.mediaDevices?.enumerateDevices) return name;
  let kinds;
  try {
    kinds = new Set((await navigator.mediaDevices.enumerateDevices()).map((device) => device.kind));
  } catch {
    return name;
  }
  const noCamera = asked.video && !kinds.has("videoinput");
  const noMicrophone = asked.audio && !kinds.has("audioinput");
  if (noCamera && !noMicrophone) return "noCamera";
  if (noMicrophone && !noCamera) return "noMicrophone";
  return name;
}
