// The interviewer's interview: the shared call (CallView, live/_call.html) beside the side
// panel with the job, the record form, Extend and End. Shown while the own interview is
// active (state.interview); when it ends the call is left and the record form moves to the
// lobby so the last notes can still be finished.
// While the own offer is open the call is joined ahead, out of sight (the interviewer's ticket
// comes with `dispatched` and with the state): the interviewer is in the room, publishing,
// when the candidate presses Join, so the candidate sees them at once and the interviewer
// sees the candidate as soon as their camera is through. Taken back, turned down or run out,
// the offer's call is left.
// One window of the interviewer's browser is in the call (call-hold.js): these joins are the
// page's own, so another window holding the call keeps it, and this one offers Continue here.
// Pages on other devices (or other browsers) share the interviewer's ticket and cannot see
// that lock: a page that joins says so (`call_here`), every page hears it in the same order
// (`call_taken`), and a page another one joined after leaves the call and stays out, for
// later interviews too, until Continue here (docs/calls.md, "One page in the call").
import { CallView } from "./call-view.js";
import { tellDevices, unsupportedTeller } from "./call-devices.js";
import { MediaOutage, callTimes } from "./media-outage.js";
import { _ } from "./texts.js";

// A page's own `call_here` notice comes back within a fraction of a second; one lost (the
// server's listening connection down) is given up on after this, so that the page hears
// other pages' joins again.
const UNHEARD_MS = 5000;

// The page's own marks kept to know its notices by, and sent back after a drop (`since`):
// the newest this many (as many as the server takes), far more than are ever on their way.
const MARKS_KEPT = 32;

