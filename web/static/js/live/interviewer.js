// The interviewers' meeting web (web/templates/interviewer/meeting.html): one channel, the
// lobby, the interview. Every button sends one protocol message (app/live/PROTOCOL.md) and
// puts the reply into words; everything shown comes from the channel's "state".
import { LiveChannel, pageSocketUrl } from "./channel.js";
import { _, onLanguageChange } from "./texts.js";
import { startPage } from "./page-start.js";
import { connectionText, errorText, notConnectedText } from "./interviewer-errors.js";
import { Lobby, ServerClock } from "./interviewer-lobby.js";
import { Roster } from "./interviewer-roster.js";
import { RecordForm } from "./interviewer-record.js";
import { InterviewView } from "./interviewer-interview.js";
import { installShortcuts } from "./shortcuts.js";

const MAX_MESSAGE = 500;
const root = document.querySelector("#meeting");
const $ = (id) => root.querySelector(`#${id}`);
const saved = JSON.parse(document.querySelector("#record-initial").textContent || "null");

const channel = new LiveChannel(pageSocketUrl());
const clock = new ServerClock();
const lobby = new Lobby(root, clock);
const roster = new Roster($("roster"), $("roster").dataset.url);
const record = new RecordForm($("record"), channel);
const interview = new InterviewView(root, record);
installShortcuts(root);

// Texts drawn here are kept as functions, so a language switch can draw them again.
const shown = { problem: null, lobbyStatus: null, connection: "connecting", messageError: null };

function show(id, text) {
  $(id).textContent = text ? text() : "";
}

function setProblem(text) {
  shown.problem = text;
  show("problem", text);
}

function setLobbyStatus(text) {
  shown.lobbyStatus = text;
  show("lobby-status", text);
}

// Sends one message; returns the reply, or null after putting a refusal into words.
async function request(message) {
  let reply;
  try {
    reply = await channel.send(message);
  } catch {
    setProblem(notConnectedText);
    return null;
  }
  if (reply.type === "error") {
    setProblem(() => errorText(reply.code));
    return null;
  }
  setProblem(null);
  return reply;
}

async function callIn(message) {
  await record.flush();  // the last interview's notes go to it, not to the new offer
  setLobbyStatus(null);
  const reply = await request(message);
  if (!reply) return;
  if (reply.type === "queue_empty") {
    setLobbyStatus(() => _("Nobody is waiting right now."));
  } else if (reply.type === "dispatched") {
    // The state showing the offer follows this reply with the event's update (PROTOCOL.md,
    // "Replies"), unless it came already.
    calling = reply;
    showCalledIn(channel.lastState?.interview);
  }
}

// The offer may already be over (the candidate turned it down before the state came): that
// state says so, and its message stands.
let calling = null;
function showCalledIn(own) {
  if (!calling || !own || own.id !== calling.interview) return;
  calling = null;
  if (own.state !== "offered") return;
  // Said once, by the offer's own banner (Lobby.drawOwn): the focus goes to its Withdraw
  // button, which reads the banner out as its description.
  $("withdraw").focus();
}

$("next").addEventListener("click", () => callIn({ type: "next" }));
for (const list of [$("queue"), $("candidates")]) {
  list.addEventListener("click", (event) => {
    const pick = event.target.closest("button[data-candidate]");
    if (pick) callIn({ type: "pick", candidate: Number(pick.dataset.candidate) });
  });
}
$("pause").addEventListener("click", async () => {
  const pausing = $("pause").dataset.paused !== "true";
  if (await request({ type: pausing ? "pause" : "resume" })) {
    setLobbyStatus(pausing ? () => _("You are paused.") : () => _("You are back in the rotation."));
  }
});
let withdrawing = false;
$("withdraw").addEventListener("click", async () => {
  const name = channel.lastState?.interview?.candidate_name || "";
  withdrawing = true;
  const done = await request({ type: "withdraw" });
  withdrawing = false;
  if (done) {
    setLobbyStatus(() => _("The offer to %(name)s was withdrawn; they keep their place.", { name }));
    $("next").focus();
  }
});
$("extend").addEventListener("click", async () => {
  const done = await request({ type: "extend" });
  // Back to the button only if the focus was lost meanwhile: someone who has moved on with
  // the keyboard (to the questions, the notes) must not be pulled back when the reply comes.
  if (done && (document.activeElement === null || document.activeElement === document.body)) {
    $("extend").focus();
  }
});
$("end").addEventListener("click", async () => {
  await record.flush();  // what was typed last is saved before the interview closes
  await request({ type: "end" });
});

function messageError(text) {
  shown.messageError = text;
  const error = $("message-error");
  error.hidden = !text;
  error.textContent = text ? text() : "";
  const field = $("message-text");
  if (text) {
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", "hint-message-text message-error");
  } else {
    field.removeAttribute("aria-invalid");
    field.setAttribute("aria-describedby", "hint-message-text");
  }
}

$("message-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = $("message-text");
  const text = field.value.trim();
  if (!text || text.length > MAX_MESSAGE) {
    messageError(text ? () => _("The message can be at most %(count)s characters.", { count: MAX_MESSAGE })
      : () => _("Write a message first."));
    field.focus();
    return;
  }
  messageError(null);
  if (await request({ type: "message", text })) {
    field.value = "";
    setLobbyStatus(() => _("Message sent to everyone waiting."));
  }
});

channel.addEventListener("status", (event) => {
  shown.connection = event.detail;
  $("connection").dataset.status = event.detail;
  $("connection").textContent = connectionText(event.detail);
});

let lastOwn = null;
channel.addEventListener("state", (event) => {
  const state = event.detail;
  const own = state.interview;
  clock.sync(state.now);
  lobby.draw(state);
  roster.update(state);
  interview.update(state, saved);
  if (lastOwn && lastOwn.state === "offered" && !own && !withdrawing) {
    const name = lastOwn.candidate_name;
    setLobbyStatus(() => _("%(name)s did not join. You can call in the next candidate.", { name }));
  } else if (own && own.state === "active") {
    setLobbyStatus(null);
  }
  lastOwn = own;
  showCalledIn(own);
});

interview.addEventListener("ended", (event) => {
  const name = event.detail.candidate_name;
  setLobbyStatus(() => _("The interview with %(name)s has ended. Finish your notes below, or call in the next candidate.", { name }));
  $("next").focus();
});

function drawTitle() {
  document.title = `${_("Meeting web")}: ${root.dataset.title} – Snabbintervjuer`;
}

onLanguageChange(() => {
  drawTitle();
  lobby.redraw();
  roster.redraw();
  record.redraw();
  interview.redraw();
  show("problem", shown.problem);
  show("lobby-status", shown.lobbyStatus);
  $("connection").textContent = connectionText(shown.connection);
  if (shown.messageError) messageError(shown.messageError);
});

// The notes of an interview ended shortly before a reload are still there to finish.
if (saved && saved.state === "ended" && saved.recent) {
  record.begin(saved.interview, saved.candidate_name, saved);
  record.end();
  interview.showRecordInLobby();
} else {
  record.form.hidden = true;
}

window.addEventListener("pagehide", () => record.flush());
window.meeting = startPage(() => {  // the handlers are attached above
  channel.connect();
  return { channel, lobby, roster, record, interview };  // for tests and debugging
});
