// "Sign out on this device" (meeting.html) removes the code's cookie, but another tab of the
// same meeting web keeps its socket, and with it the queue's names and the notes, until it
// happens to load again: on the shared computer the button is for, signing out would leave
// them on screen. So the tab that signs out tells the others of the same link (one channel
// per link's path), and they load the link again, which asks for the code.
const form = document.querySelector("form.sign-out");
if (form && "BroadcastChannel" in window) {
  const link = location.pathname;
  const others = new BroadcastChannel(`snabbintervjuer:sign-out:${link}`);
  form.addEventListener("submit", () => others.postMessage("signed_out"));
  others.addEventListener("message", () => location.assign(link));
}
