// The page of scripts/bench-join (join.html): a module of its own, since the app's
// Content-Security-Policy (script-src 'self') refuses inline scripts.
import { RoomCall } from "/static/js/janus-room.js";
const state = (window.page = { ready: false, offer: null, states: [], failures: [] });
const params = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const button = document.getElementById("join");
let socket = null;
const replies = [];

function request(message) {
  return new Promise((resolve) => {
    replies.push(resolve);
    socket.send(JSON.stringify(message));
  });
}

async function joinInfo(ticket) {
  const reply = await fetch("/api/join", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ticket }), credentials: "same-origin",
  });
  if (!reply.ok) throw new Error(`join refused: ${reply.status}`);
  return reply.json();
}

function start(join) {
  const call = new RoomCall(join);
  call.addEventListener("state", (e) => state.states.push(e.detail.state));
  call.addEventListener("failure", (e) => state.failures.push(e.detail));
  call.addEventListener("localstream", (e) => { document.getElementById("local").srcObject = e.detail.stream; });
  call.addEventListener("remotestream", (e) => { document.getElementById("remote").srcObject = e.detail.stream; });
  return call.start();
}

button.addEventListener("click", async () => {
  button.disabled = true;
  try {
    if (params.mode === "bare") {
      await start(params.join);
    } else if (params.mode === "candidate") {
      const reply = await request({ type: "accept" });
      if (reply.type !== "ticket") throw new Error(JSON.stringify(reply));
      // The join info comes with the ticket (PROTOCOL.md, "Join info"); an older app's without.
      await start(reply.join ?? await joinInfo(reply.ticket));
    } else {
      const reply = await request({ type: "next" });
      if (reply.type !== "dispatched") throw new Error(JSON.stringify(reply));
      await start(reply.join ?? await joinInfo(reply.ticket));
    }
  } catch (error) {
    state.failures.push({ code: "page", reason: String(error) });
  }
});

if (params.mode === "bare") {
  state.ready = true;
  button.disabled = false;
} else {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const side = params.mode === "candidate" ? "c" : "i";
  socket = new WebSocket(`${scheme}//${location.host}/${side}/${params.token}/ws`);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "state") {
      if (!state.ready) {
        state.ready = true;
        button.disabled = false;
      }
    } else if (message.type === "offer") {
      state.offer = message;
    } else if (replies.length) {
      replies.shift()(message);
    }
  });
  socket.addEventListener("close", () => state.failures.push({ code: "socket", reason: "closed" }));
}
