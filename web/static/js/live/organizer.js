// The organizer's live view (web/templates/events/live.html): the figures of the event under
// way, redrawn from every state its socket sends (app/live/organizer.py), so it updates
// without reloading; texts follow the language switch.
import { LiveChannel, accessUrlOf, pageSocketUrl } from "./channel.js";
import { _, clockTime, ngettext, onLanguageChange } from "./texts.js";
import { duration, waitedSince } from "./interviewer-lobby.js";
import { startPage } from "./page-start.js";
import { byName } from "./names.js";
import { connectionText } from "./error-texts.js";

function item(className, ...parts) {
  const li = document.createElement("li");
  if (className) li.className = className;
  for (const [name, text] of parts) {
    const span = document.createElement("span");
    span.className = name;
    span.textContent = text;
    li.append(span, " ");
  }
  return li;
}

function interviewerStatus(person, over) {
  if (person.interview_state && person.media === "unavailable") {
    return _("Paused with %(name)s: the video service is down", { name: person.candidate_name });
  }
  if (person.interview_state === "active") {
    if (person.ends_at) {
      return _("Talking to %(name)s, until %(time)s", { name: person.candidate_name, time: clockTime(person.ends_at) });
    }
    return _("Talking to %(name)s", { name: person.candidate_name });
  }
  if (person.interview_state === "offered") {
    return _("Has called in %(name)s", { name: person.candidate_name });
  }
  if (!person.connected) return _("Not connected");
  if (over) return _("Done: nobody is called after the event's end");
  if (person.paused) return _("Paused");
  return _("Ready for the next candidate");
}

function eventStateText(state) {
  if (state.event_state === "finished") return _("The event has finished.");
  if (state.event_state === "cancelled") return _("The event has been cancelled.");
  if (state.event_state === "draft") return _("The event is not published yet.");
  if (state.over) return _("The event is over: nobody more is called. The interviews under way finish.");
  return "";
}

// Only a real change: these are live regions, and the same words must not be read again.
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

const root = document.querySelector("#organizer-live");
const $ = (id) => root.querySelector(`#${id}`);

