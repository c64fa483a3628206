// The interviewers' meeting web (web/templates/interviewer/meeting.html): one channel, the
// lobby, the interview. Every button sends one protocol message (app/live/PROTOCOL.md) and
// puts the reply into words; everything shown comes from the channel's "state". This module
// wires the parts together and calls candidates in; the parts draw themselves:
// interviewer-lobby.js (the lobby), interviewer-status.js (its status line),
// interviewer-message.js (the message to everyone waiting), interviewer-roster.js (the
// registered candidates), interviewer-interview.js (the call), interviewer-extend-end.js
// (Extend and End), interviewer-record.js (the notes), interviewer-requests.js (the actions
// sent, and the alert saying a refusal).
import { LiveChannel, accessUrlOf, pageSocketUrl } from "./channel.js";
import { _, onLanguageChange } from "./texts.js";
import { startPage } from "./page-start.js";
import { connectionText } from "./error-texts.js";
import { Lobby, ServerClock } from "./interviewer-lobby.js";
import { LobbyStatus } from "./interviewer-status.js";
import { MessageForm } from "./interviewer-message.js";
import { Roster } from "./interviewer-roster.js";
import { RecordForm } from "./interviewer-record.js";
import { InterviewView } from "./interviewer-interview.js";
import { ExtendAndEnd } from "./interviewer-extend-end.js";
import { Requests } from "./interviewer-requests.js";
import { PendingPresses } from "./pending-press.js";
import { installShortcuts } from "./shortcuts.js";
import { browserSupported } from "./device-check.js";

// The messages whose controls go once the event is over (Next, Pick, Pause, the message,
// Extend): a refusal of one of them goes with them.
const GONE_WHEN_OVER = new Set(["next", "pick", "pause", "resume", "message", "extend"]);

const root = document.querySelector("#meeting");
const $ = (id) => root.querySelector(`#${id}`);

