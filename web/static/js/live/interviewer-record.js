// The interviewer's record of one interview (web/templates/interviewer/_record.html):
// questions covered, a 1–5 rating per attribute, notes. Saved as typed: a `save` message a
// moment after the last change, one at a time, again after a reconnect if one failed. The
// server saves it to the own live interview or else the last one ended (PROTOCOL.md), so
// the page flushes before calling in the next candidate.
//
// What is typed and not yet saved is also kept in the tab's sessionStorage (DRAFT_KEY), so a
// reload while the connection is down (what people do when the page says "reconnecting")
// loses nothing: the next page fills it back in and saves it. It is removed once saved, and
// sessionStorage ends with the tab; leaving the page with something unsaved asks first.
import { ChannelClosed } from "./channel.js";
import { _ } from "./texts.js";
import { errorText } from "./error-texts.js";

const DEBOUNCE_MS = 700;
const DRAFT_KEY = "snabb-record-draft";

function readDraft() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
  } catch {
    return null;  // storage off (a private window's setting) or not ours: nothing kept
  }
}

function writeDraft(draft) {
  try {
    if (draft) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    else sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    // storage full or off: the page still saves over the socket as before
  }
}

export class RecordForm {
  constructor(form, channel) {
    this.form = form;
    this.channel = channel;
    this.interview = null;       // the interview id the form is about
    this.candidateName = "";
    this.ended = false;
    this.dirty = false;
    this.saving = null;          // the save in flight (a promise)
    this.timer = null;
    this.status = null;          // () => text, redrawn on a language switch
    form.addEventListener("input", () => this.changed());
    form.addEventListener("change", () => this.changed());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.flush();
    });
    channel.addEventListener("status", (event) => {
      if (event.detail === "open" && this.dirty) this.schedule();
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty || this.saving) event.preventDefault();  // "Leave the page?" first
    });
  }

  // A new interview: an empty form, or what the server has (after a reload).
  begin(interview, candidateName, saved = null) {
    if (this.interview === interview) return;
    clearTimeout(this.timer);
    this.interview = interview;
    this.candidateName = candidateName;
    this.ended = false;
    this.dirty = false;
    this.form.reset();
    if (saved) this.fill(saved);
    this.setStatus(saved && (saved.notes || saved.questions_covered.length)
      ? () => _("Saved") : null);
    const draft = readDraft();
    if (draft && draft.interview === interview) {
      // Typed on the page before this one and never saved: back in the form, saved now.
      this.fill(draft.values);
      this.dirty = true;
      this.setStatus(() => _("What you typed before the page was reloaded is back, and is being saved."));
      this.schedule();
    } else if (draft) {
      writeDraft(null);  // another interview's, whose page was left: not shown on this one
    }
    this.redraw();
  }

  end() {
    this.ended = true;
    this.redraw();
  }

  // Where the keyboard goes on when the control it was on went away with the interview: the
  // notes still to finish (read out by their heading), from where Tab reaches each field.
  focusHeading() {
    const heading = this.form.querySelector("#record-heading");
    heading.tabIndex = -1;
    heading.focus();
  }

  fill(saved) {
    this.form.elements.notes.value = saved.notes || "";
    const covered = new Set(saved.questions_covered || []);
    for (const box of this.form.querySelectorAll("input[name=question]")) {
      box.checked = covered.has(Number(box.value));
    }
    for (const [position, rating] of Object.entries(saved.ratings || {})) {
      const radio = this.form.querySelector(`input[name="rating-${Number(position)}"][value="${Number(rating)}"]`);
      if (radio) radio.checked = true;
    }
  }

  values() {
    const ratings = {};
    for (const radio of this.form.querySelectorAll("input[type=radio]:checked")) {
      ratings[radio.dataset.attribute] = Number(radio.value);
    }
    return {
      notes: this.form.elements.notes.value,
      questions_covered: [...this.form.querySelectorAll("input[name=question]:checked")]
        .map((box) => Number(box.value)),
      ratings,
    };
  }

  changed() {
    if (this.interview === null) return;
    this.dirty = true;
    writeDraft({ interview: this.interview, values: this.values() });
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  // Save now if anything changed; resolves when saved (or failed).
  async flush() {
    clearTimeout(this.timer);
    if (this.saving) await this.saving;
    if (!this.dirty || this.interview === null) return;
    this.dirty = false;
    this.setStatus(() => _("Saving…"));
    // Naming the interview: a save that arrives late (resent after a reconnect) must not
    // land on the next candidate's record.
    const message = { type: "save", interview: this.interview, ...this.values() };
    this.saving = this.channel.send(message).then((reply) => {
      if (reply.type === "error") {
        this.setStatus(() => _("Not saved: %(reason)s", { reason: errorText(reply.code, "staff") }));
        if (["busy_retry", "unavailable", "server_error"].includes(reply.code)) this.dirty = true;
      } else {
        this.setStatus(() => _("Saved"));
        if (!this.dirty) writeDraft(null);  // nothing typed since: all of it is on the server
      }
    }, (failure) => {
      if (!(failure instanceof ChannelClosed)) throw failure;
      this.dirty = true;  // again once the channel is back
      this.setStatus(() => _("Not saved yet: waiting for the connection."));
    }).finally(() => {
      this.saving = null;
    });
    await this.saving;
  }

  setStatus(text) {
    this.status = text;
    this.form.querySelector("#save-status").textContent = text ? text() : "";
  }

  redraw() {
    const heading = this.form.querySelector("#record-heading");
    heading.textContent = this.ended
      ? _("Notes on your interview with %(name)s (ended)", { name: this.candidateName })
      : _("Notes on %(name)s", { name: this.candidateName });
    this.setStatus(this.status);
  }
}
