// Which of the own microphone and camera are switched on, told to the other side over the
// live socket (app/live/PROTOCOL.md, `devices`), and the other side's shown in the call
// (call-view.js setRemoteDevices): a picture or sound switched off on purpose is then said
// as such, not read as a weak connection (docs/calls.md).
//
//   const drawDevices = tellDevices(channel, callView);
//   drawDevices(state.interview);   // with every state: theirs drawn, the own said again
//                                   // when the server holds other than this window has
// (and the own are said with every join of this window, and every switch in the call)

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
