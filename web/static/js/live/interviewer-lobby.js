// The lobby of the interviewers' meeting web, drawn from the channel's "state": the head of
// the waiting queue in order with how long each has waited (ticking every second from
// state.now), the counts, who is talking to whom, the sent messages and the own pending
// offer. The full list of registered candidates is interviewer-roster.js's (read over HTTP).
// Buttons are wired by interviewer.js; this module only draws.
import { _, clockTime, ngettext } from "./texts.js";
import { eventOver } from "./event-over.js";

// The server is the clock: times on the page are the server's now plus the time since.
export class ServerClock {
  constructor() {
    this.offset = 0;
  }

  sync(iso) {
    const server = Date.parse(iso);
    if (!Number.isNaN(server)) this.offset = server - Date.now();
  }

  now() {
    return Date.now() + this.offset;
  }
}

// Seconds a state's waits have grown since it was cut (its `now`), by the server's clock
// `nowMs`: they stop at the event's end (nobody waits for an interview after it), and a state
// cut after the end has them up to the end already. The lobby and the organizer's view alike.
export function waitedSince(stateNow, endsAt, nowMs) {
  const until = endsAt ? Math.min(nowMs, Date.parse(endsAt)) : nowMs;
  return Math.max(0, (until - Date.parse(stateNow)) / 1000);
}

