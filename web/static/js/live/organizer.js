// The organizer's live view (web/templates/events/live.html): the figures of the event under
// way, redrawn from every state its socket sends (app/live/organizer.py), so it updates
// without reloading; texts follow the language switch.
import { LiveChannel, pageSocketUrl } from "./channel.js";
import { _, onLanguageChange } from "./texts.js";
import { startPage } from "./page-start.js";
import { byName } from "./names.js";
import { connectionText } from "./error-texts.js";

function interviewerStatus(person) {
  if (person.interview_state && person.media === "unavailable") {
    return _("Paused with %(name)s: the video service is down", { name: person.candidate_name });
  }
  if (person.interview_state === "active") {
    return _("Talking to %(name)s", { name: person.candidate_name });
  }
  if (person.interview_state === "offered") {
    return _("Has called in %(name)s", { name: person.candidate_name });
  }
  if (!person.connected) return _("Not connected");
  if (person.paused) return _("Paused");
  return _("Ready for the next candidate");
}

function eventStateText(value) {
  if (value === "finished") return _("The event has finished.");
  if (value === "cancelled") return _("The event has been cancelled.");
  if (value === "draft") return _("The event is not published yet.");
  return "";
}

const root = document.querySelector("#organizer-live");
const $ = (id) => root.querySelector(`#${id}`);

class OrganizerLivePage {
  constructor() {
    this.channel = new LiveChannel(pageSocketUrl());
    this.state = null;  // the last state the socket sent
    this.channel.addEventListener("state", (event) => {
      this.state = event.detail;
      this.draw();
    });
    this.channel.addEventListener("status", (event) => {
      $("connection").dataset.status = event.detail;
      $("connection").textContent = connectionText(event.detail, "staff");
    });
    onLanguageChange(() => {
      document.title = `${_("Live view")}: ${root.dataset.title} – Snabbintervjuer`;
      $("connection").textContent = connectionText(this.channel.status, "staff");
      this.draw();
    });
    this.channel.connect();
  }

  draw() {
    const { state } = this;
    if (!state) return;
    $("rooms-in-use").textContent = String(state.rooms_in_use);
    $("queue-length").textContent = String(state.queue_length);
    $("interviews-done").textContent = String(state.interviews_done);
    $("no-shows").textContent = String(state.no_shows);
    $("no-shows-detail").textContent = _("%(absent)s not checked in, %(missed)s missed their turn",
      { absent: state.not_checked_in, missed: state.missed });
    $("checked-in").textContent = _("%(checked)s of %(count)s registered candidates have checked in.",
      { checked: state.checked_in, count: state.registered });
    const note = eventStateText(state.event_state);
    $("event-state").hidden = !note;
    $("event-state").textContent = note;
    // Interviews whose media server is lost with none to take them (app/live/reconciler.py).
    const paused = state.media_unavailable || 0;
    $("media-state").hidden = paused === 0;
    $("media-state").textContent = paused === 0 ? "" : _(
      "The video service is down. Interviews paused, their clocks stopped: %(count)s. They resume by themselves as soon as the service is back.",
      { count: paused });
    const rows = byName(state.interviewers).map((person) => {
      const row = document.createElement("tr");
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = person.name;
      const status = document.createElement("td");
      status.dataset.label = _("Status");
      status.textContent = interviewerStatus(person);
      row.append(name, status);
      return row;
    });
    $("interviewers").replaceChildren(...rows);
  }
}

window.organizerLive = startPage(() => new OrganizerLivePage());
