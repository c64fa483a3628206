// The script of tests/pages/room.html: a file of its own because the site's
// Content-Security-Policy allows no inline script.
import { RoomCall } from "/static/js/janus-room.js";
const state = (window.callState = { states: [], failures: [], remotes: 0 });
const ticket = decodeURIComponent(location.hash.slice(1));
const reply = await fetch("/api/join", {
  method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ ticket }),
});
if (!reply.ok) {
  state.failures.push({ code: reply.status, reason: "join refused" });
} else {
  const call = new RoomCall(await reply.json());
  call.addEventListener("state", (e) => state.states.push(e.detail.state));
  call.addEventListener("failure", (e) => state.failures.push(e.detail));
  call.addEventListener("localstream", (e) => { document.getElementById("local").srcObject = e.detail.stream; });
  call.addEventListener("remotestream", (e) => {
    let video = document.getElementById(`feed-${e.detail.feed}`);
    if (!video) {
      video = document.createElement("video");
      video.id = `feed-${e.detail.feed}`;
      video.className = "remote";
      video.autoplay = true;
      video.playsInline = true;
      video.muted = true;
      document.getElementById("remotes").append(video);
      state.remotes += 1;
    }
    video.srcObject = e.detail.stream;
  });
  call.start().catch((error) => state.failures.push({ code: "start", reason: String(error) }));
}
