// The interviewer's record of one interview (web/templates/interviewer/_record.html):
// questions covered, a 1–5 rating per attribute, notes. Saved as typed: a `save` message a
// moment after the last change, one at a time, again after a reconnect if one failed. The
// server saves it to the own live interview or else the last one ended (PROTOCOL.md), so
// the page flushes before calling in the next candidate.
//
// The same interviewer may have the meeting web open twice (the mail link clicked again, a
// phone beside the laptop), and every save sends the whole form. So each save names the
// record's version its form is based on (`version`, counted by the server), and the server
// refuses one from an older version (`record_changed`) instead of replacing what the other
// window saved. A window that is behind, told so by `record_saved` (another window saved),
// by that refusal, or on (re)connecting and starting an interview, fetches the record
// (`record`) and shows it; what was typed here and not saved stays in sight to copy from.
//
// What is typed and not yet saved is also kept in the tab's sessionStorage (DRAFT_KEY), so a
// reload while the connection is down (what people do when the page says "reconnecting")
// loses nothing: the next page fills it back in and saves it. It is removed once saved, and
// sessionStorage ends with the tab; leaving the page with something unsaved asks first.
import { ChannelClosed } from "./channel.js";
import { _ } from "./texts.js";
import { errorText } from "./error-texts.js";
import { TRY_AGAIN_CODES, serviceBackoff } from "./backoff.js";

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
    this.version = null;         // the saved record's version the form is based on (null: not known yet)
    this.candidateName = "";
    this.ended = false;
    this.dirty = false;
    this.worried = false;        // a failure or a wait was said: the next "Saved" is said too
    // The form's values as last known saved (JSON): a change event that changes nothing (a
    // field left after its value was set from another window's save, the form moved to the
    // lobby) is not something to save, nor a reason to tell another window "not saved".
    this.baseline = null;
    this.steps = Promise.resolve();  // the requests of the form (saves, fetches), one at a time
    this.underway = 0;           // how many of them have not finished
    this.timer = null;
    // A save the service could not take now (its database away, a moment's conflict) is tried
    // again by itself after these waits: the notes must not wait for the next key pressed, or
    // for the end of the interview, to be kept.
    this.retries = serviceBackoff();
    this.status = null;          // () => text, redrawn on a language switch
    this.unsaved = form.querySelector("#record-unsaved");
    form.addEventListener("input", (event) => this.changed(event));
    form.addEventListener("change", (event) => this.changed(event));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.flush();
    });
    form.querySelector("#record-unsaved-close").addEventListener("click", () => {
      this.keepUnsaved("");
      // Seen and put away: a reload no longer brings them back (begin's draft).
      const draft = readDraft();
      if (!this.dirty && draft && draft.interview === this.interview) writeDraft(null);
    });
    channel.addEventListener("status", (event) => {
      // Back: another window may have saved meanwhile (its `record_saved` was missed).
      if (event.detail === "open") this.catchUp();
    });
    channel.addEventListener("message", (event) => {
      const message = event.detail;
      if (message.type === "record_saved" && message.interview === this.interview
          && (this.version === null || message.version > this.version)) this.catchUp();
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty || this.underway) event.preventDefault();  // "Leave the page?" first
    });
  }

  // A new interview: an empty form, or what the server has (after a reload).
  begin(interview, candidateName, saved = null) {
    if (this.interview === interview) return;
    clearTimeout(this.timer);
    this.retries.reset();
    this.interview = interview;
    this.version = saved ? saved.version ?? null : null;
    this.candidateName = candidateName;
    this.ended = false;
    this.dirty = false;
    this.form.reset();
    this.keepUnsaved("");
    if (saved) this.fill(saved);
    this.baseline = JSON.stringify(this.values());
    this.setStatus(saved && (saved.notes || saved.questions_covered.length)
      ? () => _("Saved") : null, { quiet: true });
    const draft = readDraft();
    if (draft && draft.interview === interview) {
      // Typed on the page before this one and never saved: back in the form, saved now (from
      // the version it was typed on: refused if another window saved since).
      this.fill(draft.values);
      this.version = draft.version ?? this.version;
      this.dirty = true;
      this.setStatus(() => _("What you typed before the page was reloaded is back, and is being saved."));
    } else if (draft) {
      writeDraft(null);  // another interview's, whose page was left: not shown on this one
    }
    this.redraw();
    // Another window may have saved since the page was drawn, or started this interview
    // with its own notes: this one starts from what the server has.
    this.catchUp();
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
    for (const radio of this.form.querySelectorAll("input[type=radio]")) radio.checked = false;
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

  changed(event) {
    if (this.interview === null || event.target.closest("#record-unsaved")) return;
    if (!this.dirty && JSON.stringify(this.values()) === this.baseline) return;
    this.dirty = true;
    this.keepDraft();
    this.schedule();
  }

  keepDraft() {
    writeDraft({ interview: this.interview, version: this.version, values: this.values() });
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  retryLater() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.retries.next());
  }

  // One request of the form at a time: each starts from the version the one before left.
  run(step) {
    this.underway += 1;
    const done = this.steps.then(step).finally(() => {
      this.underway -= 1;
    });
    this.steps = done.catch(() => {});
    return done;
  }

  // Save now if anything changed; resolves when saved (or failed).
  flush() {
    clearTimeout(this.timer);
    return this.run(() => this.save());
  }

  // The saved record, when it is newer than the form's (another window saved it); then a
  // save of what is still to be saved here.
  async catchUp() {
    if (this.interview === null) return;
    await this.run(() => this.fetch());
    if (this.dirty) this.schedule();
  }

  async save() {
    if (!this.dirty || this.interview === null) return;
    if (this.version === null) await this.fetch();  // a save must name the version it is on
    if (this.version === null) {
      if (this.dirty) {
        this.worried = true;
        this.setStatus(() => _("Not saved yet: waiting for the connection."));
      }
      return;
    }
    if (!this.dirty) return;  // the fetch found this form behind: nothing of it is saved
    const interview = this.interview;
    this.dirty = false;
    // Saved as typed, after every pause: read out each time, it talked over the candidate
    // (a screen reader's user heard "Saving… Saved" dozens of times an interview). Shown,
    // not said; said are the failures and waits, and "Saved" after one of them.
    const worried = this.worried;
    this.worried = false;
    this.setStatus(() => _("Saving…"), { quiet: true });
    // Naming the interview: a save that arrives late (resent after a reconnect) must not
    // land on the next candidate's record.
    const values = this.values();
    const message = { type: "save", interview, version: this.version, ...values };
    let reply;
    try {
      reply = await this.channel.send(message);
    } catch (failure) {
      if (!(failure instanceof ChannelClosed)) throw failure;
      this.dirty = true;  // again once the channel is back
      this.worried = true;
      this.setStatus(() => _("Not saved yet: waiting for the connection."));
      return;
    }
    if (interview !== this.interview) return;  // the next interview's form: nothing to show of it
    if (reply.type === "error") {
      if (reply.code === "record_changed") {
        this.dirty = true;  // what was sent is still to be kept: fetch() shows it beside the record
        await this.fetch();
        return;
      }
      this.worried = true;
      this.setStatus(() => _("Not saved: %(reason)s", { reason: errorText(reply.code, "staff") }));
      if (TRY_AGAIN_CODES.has(reply.code)) {
        this.dirty = true;
        this.retryLater();
      }
    } else {
      this.retries.reset();
      this.version = reply.version;
      this.baseline = JSON.stringify(values);
      this.setStatus(() => _("Saved"), { quiet: !worried });
      // Nothing typed since: all of it is on the server. Else the draft is on the new version.
      if (this.dirty) this.keepDraft();
      else writeDraft(null);
    }
  }

  // The saved record from the server; taken when it is newer than the form's.
  async fetch() {
    const interview = this.interview;
    if (interview === null) return;
    let reply;
    try {
      reply = await this.channel.send({ type: "record", interview });
    } catch (failure) {
      if (!(failure instanceof ChannelClosed)) throw failure;
      return;  // asked again when the channel is back
    }
    if (reply.type !== "record" || interview !== this.interview) return;
    if (this.version !== null && reply.version <= this.version) return;
    if (this.version === null && reply.version === 0) {
      this.version = 0;  // nothing saved yet by anyone: what is here is the first save
      return;
    }
    this.take(reply);
  }

  // Another window's save, in the form. What was typed here and not saved is not thrown
  // away unseen: its notes stay beside the record, to copy from, and the status says why.
  take(saved) {
    const mine = this.values();
    const unsaved = this.dirty;
    clearTimeout(this.timer);
    this.version = saved.version;
    this.fill(saved);
    this.baseline = JSON.stringify(this.values());
    this.dirty = false;
    if (!unsaved) {
      this.setStatus(() => _("Updated with what was saved in another window."));
      return;
    }
    // Notes kept from an earlier refusal stay until put away (Hide) or the next interview:
    // a later refusal with nothing new of its own (a field left, a change event without a
    // change) must not take them out of sight.
    const kept = mine.notes.trim() !== "" && mine.notes !== saved.notes;
    if (kept) this.keepUnsaved(mine.notes);
    this.setStatus(kept || !this.unsaved.hidden
      ? () => _("Not saved: these notes were changed in another window and now show what was saved there. Your notes from this window are below.")
      : () => _("Not saved: these notes were changed in another window and now show what was saved there. Check your ticks and ratings."));
  }

  // Notes typed here that another window's save replaced are in sight (and not put away).
  get keptUnsaved() {
    return !this.form.hidden && !this.unsaved.hidden;
  }

  focusKept() {
    this.unsaved.querySelector("textarea").focus();
  }

  // The notes typed here that another window's save replaced ("" hides them).
  keepUnsaved(notes) {
    this.unsaved.querySelector("textarea").value = notes;
    this.unsaved.hidden = !notes;
  }

  // `quiet`: shown but not read out (the line is a live region): the state of a record that
  // came with the page, or the same state in the language switched to, is no news.
  // Only a change of the words touches the line (and whether it is read out): the same words
  // again, redrawn, leave a message said just before as it was.
  setStatus(text, { quiet = false } = {}) {
    this.status = text;
    const element = this.form.querySelector("#save-status");
    const said = text ? text() : "";
    if (element.textContent === said) return;
    element.setAttribute("aria-live", quiet ? "off" : "polite");
    element.textContent = said;
  }

  redraw() {
    const heading = this.form.querySelector("#record-heading");
    heading.textContent = this.ended
      ? _("Notes on your interview with %(name)s (ended)", { name: this.candidateName })
      : _("Notes on %(name)s", { name: this.candidateName });
    this.setStatus(this.status, { quiet: true });
  }
}