class MeetingPage {
  constructor() {
    this.saved = JSON.parse(document.querySelector("#record-initial").textContent || "null");
    // While reconnecting, the page asks whether it would still be let in: refused (the
    // event deleted, the interviewer taken off it, signed out), it loads its link again,
    // which says why, instead of reconnecting for ever. Notes not saved yet are guarded by
    // the page's leave prompt (interviewer-record.js).
    this.channel = new LiveChannel(pageSocketUrl(), { accessUrl: accessUrlOf(pageSocketUrl()) });
    this.channel.addEventListener("refused", () => this.loadLinkAgain());
    this.requests = new Requests(this.channel, $("problem"), new PendingPresses(document.querySelector("[data-shortcut-status]")));
    this.clock = new ServerClock();
    this.lobby = new Lobby(root, this.clock);
    // This browser cannot make the calls: said before anyone is called in.
    for (const notice of document.querySelectorAll("[data-call-unsupported]")) notice.hidden = browserSupported();
    this.status = new LobbyStatus($("lobby-status"), { channel: this.channel, lobby: this.lobby, clock: this.clock });
    // Taken off the event by its organizer: the link no longer opens, and the page says so.
    // Let in as the account whose session then ended: the link's page says so, and asks for
    // the code.
    this.channel.addEventListener("message", (event) => {
      if (event.detail.type === "interviewer_removed" || event.detail.type === "signed_out") {
        this.channel.close();
        this.loadLinkAgain();
      }
      if (event.detail.type === "offer_ended") this.status.offerEnded(event.detail);
    });
    // The event's end while the status line still offers the next candidate: said again.
    // A refusal of what is gone with the end ("try again in a moment") goes too.
    this.lobby.onOver = () => {
      this.status.eventEnded();
      this.requests.forgetRefusalsOf(GONE_WHEN_OVER);
      this.message.eventEnded();
      this.extendAndEnd.drawExtendGone();
      this.shortcuts.offer("N", false);
    };
    this.roster = new Roster($("roster"), $("roster").dataset.url);
    this.record = new RecordForm($("record"), this.channel);
    this.interview = new InterviewView(root, this.record, this.channel);
    this.extendAndEnd = new ExtendAndEnd(root, {
      channel: this.channel, requests: this.requests, record: this.record, lobby: this.lobby,
    });
    this.message = new MessageForm(root, { request: (message) => this.request(message), status: this.status });
    // Next's shortcut is listed while Next can be pressed again: not once the event is over.
    this.shortcuts = installShortcuts(root);
    this.connection = "connecting";  // the channel's status, drawn again after a language switch
    this.calling = null;  // the reply of the last "next"/"pick", until its offer shows

    const once = (kind, action, control) => this.requests.once(kind, action, control);
    $("next").addEventListener("click", () => once("call", () => this.callIn({ type: "next" }), $("next")));
    for (const list of [$("queue"), $("candidates")]) {
      list.addEventListener("click", (event) => {
        const pick = event.target.closest("button[data-candidate]");
        if (pick) once("call", () => this.callIn({ type: "pick", candidate: Number(pick.dataset.candidate) }), pick);
      });
    }
    $("pause").addEventListener("click", () => once("pause", () => this.pauseOrResume(), $("pause")));
    $("withdraw").addEventListener("click", () => once("withdraw", () => this.withdraw(), $("withdraw")));
    $("message-form").addEventListener("submit", (event) => {
      event.preventDefault();
      once("message", () => this.message.send(), event.submitter ?? $("message-form").querySelector("button[type=submit]"));
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
    this.focusAfterSignIn();
    this.channel.connect();
  }

  // Just let in with the code (the link's page sends `?signed_in`): a keyboard user starts at
  // the lobby, not at the top of the page behind the skip link, the logo and the languages.
  // The mark goes from the address, so a reload starts as any page does.
  focusAfterSignIn() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("signed_in")) return;
    url.searchParams.delete("signed_in");
    window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
    $("lobby-heading").focus();
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

  request(message) {
    return this.requests.send(message);
  }

  // The lobby is back. Next takes the focus only after the interviewer's own End, or when
  // nothing had it: an interview ended by time or by the candidate must not turn the next
  // Space or Enter into a call for the next candidate (WCAG 3.2.5, Change on Request: a
  // change of context comes from the user). Typing in the notes goes on there (InterviewView
  // puts the focus and the caret back); a control of the interview that went away hands it
  // to the notes' heading. The status line (role=status) says that it ended either way.
  ended({ interview, focus }) {
    const pressed = this.extendAndEnd.takeEnded();
    if (pressed) this.status.sayEnded(interview, "interviewer");
    else this.status.sayWhyEnded(interview);
    if ((pressed || focus === "none") && !$("next").disabled) $("next").focus();
    else if (focus !== "record" && focus !== "kept") this.record.focusHeading();
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
      this.status.set(() => _("Your notes from this window on %(name)s were not saved. Copy what you need into the notes, or choose Hide, before you call in the next candidate.", { name }));
      this.record.focusKept();
      return;
    }
    this.status.set(null);
    // No room could be made for the offer: said once, on the status line when the page
    // showed the offer (and its end), else by the refusal.
    const since = this.status.told;
    const reply = await this.requests.send(message, {
      saidElsewhere: (code) => code === "room_unavailable" && this.status.tellRoomFailed(since),
    });
    if (reply?.type !== "dispatched") this.interview.call.dropMedia();
    if (!reply) return;
    if (reply.type === "queue_empty") {
      this.status.sayNobodyWaits();
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
    // Said once, by the offer's own banner (Lobby.drawOwn): the focus goes to the banner,
    // which is read out, and Withdraw is the next Tab. Not to Withdraw itself: Next pressed
    // twice by habit (Enter, Enter) took back the offer just made.
    $("own-offer").focus();
  }

  async pauseOrResume() {
    const pausing = $("pause").dataset.paused !== "true";
    // The rotation line says it, and is read out (Lobby.drawOwn): no second sentence here.
    if (await this.request({ type: pausing ? "pause" : "resume" })) this.status.set(null);
  }

  async withdraw() {
    const name = this.channel.lastState?.interview?.candidate_name || "";
    const done = await this.request({ type: "withdraw" });
    if (done) {
      this.status.set(() => _("The offer to %(name)s was withdrawn; they keep their place.", { name }));
      $("next").focus();
    }
  }

  showConnection(status) {
    // Connected again: "the connection was lost" is no longer true, and any other refusal
    // was about the state before the drop, which the state coming now replaces.
    if (status === "open") this.requests.setProblem(null);
    this.interview.call.setServiceLost(status === "reconnecting");
    this.connection = status;
    $("connection").dataset.status = status;
    $("connection").textContent = connectionText(status, "staff");
  }

  draw(state) {
    const own = state.interview;
    this.clock.sync(state.now);
    this.status.draw(state);
    this.lobby.draw(state);
    this.shortcuts.offer("N", !this.lobby.over);
    this.extendAndEnd.drawExtendGone(state.interview);
    this.roster.update(state);
    this.interview.update(state, this.saved);
    const lastOwn = this.requests.own;
    this.requests.drawn(own);
    // (An offer taken back because the event was cancelled is not the candidate's doing:
    // the lobby says the event is cancelled.)
    const cancelled = state.event?.state === "cancelled";
    const offerGone = lastOwn && lastOwn.state === "offered" && !own && !cancelled;
    if (offerGone && this.requests.underway.has("withdraw")) {
      // Withdraw pressed here, its reply still to come: the reply says it was withdrawn,
      // unless the offer ended otherwise first (the candidate left), which the server's
      // notice says, now or when it comes.
      const reason = this.status.reasonOfferEnded(lastOwn.id);
      if (reason !== undefined && reason !== "withdrawn") this.status.sayOfferEnded(lastOwn, state);
      else this.status.offerWithdrawing(lastOwn, state);
    } else if (offerGone) {
      this.status.sayOfferEnded(lastOwn, state);
      // The offer's banner (and its Withdraw) went away: a keyboard user who was on it goes
      // on from Next, as after a withdrawal, instead of from the top of the page.
      const lost = document.activeElement === document.body || $("own-offer").contains(document.activeElement);
      if (lost && !$("next").disabled) $("next").focus();
    } else if (own && (own.state === "active" || own.id !== lastOwn?.id)) {
      // A new offer (made here or in another window) or the interview begun: what the line
      // said of the one before is past.
      this.status.set(null);
    }
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
    this.extendAndEnd.drawExtendGone();
    this.requests.redraw();
    this.status.redraw();
    $("connection").textContent = connectionText(this.connection, "staff");
    this.message.redraw();
  }
}

window.meeting = startPage(() => new MeetingPage());