class OrganizerLivePage {
  constructor() {
    // Let in no more (logged out, the event deleted): the page loads itself again and says why.
    this.channel = new LiveChannel(pageSocketUrl(), { accessUrl: accessUrlOf(pageSocketUrl()) });
    this.channel.addEventListener("refused", () => window.location.reload());
    this.state = null;  // the last state the socket sent
    this.offset = 0;    // the server's clock minus this one's
    this.channel.addEventListener("state", (event) => {
      this.state = event.detail;
      this.offset = Date.parse(event.detail.now) - Date.now();
      this.draw();
    });
    // The end comes by the clock, with no change to send a state then; so does the start,
    // from which the event may be ended early.
    setInterval(() => {
      if (this.state && !this.state.over && (this.over() || $("end-now").hidden !== !this.mayEndNow())) this.draw();
    }, 5000);
    // How long each has waited goes on between states (the texts only: the list stays, so
    // a screen reader reading it keeps its place).
    setInterval(() => { if (this.state) this.drawWaited(); }, 1000);
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

  // Nobody is called any more: the state says so, or the event's time ran out since it came.
  over() {
    const { state } = this;
    return Boolean(state.over || (state.ends_at && Date.now() + this.offset >= Date.parse(state.ends_at)));
  }

  // Being held: its start passed, or a candidate called in before it (from check-in).
  begun() {
    const { state } = this;
    return Boolean(state.interviews_begun
      || (state.starts_at && Date.now() + this.offset >= Date.parse(state.starts_at)));
  }

  // Begun and not over: the organizer may end it early (app/events/rules.py may_end_now).
  mayEndNow() {
    return Boolean(this.begun() && !this.over() && ["published", "live"].includes(this.state.event_state));
  }

  draw() {
    const { state } = this;
    if (!state) return;
    const over = this.over();
    $("end-now").hidden = !this.mayEndNow();
    $("rooms-in-use").textContent = String(state.rooms_in_use);
    // An offer holds its room too: the candidate is being called in, not talking yet.
    $("rooms-detail").textContent = state.offers_open > 0
      ? _("%(count)s of them calling the candidate in", { count: state.offers_open }) : "";
    $("updating-note").hidden = over; // nothing goes on any more
    $("queue-length").textContent = String(state.queue_length);
    // Over, nobody waits any more: those still checked in were not interviewed, whether
    // still on their page or away from it at the end.
    $("queue-figure").hidden = over;
    $("not-interviewed-figure").hidden = !over;
    $("not-interviewed").textContent = String(state.not_interviewed);
    $("queue-title").hidden = over;
    $("queue-title-over").hidden = !over;
    $("queue-title-count").textContent = over && state.queue_length ? `(${state.queue_length})` : "";
    $("interviews-done").textContent = String(state.interviews_done);
    // Before it has begun nobody is a no-show yet: those not checked in are only that.
    const begun = this.begun() || over;
    $("no-shows-figure").hidden = !begun;
    $("not-checked-in-figure").hidden = begun;
    $("not-checked-in").textContent = String(state.not_checked_in);
    // Not checked in is a no-show only once the event is over (app/live/organizer.py).
    // The state's count, and those not checked in once this page's clock passed the end first.
    $("no-shows").textContent = String(state.no_shows + (over && !state.over ? state.not_checked_in : 0));
    $("no-shows-detail").textContent = over
      ? _("%(absent)s did not check in, %(missed)s missed their turn twice",
        { absent: state.not_checked_in, missed: state.missed })
      : _("%(missed)s missed their turn twice; %(absent)s not checked in yet",
        { absent: state.not_checked_in, missed: state.missed });
    // Someone waits and no interviewer takes candidates (none connected, or all paused):
    // the organizer is the one who can do something about it.
    const taking = (state.interviewers || []).some((person) => person.connected && !person.paused);
    // (Over, this figure is hidden: "Not interviewed" stands in its place.)
    const nobodyTaking = state.queue_length === 0 || over || taking ? ""
      : _("No interviewer is taking candidates right now: those waiting are not called in.");
    // Checked in and away from their page (not counted as waiting): said, so that nobody
    // checked in goes missing from the figures while the event goes on.
    const away = !over && state.away > 0 ? ngettext(
      "%(count)s more checked in is away from their page, and is called in once back.",
      "%(count)s more checked in are away from their pages, and are called in once back.",
      state.away, { count: state.away }) : "";
    $("queue-detail").textContent = [nobodyTaking, away].filter(Boolean).join(" ");
    $("checked-in").textContent = _("%(checked)s of %(count)s registered candidates have checked in.",
      { checked: state.checked_in, count: state.registered });
    const note = eventStateText({ ...state, over });
    $("event-state").hidden = !note;
    setText($("event-state"), note);
    setText($("event-state-said"), note);
    // Interviews whose media server is lost with none to take them (app/live/reconciler.py).
    const paused = state.media_unavailable || 0;
    $("media-state").hidden = paused === 0;
    setText($("media-state"), paused === 0 ? "" : _(
      "The video service is down. Interviews paused, their clocks stopped: %(count)s. They resume by themselves as soon as the service is back.",
      { count: paused }));
    const rows = byName(state.interviewers).map((person) => {
      const row = document.createElement("tr");
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = person.name;
      const status = document.createElement("td");
      status.dataset.label = _("Status");
      status.textContent = interviewerStatus(person, over);
      row.append(name, status);
      return row;
    });
    $("interviewers").replaceChildren(...rows);
    this.drawQueue();
    this.drawMessages();
  }

  // The head of the queue (the state holds the first few dozen), with how long each has
  // waited (drawWaited).
  drawQueue() {
    const { queue = [], queue_length: waiting } = this.state;
    // Over, an empty list is everyone interviewed, not "nobody is waiting" (unless some were
    // away from their page at the end: not listed, and not interviewed either).
    $("queue-empty").hidden = queue.length > 0 || this.over();
    const emptyOver = queue.length === 0 && this.over();
    $("queue-empty-over").hidden = !emptyOver || this.state.not_interviewed > 0;
    $("queue-empty-away").hidden = !emptyOver || this.state.not_interviewed === 0;
    // Over: no wait runs on, and none is shown (they were not interviewed).
    const parts = (entry) => (this.over() ? [["name", entry.name]] : [["name", entry.name], ["waited", ""]]);
    $("queue").replaceChildren(...queue.map((entry) => item("queue-item", ...parts(entry))));
    this.drawWaited();
    const more = $("queue-more");
    more.hidden = waiting <= queue.length;
    more.textContent = more.hidden ? "" : _("The first %(shown)s of %(count)s waiting.",
      { shown: queue.length, count: waiting });
  }

  // By now: the state's figure plus the time since it was cut; once the event's time is up,
  // as at its end (nobody waits for an interview after it).
  drawWaited() {
    const queue = this.state.queue || [];
    const since = waitedSince(this.state.now, this.state.ends_at, Date.now() + this.offset);
    $("queue").querySelectorAll(".waited").forEach((waited, index) => {
      if (!queue[index]) return;
      const text = _("waited %(time)s", { time: duration(queue[index].waited_seconds + since) });
      if (waited.textContent !== text) waited.textContent = text;
    });
  }

  drawMessages() {
    const { messages = [] } = this.state;
    $("messages-empty").hidden = messages.length > 0;
    $("messages").replaceChildren(...messages.map((m) => item("", ["time", clockTime(m.sent_at)], ["text", m.text])));
  }
}

window.organizerLive = startPage(() => new OrganizerLivePage());