export function duration(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(whole / 60);
  if (minutes === 0) return _("%(seconds)s s", { seconds: whole % 60 });
  return _("%(minutes)s min %(seconds)s s", { minutes, seconds: whole % 60 });
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

// Make `parent`'s children the given keyed elements (data-key), in order, reusing existing
// ones, so that a focused Pick button keeps its focus while the list is redrawn (WCAG 2.4.3,
// Focus Order). Moving a node blurs whatever in it has the focus, so the rows that went are
// removed first (someone ahead leaving then moves nobody) and only rows out of place are
// moved; should the focused one be among them, the focus is put back on it. Should the
// focused one itself go (another interviewer took that candidate), the focus goes to the
// control of the row now in its place, or to `fallback` (a heading with tabindex=-1), not
// to the page's body, where a keyboard user would have to start again.
export function reconcile(parent, keys, make, update, fallback = null) {
  const wanted = new Set(keys.map(String));
  const active = document.activeElement;
  let lostAt = -1;
  [...parent.children].forEach((child, index) => {
    if (wanted.has(child.dataset.key)) return;
    if (active && child.contains(active)) lostAt = index;
    child.remove();
  });
  const existing = new Map([...parent.children].map((child) => [child.dataset.key, child]));
  const focused = active && parent.contains(active) ? active : null;
  keys.forEach((key, index) => {
    let child = existing.get(String(key));
    if (!child) {
      child = make(key);
      child.dataset.key = String(key);
    }
    update(child, index);
    if (parent.children[index] !== child) parent.insertBefore(child, parent.children[index] || null);
  });
  if (focused && focused.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
  else if (lostAt >= 0) focusNear(parent, lostAt, fallback);
}

// The control of the row at `index` (or the last row), else `fallback`.
export function focusNear(parent, index, fallback) {
  const rows = [...parent.children];
  const row = rows[Math.min(index, rows.length - 1)];
  const control = row ? row.querySelector("button:not([disabled])") : null;
  const target = control || fallback;
  if (target) target.focus({ preventScroll: true });
}

// Hides or shows `part`; a focus inside it goes to `heading` (tabindex=-1), not to the
// page's body, where a keyboard user would have to start again.
function hideKeepingFocus(part, hide, heading) {
  if (part.hidden === hide) return;
  const focused = hide && part.contains(document.activeElement);
  part.hidden = hide;
  if (focused) heading.focus({ preventScroll: true });
}

export class Lobby {
  constructor(root, clock) {
    this.root = root;
    this.clock = clock;
    this.over = false;  // the event was over at the last draw (event-over.js)
    this.onOver = null;  // called when the event becomes over while the page is open
    this.state = null;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.timer = setInterval(() => this.tick(), 1000);
  }

  draw(state) {
    this.state = state;
    this.drawQueue();
    this.drawTalking();
    this.drawCounts();
    this.drawMessages();
    this.drawOwn();
    this.tick();
  }

  redraw() {
    if (this.state) this.draw(this.state);
  }

  drawQueue() {
    // Whether Pick can be pressed is drawOwn's, drawn after this with the rest of the controls.
    const { counts } = this.state;
    // Cancelled (the event deleted), nobody waits for anything any more: their pages say the
    // event is cancelled, and the list says nobody, not "still waiting when it ended".
    const cancelled = this.state.event?.state === "cancelled";
    const queue = cancelled ? [] : this.state.queue;
    const list = this.$("queue");
    // Over, those still checked in are not called any more: listed, as the organizer's page
    // lists them, with what that means and no Pick.
    const over = eventOver(this.state.event, this.clock.now());
    // A Pick that had the focus goes with the end: the focus to the list's heading, not
    // to the page's body (WCAG 2.4.3).
    if (over && list.contains(document.activeElement)) this.$("queue-heading").focus();
    // Over, an empty list is everyone interviewed, not "nobody is waiting".
    this.$("queue-empty").hidden = queue.length > 0 || over;
    // Not when some were away from their page at the end: not interviewed, and not listed,
    // which the list says instead.
    const emptyOver = queue.length === 0 && over && !cancelled;
    this.$("queue-empty-over").hidden = !emptyOver || counts.away > 0;
    this.$("queue-empty-away").hidden = !emptyOver || counts.away === 0;
    // Over, nobody waits any more: the list is of those not interviewed, with no wait.
    this.$("queue-title").hidden = over;
    this.$("queue-title-over").hidden = !over;
    this.$("queue-count").textContent = counts.waiting && !cancelled ? `(${counts.waiting})` : "";
    // Only the head of a long queue is in the state; the rest is in the list below.
    const more = this.$("queue-more");
    more.hidden = queue.length === 0 || (!over && counts.waiting <= queue.length);
    const moreText = more.hidden ? "" : over
      ? _("Not interviewed: nobody is called in after the end.")
      : _("The first %(shown)s of %(count)s waiting. Search the registered candidates below to pick someone further back.",
        { shown: queue.length, count: counts.waiting });
    if (more.textContent !== moreText) more.textContent = moreText;
    reconcile(list, queue.map((item) => item.candidate), () => {
      const item = element("li", "queue-item");
      item.append(element("span", "name"), element("span", "waited"));
      const pick = element("button", "secondary pick");
      pick.type = "button";
      item.append(pick);
      return item;
    }, (item, index) => {
      const entry = queue[index];
      item.querySelector(".name").textContent = entry.name;
      item.querySelector(".waited").hidden = over;
      const pick = item.querySelector("button");
      pick.hidden = over;
      pick.dataset.candidate = String(entry.candidate);
      pick.textContent = _("Pick");
      pick.setAttribute("aria-label", _("Pick %(name)s", { name: entry.name }));
    }, this.$("queue-heading"));
  }

  tick() {
    if (!this.state) return;
    // The end comes by the clock, with no state to say so (event-over.js).
    if (this.over !== eventOver(this.state.event, this.clock.now())) {
      this.drawQueue();
      this.drawOwn();
    }
    const since = waitedSince(this.state.now, this.state.event?.ends_at, this.clock.now());
    const byId = new Map(this.state.queue.map((entry) => [String(entry.candidate), entry]));
    for (const item of this.$("queue").children) {
      const entry = byId.get(item.dataset.key);
      if (entry) {
        item.querySelector(".waited").textContent =
          _("waited %(time)s", { time: duration(entry.waited_seconds + since) });
      }
    }
    const own = this.state.interview;
    if (own && own.state === "offered") {
      // While the video service is down the offer's clock stands (as the candidate's page
      // shows it): the time left as of the moment it stopped.
      const down = own.media === "unavailable" && own.stopped_at;
      const now = down ? Date.parse(own.stopped_at) : this.clock.now();
      const left = Math.max(0, (Date.parse(own.offer_expires_at) - now) / 1000);
      this.$("own-offer-name").textContent = _("You have called in %(name)s.",
        { name: own.candidate_name });
      this.$("own-offer-time").textContent = down
        ? _("The video service is down right now: the time for them to join stands still at %(time)s until it is back.",
          { time: duration(left) })
        : _("Waiting for them to join: %(time)s left.", { time: duration(left) });
      // Their page is in a browser that cannot make the call (PROTOCOL.md, `devices`):
      // what the interviewer can do, rather than wait out the offer's time.
      const cannot = own.other_devices?.problem === "unsupported";
      const problem = cannot
        ? _("Their browser cannot make video calls: they are being asked to open their link in a current browser or on another device. You can wait, or withdraw the offer: they keep their place, and you can call in someone else with Pick.")
        : "";
      // Only a change: it is a live region (it comes after the offer took the focus).
      if (this.$("own-offer-problem").textContent !== problem) this.$("own-offer-problem").textContent = problem;
    }
  }

  drawTalking() {
    const { interview, counts } = this.state;
    // The own pending offer is told once, by its banner with Withdraw (drawOwn), not here too.
    const shown = this.state.talking;
    const talking = shown.filter((t) => !(interview && interview.id === t.interview
      && t.state !== "active"));
    this.$("talking-empty").hidden = talking.length > 0;
    const more = this.$("talking-more");
    more.hidden = counts.talking <= shown.length;
    const left = counts.talking - shown.length;
    more.textContent = more.hidden ? "" : ngettext("And %(count)s more interview.", "And %(count)s more interviews.",
      left, { count: left });
    reconcile(this.$("talking"), talking.map((t) => t.interview), () => element("li"), (item, index) => {
      const t = talking[index];
      const own = interview && interview.id === t.interview;
      // Own line in the second person ("You are talking to …"), not "You is talking to …".
      const names = { interviewer: t.interviewer_name, candidate: t.candidate_name };
      if (own) {
        item.textContent = _("You are talking to %(candidate)s", names);
      } else {
        item.textContent = t.state === "active"
          ? _("%(interviewer)s is talking to %(candidate)s", names)
          : _("%(interviewer)s has called in %(candidate)s", names);
      }
      item.classList.toggle("own", Boolean(own));
    });
  }

  drawCounts() {
    const { counts } = this.state;
    // Nobody registered: the roster below says so; "0 of 0 checked in" only repeated it.
    this.$("checked-in-count").textContent = counts.registered === 0 ? ""
      : _("%(checked)s of %(count)s checked in", { checked: counts.checked_in, count: counts.registered });
  }

  drawMessages() {
    const { messages } = this.state;
    this.$("messages-empty").hidden = messages.length > 0;
    reconcile(this.$("messages"), messages.map((m) => m.id), () => {
      const item = element("li");
      item.append(element("span", "time"), " ", element("span", "text"));
      return item;
    }, (item, index) => {
      const m = messages[index];
      item.querySelector(".time").textContent = clockTime(m.sent_at);
      item.querySelector(".text").textContent = m.text;
      item.querySelector(".text").dir = "auto";  // any script, laid out in its own direction
    });
  }

  // Next, Pause, the message's form and the lobby's keyboard shortcuts go once the event is
  // over (no interview is to come; one still going on lists its own), rather than stay on the
  // page disabled. A keyboard user on one of them goes on from the lobby's heading, where the
  // rotation line under it says the event is over, not from the top (WCAG 2.4.3); one writing
  // the message, from its part's heading while the part stays (drawMessagePart).
  hideWhatCannotBeUsed(over, before) {
    const gone = { next: over, pause: over, "shortcuts-lobby": over, "message-form": over };
    for (const [id, hide] of Object.entries(gone)) {
      hideKeepingFocus(this.$(id), hide, this.$(id === "message-form" ? "message-heading" : "lobby-heading"));
    }
    this.drawMessagePart(over, before);
  }

  // The message to everyone waiting is not there before check-in opens: nobody can be waiting
  // to read it yet (Next stays, disabled, under the line that says when check-in opens). Once
  // the event is over nobody is left waiting, but the messages sent stay, under a heading
  // that says what they were: they are part of the day's record. None sent, nothing is left.
  drawMessagePart(over, before) {
    const sent = this.state.messages.length > 0;
    hideKeepingFocus(this.$("message-section"), before || (over && !sent), this.$("lobby-heading"));
    this.$("message-title-open").hidden = over;
    this.$("message-title-over").hidden = !over;
    this.$("messages-sent-heading").hidden = over;
  }

  drawOwn() {
    const { interview, paused, event } = this.state;
    const over = eventOver(event, this.clock.now());
    const becameOver = over && !this.over;
    this.over = over;
    // Finished (its last interview ended too): the summary can be read; the header links it.
    const finished = document.getElementById("event-finished");
    if (finished) finished.hidden = event?.state !== "finished";
    const offered = interview !== null && interview.state === "offered";
    this.$("own-offer").hidden = !offered;
    if (!offered) this.$("own-offer-problem").textContent = ""; // (no word left hidden)
    // Before check-in opens nobody can be waiting: the lobby says when they can.
    const before = event?.state === "published";
    this.$("checkin-opens").hidden = !before;
    this.$("next").disabled = interview !== null || over || before;
    // Nobody can be picked either (the roster's Pick buttons say the same).
    for (const pick of this.$("queue").querySelectorAll("button.pick")) pick.disabled = interview !== null || over;
    // Over: nobody to call in, no rotation to pause, nobody waiting to read a message. What
    // can never be used again goes, rather than stay on the page disabled.
    this.$("pause").disabled = over;
    for (const control of this.$("message-form").elements) control.disabled = over;
    this.hideWhatCannotBeUsed(over, before);
    this.$("pause").textContent = paused ? _("Resume") : _("Pause");
    this.$("pause").dataset.paused = String(paused);
    const rotation = over
      ? event.state === "cancelled"
        ? _("The event has been cancelled: no more candidates are called in.")
        : _("The event is over: no more candidates are called in.")
      : paused
        ? _("Paused: the waiting times the candidates see leave you out, and the organizer sees you as paused. “Next candidate” still calls someone in; choose “Resume” when you take candidates again.")
        : before ? "" : _("You are taking candidates: the waiting times the candidates see count you in.");
    // Written only when it changes: the line is a live region, read out on every write.
    if (this.$("rotation").textContent !== rotation) this.$("rotation").textContent = rotation;
    this.$("rotation").classList.toggle("paused", paused);
    if (becameOver && this.onOver) this.onOver();
  }
}
