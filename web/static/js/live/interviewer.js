// The interviewers' meeting web (web/templates/interviewer/meeting.html): one channel, the
// lobby, the interview. Every button sends one protocol message (app/live/PROTOCOL.md) and
// puts the reply into words; everything shown comes from the channel's "state".
import { LiveChannel, accessUrlOf, pageSocketUrl } from "./channel.js";
import { N_, _, onLanguageChange } from "./texts.js";
import { startPage } from "./page-start.js";
import { connectionText, errorText } from "./error-texts.js";
import { Lobby, ServerClock } from "./interviewer-lobby.js";
import { Roster } from "./interviewer-roster.js";
import { RecordForm } from "./interviewer-record.js";
import { InterviewView } from "./interviewer-interview.js";
import { installShortcuts } from "./shortcuts.js";
import { eventOver } from "./event-over.js";

const MAX_MESSAGE = 500;
const root = document.querySelector("#meeting");
const $ = (id) => root.querySelector(`#${id}`);
// Which own interview, in which phase: a refusal is about the phase it was given in.
const phaseOf = (own) => (own ? `${own.id}:${own.state}` : "none");

// Why an interview ended (its record's end_reason), said when the lobby comes back; an own
// End (this window's or another's) and anything else get the plain words.
const ENDED = new Map(Object.entries({
  candidate: N_("%(name)s left the interview."),
  time: N_("The time for the interview with %(name)s ran out."),
  cancelled: N_("The interview with %(name)s ended: their registration was cancelled."),
  removed: N_("The interview with %(name)s ended: their registration was removed."),
}));

function endedText(reason) {
  return ENDED.get(reason) ?? N_("The interview with %(name)s has ended.");
}

// The reasons of offer_ended that take the candidate out of the queue: they left it (or
// turned the offer down), or their registration ended.
const LEFT_THE_QUEUE = new Set(["left", "cancelled", "removed", "erased"]);

// Why the own offer went away: as the server says (`reason`, offer_ended) when it has;
// else as far as this page can tell: withdrawn in another window of the interviewer's
// (Withdraw pressed there) when its time had not run out and the candidate is still in the
// queue, where they keep their place; else they did not join (the time ran out, or they
// turned it down and left the queue). Once the event is over (`over`) nobody else is called
// in: the words do not say to.
function offerEndedText(offer, state, now, reason, over) {
  // Told by the server (offer_ended) when the offer was withdrawn, the candidate left the
  // queue or the room could not be made; what the next state shows is the guess while it has
  // not come (or for a miss).
  if (reason === "withdrawn") return N_("The offer to %(name)s was withdrawn; they keep their place.");
  // Its video room could not be made: nobody withdrew it, and nobody lost their place.
  if (reason === "room") {
    return over ? N_("The video call with %(name)s could not be set up: the video service failed.")
      : N_("The video call with %(name)s could not be set up: the video service failed. They keep their place in the queue; try “Next candidate” again in a moment.");
  }
  if (LEFT_THE_QUEUE.has(reason)) {
    return over ? N_("%(name)s is no longer in the queue.")
      : N_("%(name)s is no longer in the queue. You can call in the next candidate.");
  }
  const expires = Date.parse(offer.offer_expires_at);
  const timeLeft = !Number.isNaN(expires) && now < expires - 1000;
  if (timeLeft && state.queue.some((entry) => entry.candidate === offer.candidate)) {
    return N_("The offer to %(name)s was withdrawn; they keep their place.");
  }
  return over ? N_("%(name)s did not join.") : N_("%(name)s did not join. You can call in the next candidate.");
}

const MESSAGE_SENT = () => _("Message sent to everyone waiting.");

