// The registered candidates in the interviewers' lobby: fetched a page at a time over HTTP
// (GET /i/{token}/roster, app/views/roster.py), searched by name, with Pick for those
// waiting. The channel's state holds only the head of the queue and the counts, so that it
// stays small at any size of event; this list is read when it is shown, searched or paged,
// and again (at most every REFRESH_MS) when the counts or the calls in a new state say it
// moved.
// Buttons with data-candidate are wired by interviewer.js, like the queue's.
import { _, language, ngettext, onLanguageChange } from "./texts.js";
import { reconcile } from "./interviewer-lobby.js";
import { eventOver } from "./event-over.js";

const REFRESH_MS = 3000;

export function stateName(state) {
  switch (state) {
    case null: case undefined: case "not_checked_in": return _("Not checked in");
    case "waiting": return _("Waiting");
    case "away": return _("Away (connection lost)");
    case "offered": return _("Called in, joining");
    case "interviewing": return _("In an interview");
    case "left": return _("Left the queue");
    case "left:missed": return _("Out of the queue: missed their turn twice");
    case "done": return _("Interviewed");
    case "not_interviewed": return _("Not interviewed");
    case "never_checked_in": return _("Never checked in");
    default: return state;
  }
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

export class Roster {
  constructor(root, url) {
    this.root = root;
    this.url = url;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.query = "";
    this.page = 1;
    this.result = null;      // the last page received
    this.problem = null;     // a function giving the text of the last failure
    this.counts = null;      // the counts of the state the list was last read for
    this.busy = false;
    this.again = false;      // asked for while a read ran: read once more after it
    this.timer = null;
    this.loadedIn = null;    // the language the list was last asked for in
    this.lastRead = 0;
    this.canPick = true;
    this.over = false;       // the event is over (event-over.js), as of the last state
    this.$("roster-search").addEventListener("submit", (event) => {
      event.preventDefault();
      this.query = this.$("roster-query").value.trim();
      this.page = 1;
      this.load();
    });
    this.$("roster-previous").addEventListener("click", () => this.turn(-1));
    this.$("roster-next").addEventListener("click", () => this.turn(1));
    // The server orders the names by the viewer's language (app/names.py): read again in
    // another. The page's own catalog coming in at the start is no other language: the list
    // read meanwhile is drawn again in its words, not fetched twice.
    onLanguageChange((code) => {
      if (this.loadedIn !== null && code !== this.loadedIn) this.load();
      else this.draw();
    });
  }

  turn(step) {
    if (!this.result) return;
    this.page = Math.min(Math.max(1, this.result.page + step), this.result.pages);
    this.load().then(() => {
      // Keep the keyboard where it was, unless that button just became unusable.
      const button = this.$(step < 0 ? "roster-previous" : "roster-next");
      if (button.disabled) this.$("roster-page").focus();
    });
  }

  // A new state: the counts and whether Pick is possible; the list is read again when
  // the counts moved, at most every REFRESH_MS.
  update(state) {
    // Who is called in or talking changes a row's status without moving a count (a
    // candidate joining their call): it is part of what makes the list be read again.
    const counts = JSON.stringify([state.counts, (state.talking || []).map((t) => [t.candidate, t.state])]);
    // Over: nobody is called any more, so nobody is "waiting" (their entries stay as they
    // were when it ended) and nobody can be picked.
    this.over = eventOver(state.event, Date.parse(state.now));
    this.canPick = state.interview === null && !this.over;
    if (this.result) this.drawRows();
    if (this.counts === null) {
      this.counts = counts;
      this.load();
      return;
    }
    if (counts === this.counts) return;
    this.counts = counts;
    clearTimeout(this.timer);
    const wait = Math.max(0, this.lastRead + REFRESH_MS - Date.now());
    this.timer = setTimeout(() => this.load(), wait);
  }

  async load() {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.lastRead = Date.now();
    this.loadedIn = language();
    const params = new URLSearchParams({ q: this.query, page: String(this.page) });
    try {
      const response = await fetch(`${this.url}?${params}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        this.problem = response.status === 400
          ? () => _("The search could not be read. Use at most 200 characters.")
          : () => _("The list of candidates could not be loaded. Try again in a moment.");
      } else {
        this.result = await response.json();
        this.page = this.result.page;
        this.problem = null;
      }
    } catch {
      this.problem = () => _("The list of candidates could not be loaded. Try again in a moment.");
    } finally {
      this.busy = false;
    }
    this.draw();
    if (this.again) {
      this.again = false;
      await this.load();
    }
  }

  draw() {
    if (this.problem) {
      this.say(this.problem());
      return;
    }
    if (!this.result) return;
    const { total, page, pages } = this.result;
    if (this.query && total === 0) this.say(_("No candidate matches “%(query)s”.", { query: this.query }));
    else if (total === 0) this.say(_("Nobody has registered yet."));
    else {
      this.say(this.query
        ? ngettext("%(count)s candidate matches “%(query)s”.", "%(count)s candidates match “%(query)s”.", total,
          { count: total, query: this.query })
        : ngettext("%(count)s registered candidate.", "%(count)s registered candidates.", total, { count: total }));
    }
    this.$("roster-table").hidden = total === 0;
    this.$("roster-pages").hidden = pages <= 1;
    this.$("roster-page").textContent = _("Page %(page)s of %(pages)s", { page, pages });
    this.$("roster-previous").disabled = page <= 1;
    this.$("roster-next").disabled = page >= pages;
    this.drawRows();
  }

  drawRows() {
    const rows = this.result.candidates;
    // Keyed rows (reconcile): the same candidate's row is reused, so a focused Pick keeps
    // its focus while the list is read again.
    reconcile(this.$("candidates"), rows.map((c) => c.id), () => {
      const row = element("tr");
      // A name of one long word (up to 200 letters) breaks rather than widening the page.
      const name = element("th", "wraps-anywhere");
      name.scope = "row";
      row.append(name, element("td"), element("td"), element("td", "pick-cell"));
      return row;
    }, (row, index) => {
      const c = rows[index];
      const [name, checkedIn, status, action] = row.children;
      name.textContent = c.name;
      // Another registered has the same name: their address tells the two apart.
      if (c.email) name.append(element("span", "contact-line", c.email));
      checkedIn.textContent = c.checked_in ? _("Yes") : _("No");
      checkedIn.dataset.label = _("Checked in");
      const waiting = c.state === "waiting" && c.position && !this.over;
      // Once over, as the employer's list says it: nobody still waits or may still check in.
      const shown = !this.over ? c.state
        : ["waiting", "away"].includes(c.state) ? "not_interviewed"
          : [null, undefined, "not_checked_in"].includes(c.state) ? "never_checked_in" : c.state;
      status.textContent = waiting
        ? _("%(state)s, number %(position)s", { state: stateName(c.state), position: c.position })
        : stateName(shown);
      status.dataset.label = _("Status");
      row.className = c.checked_in ? "checked-in" : "";
      let pick = action.querySelector("button");
      if (waiting) {
        if (!pick) {
          pick = element("button", "secondary pick");
          pick.type = "button";
          action.append(pick);
        }
        pick.dataset.candidate = String(c.id);
        pick.textContent = _("Pick");
        // (Two of one name: the buttons' names differ as the rows do.)
        const told = c.email ? `${c.name} (${c.email})` : c.name;
        pick.setAttribute("aria-label", _("Pick %(name)s", { name: told }));
        pick.disabled = !this.canPick;
      } else if (pick) {
        // Taken by someone else: a focused Pick leaves the focus on the list's heading.
        const hadFocus = pick === document.activeElement;
        pick.remove();
        if (hadFocus) this.$("candidates-heading").focus({ preventScroll: true });
      }
    }, this.$("candidates-heading"));
  }

  // The status line is a live region, read out on every write: written only when it
  // changes, not at every reading of the list (each check-in, call and end in the event).
  say(text) {
    const status = this.$("roster-status");
    if (status.textContent !== text) status.textContent = text;
  }

  redraw() {
    this.draw();
  }
}
