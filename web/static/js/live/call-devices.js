// Which of the own microphone and camera are switched on, told to the other side over the
// live socket (app/live/PROTOCOL.md, `devices`), and the other side's shown in the call
// (call-view.js setRemoteDevices): a picture or sound switched off on purpose is then said
// as such, not read as a weak connection (docs/calls.md).
//
//   const drawDevices = tellDevices(channel, callView);
//   drawDevices(state.interview);   // with every state: theirs drawn, the own said again
//                                   // when the server holds other than this window has
// (and the own are said with every join of this window, and every switch in the call)
import { browserSupported } from "./device-check.js";

// A browser that cannot make video calls at all: the other side is told, once for each
// interview this page is offered or in (PROTOCOL.md, `devices`, `problem` "unsupported"),
// rather than left waiting for someone who cannot come. Once: a page of theirs on another
// device that joins says the problem is gone, and this one must not say it again.
//
//   const tellUnsupported = unsupportedTeller(channel, callView);
//   tellUnsupported(interviewId);   // with every state: the offered or current one, or null
export function unsupportedTeller(channel, call) {
  let told = null;
  // The server forgets it once no page of theirs is open (a dropped socket, too): said
  // again with the first state after the socket is back.
  channel.addEventListener("status", (event) => { if (event.detail === "open") told = null; });
  return (interview) => {
    if (interview === null || interview === undefined || browserSupported() || told === interview) return;
    told = interview;
    channel.send({ type: "devices", ...call.devices }).catch(() => {
      if (told === interview) told = null; // the socket is down: the next state tries again
    });
  };
}

export function tellDevices(channel, call) {
  const send = (devices) => channel.send({ type: "devices", ...devices }).catch(() => {
    // the socket is down: the next state after it is back says what the server holds
  });
  call.addEventListener("devices", (event) => send(event.detail));
  // Each join of this window says them afresh: after a reload, or a call taken over from
  // another window or device, the server may hold what an earlier page said, and the next
  // state may be long in coming.
  call.addEventListener("holding", () => send(call.devices));
  return (interview) => {
    call.setRemoteDevices(interview?.other_devices);
    const held = interview?.devices;
    if (!held || !call.joined) return;
    const mine = call.devices;
    const differ = mine.microphone !== held.microphone || mine.camera !== held.camera
      || mine.problem !== (held.problem ?? null);
    if (differ) send(mine);
  };
}