class MeetingPage {
  constructor() {
    this.saidNobodyWaits = false;  // the lobby line says nobody waits (a Next found nobody)
    this.extendGone = false;  // Extend is not offered: the event is over, or the limit reached
    this.saved = JSON.parse(document.querySelector("#record-initial").textContent || "null");
    // While reconnecting, the page asks whether it would still be let in: refused (the
    // event deleted, the interviewer taken off it, signed out), it loads its link again,
    // which says why, instead of reconnecting for ever. Notes not saved yet are guarded by
    // the page's leave prompt (interviewer-record.js).
    this.channel = new LiveChannel(pageSocketUrl(), { accessUrl: accessUrlOf(pageSocketUrl()) });
    this.channel.addEventListener("refused", () => this.loadLinkAgain());
    // Taken off the event by its organizer: the link no longer opens, and the page says so.
    // Let in as the account whose session then ended: the link's page says so, and asks for
    // the code.
    this.channel.addEventListener("message", (event) => {
      if (event.detail.type === "interviewer_removed" || event.detail.type === "signed_out") {
        this.channel.close();
        this.loadLinkAgain();
      }
      if (event.detail.type === "offer_ended") this.offerEnded(event.detail);
    });
    this.clock = new ServerClock();
    this.lobby = new Lobby(root, this.clock);
    // The event's end while the status line still offers the next candidate: said again.
    this.lobby.onOver = () => {
      this.sayEndedAgain();
      this.sayOfferEndedAgain();
      this.drawExtendGone();
      this.shortcuts.offer("N", false);
    };
    this.roster = new Roster($("roster"), $("roster").dataset.url);
    this.record = new RecordForm($("record"), this.channel);
    this.interview = new InterviewView(root, this.record, this.channel);
    // Next's shortcut is listed while Next can be pressed again: not once the event is over.
    this.shortcuts = installShortcuts(root);
    // Texts drawn here are kept as functions, so a language switch can draw them again.
    this.shown = { problem: null, lobbyStatus: null, connection: "connecting", messageError: null };
    this.calling = null;  // the reply of the last "next"/"pick", until its offer shows
    this.lastOwn = null;  // the own interview in the last state
    this.offerEndReasons = new Map();  // interview -> why its offer ended (offer_ended)
    this.endedOffer = null;  // the ended offer the status line speaks of, and when it was set
    this.endPressed = false;  // End was pressed here, and the interview has not ended yet
    this.statusesTold = 0;  // how many times the status line was set (sayWhyEnded)
    this.underway = new Set();  // the kinds of action whose request has no reply yet

    $("next").addEventListener("click", () => this.once("call", () => this.callIn({ type: "next" })));
    for (const list of [$("queue"), $("candidates")]) {
      list.addEventListener("click", (event) => {
        const pick = event.target.closest("button[data-candidate]");
        if (pick) this.once("call", () => this.callIn({ type: "pick", candidate: Number(pick.dataset.candidate) }));
      });
    }
    $("pause").addEventListener("click", () => this.once("pause", () => this.pauseOrResume()));
    $("withdraw").addEventListener("click", () => this.once("withdraw", () => this.withdraw()));
    $("extend").addEventListener("click", () => this.once("extend", () => this.extend()));
    // End asks once more, in place of Extend and End (askEnd); No or Escape goes back to End.
    $("end").addEventListener("click", () => this.askEnd(true));
    $("end-no").addEventListener("click", () => {
      this.askEnd(false);
      $("end").focus();
    });
    $("interview").addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("end-no").hidden) $("end-no").click();
    });
    $("end-yes").addEventListener("click", () => this.once("end", async () => {
      this.endPressed = true;
      await this.record.flush();  // what was typed last is saved before the interview closes
      const ended = await this.request({ type: "end" });
      if (!ended) this.endPressed = false;
      this.askEnd(false);
      if (!ended) $("end").focus();
    }));
    $("message-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.once("message", () => this.sendMessage());
    });
    this.channel.addEventListener("status", (event) => this.showConnection(event.detail));
    this.channel.addEventListener("state", (event) => this.draw(event.detail));
    this.interview.addEventListener("ended", (event) => this.ended(event.detail));
    onLanguageChange(() => this.redraw());

    // The notes of an interview ended shortly before a reload are still there to finish.
    const saved = this.saved;
    if (saved && saved.state === "ended" && saved.recent) {
      this.record.begin(saved.interview, saved.candidate_name, saved);
      this.record.end();
      this.interview.showRecordInLobby();
    } else {
      this.record.form.hidden = true;
    }

    window.addEventListener("pagehide", () => this.record.flush());
    this.channel.connect();
  }

  // The link's page, which says why the meeting page closed. A page let in as the account
  // (not with the code) asks it with `?signed_out`: refused, it most likely was because
  // that account's session ended, and the link's page says so when it was (no account is
  // logged in in this browser: app/views/interviewer_link.py).
  loadLinkAgain() {
    if (document.body.dataset.letIn === "account") {
      window.location.replace(`${window.location.pathname}?signed_out`);
    } else {
      window.location.reload();
    }
  }

  show(id, text) {
    $(id).textContent = text ? text() : "";
  }

  // End asks once more. The focus goes to the question, not to an answer, so a held Enter on
  // End does not answer it too (Tab reaches Yes; Alt+Shift+E twice, which ignores a held
  // key, is the quick way); Yes sits on the row below where End was, so a double click on
  // End does not land on it.
  askEnd(asking) {
    $("end").hidden = asking;
    $("extend").hidden = asking || this.extendGone;
    for (const id of ["end-question", "end-yes", "end-no"]) $(id).hidden = !asking;
    if (asking) $("end-question").focus();
  }

  // The lobby is back. Next takes the focus only after the interviewer's own End, or when
  // nothing had it: an interview ended by time or by the candidate must not turn the next
  // Space or Enter into a call for the next candidate (WCAG 3.2.5, Change on Request: a
  // change of context comes from the user). Typing in the notes goes on there (InterviewView
  // puts the focus and the caret back); a control of the interview that went away hands it
  // to the notes' heading. The status line (role=status) says that it ended either way.
  ended({ interview, focus }) {
    this.askEnd(false); // (ended by the time or the candidate while it was asked)
    const pressed = this.endPressed;
    if (pressed) this.sayEnded(interview, "interviewer");
    else this.sayWhyEnded(interview);
    this.endPressed = false;
    if ((pressed || focus === "none") && !$("next").disabled) $("next").focus();
    else if (focus !== "record" && focus !== "kept") this.record.focusHeading();
  }

  // The event's end (by its clock, or its organizer's End now) during an interview: the call
  // goes on to its own end and no further (the server refuses Extend: `event_over`). The
  // lobby, which says the event is over, is hidden meanwhile, so the interview says it. So
  // too an interview extended as far as it may be (`live.extend_limit_minutes`): Extend goes
  // then, instead of being refused when pressed once more.
  drawExtendGone(own = this.channel.lastState?.interview) {
    const over = this.lobby.over;
    const atLimit = own?.state === "active" && own.extended_minutes >= Number($("extend").dataset.limit);
    const text = over
      ? _("The event is over: no one else is called in. This interview goes on to its end and can no longer be extended.")
      : atLimit ? _("This interview has been extended as far as it can be.") : "";
    // Written only when it changes: the line is a live region, read out on every write.
    if ($("interview-event-over").textContent !== text) $("interview-event-over").textContent = text;
    // A keyboard user on Extend goes on from End, not from the top of the page.
    if ((over || atLimit) && document.activeElement === $("extend")) $("end").focus();
    this.extendGone = over || atLimit;
    $("extend").hidden = this.extendGone || !$("end-question").hidden;
  }

  // The status line after an interview: why it ended (the candidate left, the time ran out)
  // and what now. After the event's end there is no next candidate to call in (Next is
  // disabled).
  sayEnded(interview, reason) {
    const name = interview.candidate_name;
    const why = endedText(reason);
    const over = this.lobby.state && eventOver(this.lobby.state.event, this.clock.now());
    const next = over ? N_("The event is over too. Finish your notes below.")
      : N_("Finish your notes below, or call in the next candidate.");
    this.setLobbyStatus(() => [_(why, { name }), _(next)].join(" "));
    this.lastEnded = over ? null : { interview, reason, told: this.statusesTold };
  }

  // The event ended after the status line said to call in the next candidate, and nothing
  // else was said since: the line says the event is over instead.
  sayEndedAgain() {
    const last = this.lastEnded;
    if (last && last.told === this.statusesTold) this.sayEnded(last.interview, last.reason);
  }

  // The state says only that the interview is gone; its record says how it ended. Said once
  // the record is here (one status, not a plain one and then a better one for a screen
  // reader to read twice), unless the status line has told of something else meanwhile.
  async sayWhyEnded(interview) {
    const told = this.statusesTold;
    let reason = null;
    try {
      const reply = await this.channel.send({ type: "record", interview: interview.id });
      if (reply.type === "record") reason = reply.end_reason;
    } catch {
      // not connected: the plain words
    }
    if (this.statusesTold === told) this.sayEnded(interview, reason);
  }

  setProblem(text) {
    this.shown.problem = text;
    this.show("problem", text);
  }

  // `at`: when the offer went, by the server's clock (whether its time had run out).
  sayOfferEnded(offer, state, at = this.clock.now()) {
    const reason = this.offerEndReasons.get(offer.id);
    const text = offerEndedText(offer, state, at, reason, this.lobby.over);
    this.setLobbyStatus(() => _(text, { name: offer.candidate_name }));
    this.endedOffer = { offer, state, told: this.statusesTold, text, at };
  }

  // Why an offer of this interviewer's ended: said at once when the state that takes it
  // away comes after; when that state came first and the line still speaks of the offer,
  // said again if it says something else (not read out twice), and not for a withdrawal
  // pressed here (its reply says it).
  offerEnded({ interview, reason }) {
    if (this.offerEndReasons.size > 20) this.offerEndReasons.clear();
    this.offerEndReasons.set(interview, reason);
    const ended = this.endedOffer;
    if (!ended || ended.offer.id !== interview || ended.told !== this.statusesTold) return;
    if (ended.text === null && reason === "withdrawn") return;
    const text = offerEndedText(ended.offer, ended.state, ended.at, reason, this.lobby.over);
    if (text !== ended.text) this.sayOfferEnded(ended.offer, ended.state, ended.at);
  }

  // The event ended while the status line still spoke of an ended offer, saying to call in
  // the next candidate: said again without that (only if the words change: a live region).
  sayOfferEndedAgain() {
    const ended = this.endedOffer;
    if (!ended || ended.text === null || ended.told !== this.statusesTold) return;
    const reason = this.offerEndReasons.get(ended.offer.id);
    if (offerEndedText(ended.offer, ended.state, ended.at, reason, true) !== ended.text) {
      this.sayOfferEnded(ended.offer, ended.state, ended.at);
    }
  }

  setLobbyStatus(text) {
    this.statusesTold += 1;
    this.saidNobodyWaits = false;
    this.shown.lobbyStatus = text;
    this.show("lobby-status", text);
  }

  // One action of a kind at a time: a double click, a second Enter or a shortcut pressed
  // again before the reply came would send it twice (a message shown twice to everyone
  // waiting, the time extended twice, a second Next refused as busy).
  async once(kind, action) {
    if (this.underway.has(kind)) return;
    this.underway.add(kind);
    try {
      await action();
    } finally {
      this.underway.delete(kind);
    }
  }

  // Sends one message; returns the reply, or null after putting a refusal into words. A
  // refusal that comes after a state showed the own interview in another phase (End pressed
  // as the time ran out) is about what is gone: that state and the status line tell what is.
  async request(message) {
    const phase = phaseOf(this.lastOwn);
    let reply;
    try {
      reply = await this.channel.send(message);
    } catch {
      this.setProblem(() => errorText("closed", "staff"));
      return null;
    }
    if (reply.type === "error") {
      if (phaseOf(this.lastOwn) === phase) this.setProblem(() => errorText(reply.code, "staff"));
      return null;
    }
    this.setProblem(null);
    return reply;
  }

  async callIn(message) {
    // Someone is there to call in: the camera starts now, while the call is being arranged
    // (InterviewView joins it ahead as soon as the ticket comes).
    const someone = message.type === "pick" || this.channel.lastState?.counts?.waiting > 0;
    // Pressed here: the call comes here, not to another device of the interviewer.
    if (!this.interview.active) this.interview.takeCall();
    if (someone && !this.interview.active) this.interview.call.askMedia();
    await this.record.flush();  // the last interview's notes go to it, not to the new offer
    // Notes of this window that another window's save replaced would go with the record
    // when the offer shows (the next interview's form): copied or put away (Hide) first,
    // not lost unseen.
    if (this.record.keptUnsaved) {
      this.interview.call.dropMedia();
      const name = this.record.candidateName;
      this.setLobbyStatus(() => _("Your notes from this window on %(name)s were not saved. Copy what you need into the notes, or choose Hide, before you call in the next candidate.", { name }));
      this.record.focusKept();
      return;
    }
    this.setLobbyStatus(null);
    const reply = await this.request(message);
    if (reply?.type !== "dispatched") this.interview.call.dropMedia();
    if (!reply) return;
    if (reply.type === "queue_empty") {
      this.setLobbyStatus(() => _("Nobody is waiting right now."));
      this.saidNobodyWaits = true;  // until someone is (draw)
    } else if (reply.type === "dispatched") {
      // The state showing the offer follows this reply with the event's update (PROTOCOL.md,
      // "Replies"), unless it came already.
      this.calling = reply;
      this.interview.joinAhead(reply.interview, reply.ticket, null, reply.join);
      this.showCalledIn(this.channel.lastState?.interview);
    }
  }

  // The offer may already be over (the candidate turned it down before the state came): that
  // state says so, and its message stands.
  showCalledIn(own) {
    if (!this.calling || !own || own.id !== this.calling.interview) return;
    this.calling = null;
    if (own.state !== "offered") return;
    // Said once, by the offer's own banner (Lobby.drawOwn): the focus goes to its Withdraw
    // button, which reads the banner out as its description.
    $("withdraw").focus();
  }

  async pauseOrResume() {
    const pausing = $("pause").dataset.paused !== "true";
    // The rotation line says it, and is read out (Lobby.drawOwn): no second sentence here.
    if (await this.request({ type: pausing ? "pause" : "resume" })) this.setLobbyStatus(null);
  }

  async withdraw() {
    const name = this.channel.lastState?.interview?.candidate_name || "";
    const done = await this.request({ type: "withdraw" });
    if (done) {
      this.setLobbyStatus(() => _("The offer to %(name)s was withdrawn; they keep their place.", { name }));
      $("next").focus();
    }
  }

  async extend() {
    const done = await this.request({ type: "extend" });
    // Back to the button only if the focus was lost meanwhile: someone who has moved on with
    // the keyboard (to the questions, the notes) must not be pulled back when the reply comes.
    if (done && (document.activeElement === null || document.activeElement === document.body)) {
      $("extend").focus();
    }
  }

  messageError(text) {
    this.shown.messageError = text;
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

  async sendMessage() {
    const field = $("message-text");
    const text = field.value.trim();
    if (!text || text.length > MAX_MESSAGE) {
      this.messageError(text ? () => _("The message can be at most %(count)s characters.", { count: MAX_MESSAGE })
        : () => _("Write a message first."));
      // "Sent" was of the message before: beside this error it read as if this one went.
      if (this.shown.lobbyStatus === MESSAGE_SENT) this.setLobbyStatus(null);
      field.focus();
      return;
    }
    this.messageError(null);
    if (await this.request({ type: "message", text })) {
      field.value = "";
      this.setLobbyStatus(MESSAGE_SENT);
    }
  }

  showConnection(status) {
    // Connected again: "the connection was lost" is no longer true, and any other refusal
    // was about the state before the drop, which the state coming now replaces.
    if (status === "open") this.setProblem(null);
    this.interview.call.setServiceLost(status === "reconnecting");
    this.shown.connection = status;
    $("connection").dataset.status = status;
    $("connection").textContent = connectionText(status, "staff");
  }

  draw(state) {
    const own = state.interview;
    this.clock.sync(state.now);
    // "Nobody is waiting right now" was the moment of a Next: gone once someone is.
    if (this.saidNobodyWaits && state.counts?.waiting > 0) this.setLobbyStatus(null);
    this.lobby.draw(state);
    this.shortcuts.offer("N", !this.lobby.over);
    this.drawExtendGone(state.interview);
    this.roster.update(state);
    this.interview.update(state, this.saved);
    const lastOwn = this.lastOwn;
    // The #problem alert stays until the situation it told of changes: the own interview
    // started, ended (by time, by the candidate) or its offer went.
    if (phaseOf(lastOwn) !== phaseOf(own)) this.setProblem(null);
    // (An offer taken back because the event was cancelled is not the candidate's doing:
    // the lobby says the event is cancelled.)
    const cancelled = state.event?.state === "cancelled";
    const offerGone = lastOwn && lastOwn.state === "offered" && !own && !cancelled;
    if (offerGone && this.underway.has("withdraw")) {
      // Withdraw pressed here, its reply still to come: the reply says it was withdrawn,
      // unless the offer ended otherwise first (the candidate left), which the server's
      // notice says, now or when it comes.
      const reason = this.offerEndReasons.get(lastOwn.id);
      if (reason !== undefined && reason !== "withdrawn") this.sayOfferEnded(lastOwn, state);
      else this.endedOffer = { offer: lastOwn, state, told: this.statusesTold, text: null, at: this.clock.now() };
    } else if (offerGone) {
      this.sayOfferEnded(lastOwn, state);
      // The offer's banner (and its Withdraw) went away: a keyboard user who was on it goes
      // on from Next, as after a withdrawal, instead of from the top of the page.
      const lost = document.activeElement === document.body || document.activeElement === $("withdraw");
      if (lost && !$("next").disabled) $("next").focus();
    } else if (own && (own.state === "active" || own.id !== lastOwn?.id)) {
      // A new offer (made here or in another window) or the interview begun: what the line
      // said of the one before is past.
      this.setLobbyStatus(null);
    }
    this.lastOwn = own;
    this.showCalledIn(own);
  }

  drawTitle() {
    document.title = `${_("Meeting web")}: ${root.dataset.title} – Snabbintervjuer`;
  }

  redraw() {
    this.drawTitle();
    this.lobby.redraw();
    this.roster.redraw();
    this.record.redraw();
    this.interview.redraw();
    this.drawExtendGone();
    this.show("problem", this.shown.problem);
    this.show("lobby-status", this.shown.lobbyStatus);
    $("connection").textContent = connectionText(this.shown.connection, "staff");
    if (this.shown.messageError) this.messageError(this.shown.messageError);
  }
}

window.meeting = startPage(() => new MeetingPage());