// A mark for one `call_here` (crypto.randomUUID needs a secure context; this does not).
function newMark() {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// After an interview, its notes stay open in the lobby this long (or until the next one).
const RECORD_KEPT_MS = 10 * 60 * 1000;

// Where the focus was when the interview ended, for the page to decide where it goes on
// (interviewer.js): "none" (on the body), "record" (in the notes: put back there), "lost" (on
// a control of the interview, now hidden) or "kept" (elsewhere on the page, left alone).
function focusPlace(record, section) {
  const active = document.activeElement;
  if (!active || active === document.body) return "none";
  if (record.contains(active)) return "record";
  return section.contains(active) ? "lost" : "kept";
}

// Moving a node blurs whatever inside it had the focus (HTML's "focus fixup"): an
// interviewer typing notes would type on into nothing, and Space or Enter would press
// whatever the page focused next. So the focus, a text field's caret and selection and its
// scroll are taken before the move and put back after it.
function moveKeepingFocus(node, into) {
  const active = document.activeElement;
  if (!active || !node.contains(active)) {
    into.append(node);
    return;
  }
  const text = typeof active.selectionStart === "number";
  const { selectionStart, selectionEnd, selectionDirection, scrollTop } = active;
  into.append(node);
  if (document.activeElement === active) return;
  active.focus();
  if (text) active.setSelectionRange(selectionStart, selectionEnd, selectionDirection);
  active.scrollTop = scrollTop;
}

export class InterviewView extends EventTarget {
  constructor(root, record, channel) {
    super();
    this.root = root;
    this.record = record;
    this.channel = channel;
    this.out = false;       // another page of the interviewer joined after this one: stay out
    this.announced = null;  // the interview whose call this page last said it joined
    this.marks = new Set(); // the marks of this page's latest `call_here` notices: its own
    this.acked = new Set(); // … of those the server answered: it has heard this page
    this.unheard = new Map(); // … of those not heard back yet, with when to give up on them
    this.section = root.querySelector("#interview");
    this.lobby = root.querySelector("#lobby");
    this.heading = root.querySelector("#interview-heading");
    this.rejoin = root.querySelector("#rejoin");
    this.current = null;  // the own active interview being shown
    this.ahead = null;    // {id, room} of the own open offer whose call is joined ahead
    this.hideTimer = null;
    this.keptUntil = 0;   // when the last interview's notes leave the lobby (Date.now() ms)
    // Joining again by itself (media that could not be mended): the newest ticket of the state.
    this.call = new CallView(root.querySelector("[data-call]"), {
      freshTicket: async () => this.current?.ticket || null,
      holdName: `call ${location.pathname}`, side: "interviewer",
    });
    this.outage = new MediaOutage(this.call);
    this.drawDevices = tellDevices(channel, this.call);
    // In a browser without video calls, the candidate is told as they are called in.
    this.tellUnsupported = unsupportedTeller(channel, this.call);
    // Ending is the End button's job here: the call's own Leave button is the candidate's.
    this.call.el.leave.hidden = true;
    // While the video service is down a rejoin would only reach the lost server.
    this.call.addEventListener("failed", () => {
      this.rejoin.hidden = this.outage.down;
      if (!this.outage.down) this.call.offerFocusTo(this.rejoin);
    });
    this.call.addEventListener("remote-video", () => { this.rejoin.hidden = true; });
    this.rejoin.addEventListener("click", () => this.joinCall(true));
    // Continue here: this page takes the call back (the view joins with a press).
    this.call.addEventListener("take", () => { this.out = false; });
    this.call.addEventListener("holding", () => this.announce());
    channel.addEventListener("message", (event) => {
      if (event.detail.type === "call_taken") this.taken(event.detail);
    });
    // A text field of the record, focused, is brought wholly into view where it fits (the
    // browser shows only its caret's line, at the window's bottom edge), and again when a
    // phone's on-screen keyboard comes up after the focus, over it.
    const reveal = () => {
      const field = document.activeElement;
      if (field && this.record.form.contains(field) && field.matches("textarea, input[type=text]")) {
        field.scrollIntoView({ block: "nearest" });
      }
    };
    this.record.form.addEventListener("focusin", reveal);
    window.visualViewport?.addEventListener("resize", reveal);
    // Back after the socket was down: another page's join may have gone unheard meanwhile,
    // and this page's own notice may have been lost. The page in the call says so again, so
    // that one page, not two, is in it: unless another page has said it since (Continue
    // here on the phone while the laptop's socket was down), and then this one leaves.
    channel.addEventListener("status", (event) => {
      if (event.detail !== "open" || this.out || !this.call.joined) return;
      this.announced = null;
      this.announce(true);
    });
  }

  // Next or Pick pressed here: the call to come is this page's. Said before the press goes
  // (the socket handles a page's messages in order), so the other pages hear it ahead of
  // the dispatch and do not join its call ahead; this page's own join says it again.
  takeCall() {
    this.out = false;
    this.announced = null;
    this.say(null);
  }

  // The call of the interview shown (or offered) is joined here: the other pages are told.
  // `again`: said after a drop, only if no other page has said it since.
  announce(again = false) {
    const id = this.current?.id ?? this.ahead?.id;
    if (!id || this.announced === id) return;
    this.announced = id;
    this.say(id, again);
  }

  async say(id, again = false) {
    const message = { type: "call_here", mark: newMark() };
    if (id !== null) message.interview = id;
    // With every mark of its own (one whose answer the drop cut off may have been kept).
    // Only a page the server has heard asks so: one it never heard (its first notice lost
    // while its socket was down) would find another page's mark kept, perhaps of the
    // window it reloaded, and be refused for nothing.
    if (again && this.acked.size) message.since = [...this.marks];
    const { mark } = message;
    this.marks.add(mark);
    for (const kept of [this.marks, this.acked]) {
      if (kept.size > MARKS_KEPT) kept.delete(kept.values().next().value);
    }
    this.unheard.set(mark, setTimeout(() => this.unheard.delete(mark), UNHEARD_MS));
    let reply = null;
    try {
      reply = await this.channel.send(message);
    } catch {
      // the socket is down: said again once it is back (the status listener)
    }
    if (reply?.type === "ok") {
      this.acked.add(mark);
      return;
    }
    clearTimeout(this.unheard.get(mark));
    this.unheard.delete(mark);
    if (id !== null && this.announced === id) this.announced = null;
    if (reply?.code === "call_elsewhere") this.leaveToOther();
  }

  // A page joined the call (`call_taken`). This page's own notice is known by its mark;
  // another page's, heard while none of this page's is still on its way, came after this
  // page's join: that page has the call and this one leaves it. (Heard while this page's own
  // is on its way, it came first, and this page's notice will send that page out.)
  taken({ mark }) {
    if (this.marks.has(mark)) {
      clearTimeout(this.unheard.get(mark));
      this.unheard.delete(mark);
      return;
    }
    if (this.unheard.size > 0) return;
    this.leaveToOther();
  }

  // Another page of the interviewer has the call: this one leaves it and stays out.
  leaveToOther() {
    this.out = true;
    this.announced = null;
    if (this.current || this.ahead) this.call.showElsewhere();
  }

  get active() {
    return this.current !== null;
  }

  // Called with every state: starts, updates or ends the interview view.
  update(state, saved) {
    const own = state.interview;
    this.tellUnsupported(own?.id ?? null); // (the own offered or active one)
    if (own && own.state === "active") {
      const previous = this.current;
      if (!previous || previous.id !== own.id) this.start(own, saved);
      this.current = own;
      this.call.setOtherName(own.candidate_name);
      // The reconciler moved the interview to a new room (room_changed): join it.
      if (previous && previous.id === own.id && previous.room !== own.room) this.joinCall();
      this.call.setTimes(callTimes(own, state.now));
      this.drawDevices(own);
      if (this.outage.draw(own)) this.rejoin.hidden = true;
    } else {
      this.outage.draw(null);
      if (this.current) this.finish();
      if (own && own.state === "offered") this.joinAhead(own.id, own.ticket, own.room);
      else this.leaveAhead();
    }
    // The last interview's notes give way to an open offer, and come back if it ends without
    // an interview (withdrawn, turned down, run out) while they are still kept.
    if (this.record.ended && !this.current) {
      if (own && this.record.interview !== own.id) this.hideRecord();
      else if (!own && this.record.form.hidden && Date.now() < this.keptUntil) this.showRecordInLobby(this.keptUntil);
    }
  }

  // The own open offer's call, joined out of sight. `room` is null when it is not known yet
  // (the `dispatched` reply): the next state's is taken as this call's. `info`: the join
  // info `dispatched` carries with its ticket (straight to Janus).
  joinAhead(id, ticket, room = null, info = null) {
    if (!ticket || this.current) return;
    const ahead = this.ahead;
    if (ahead && ahead.id === id && (ahead.room === room || ahead.room === null || room === null)) {
      ahead.room ??= room;
      return;
    }
    this.ahead = { id, room };
    if (this.out) { // another page of the interviewer has the call: no camera here either
      this.call.dropMedia();
      return;
    }
    this.call.join(ticket, { ahead: true, info });
  }

  leaveAhead() {
    if (!this.ahead) return;
    this.ahead = null;
    this.call.leave();
  }

  start(own, saved) {
    clearTimeout(this.hideTimer);
    this.current = own;
    this.record.begin(own.id, own.candidate_name, saved && saved.interview === own.id ? saved : null);
    this.root.querySelector("#interview-record-slot").append(this.record.form);
    this.record.form.hidden = false;
    this.lobby.hidden = true;
    this.section.hidden = false;
    // A new interview's notes start at their top (the job, the heading, the first
    // question), not where the previous one's were scrolled to.
    const panel = this.root.querySelector(".interview-panel");
    if (panel) panel.scrollTop = 0;
    this.redraw();
    this.heading.focus();
    const ahead = this.ahead;
    this.ahead = null;
    const sameRoom = ahead && ahead.id === own.id && (ahead.room === null || ahead.room === own.room);
    if (sameRoom && this.call.state.phase !== "failed" && !this.out) {
      this.call.clockFrom(); // already in the room: the join time counts from the start
    } else {
      this.joinCall();
    }
  }

  // press: Join again was pressed (it takes the call from another window or device).
  joinCall(press = false) {
    this.call.keepFocusFrom(this.rejoin);
    this.rejoin.hidden = true;
    if (press) this.out = false;
    if (this.out) {
      this.call.showElsewhere();
      this.call.forgetKeptFocus(); // (placed on Continue here if the phase changed)
      return;
    }
    // A running interview's candidate has joined: absent, they lost their connection (a page
    // opened anew, in another browser, knows it from the state alone, not from call-met.js).
    const met = this.current?.state === "active";
    if (this.current && this.current.ticket) this.call.join(this.current.ticket, { press, met });
    else this.call.forgetKeptFocus();
  }

  finish() {
    const ended = this.current;
    this.current = null;
    this.call.leave();
    this.record.end();
    const focus = focusPlace(this.record.form, this.section);
    // The lobby first: the focus can only be put back into the notes once they are shown.
    this.lobby.hidden = false;
    this.section.hidden = true;
    this.showRecordInLobby();
    this.dispatchEvent(new CustomEvent("ended", { detail: { interview: ended, focus } }));
  }

  // The notes of the interview just ended, in the lobby until `until` (e.g. after a reload).
  showRecordInLobby(until = Date.now() + RECORD_KEPT_MS) {
    moveKeepingFocus(this.record.form, this.root.querySelector("#lobby-record-slot"));
    this.record.form.hidden = false;
    clearTimeout(this.hideTimer);
    this.keptUntil = until;
    this.hideTimer = setTimeout(() => this.hideRecord(), until - Date.now());
  }

  // Hidden at once (so an offer's state that follows cannot find them half gone), saved after.
  async hideRecord() {
    clearTimeout(this.hideTimer);
    if (this.record.ended && !this.active) this.record.form.hidden = true;
    await this.record.flush();
  }

  redraw() {
    if (this.current) {
      this.heading.textContent = _("Interview with %(name)s", { name: this.current.candidate_name });
    }
  }
}
