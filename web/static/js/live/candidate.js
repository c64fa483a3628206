// The candidate's event day at /c/{token} (candidates/_live.html): check-in with the device
// check, the waiting room, "your turn", the interview, the interest question and the thanks.
// Everything drawn comes from the socket's state (app/live/PROTOCOL.md), so a reload or a
// reconnect simply draws the page again: the place in the queue is kept by the server, and
// a reload during the interview asks for a new ticket (accept) and joins again.
import { LiveChannel, accessUrlOf, pageSocketUrl } from "./channel.js";
import { CallView } from "./call-view.js";
import { tellDevices, unsupportedTeller } from "./call-devices.js";
import { DeviceCheck, audio, browserSupported } from "./device-check.js";
import { OfferAlert, WaitingRoom } from "./candidate-waiting.js";
import { SelfView } from "./self-view.js";
import { Attention } from "./attention.js";
import { N_, _, onLanguageChange } from "./texts.js";
import { connectionText, errorText } from "./error-texts.js";
import { startPage } from "./page-start.js";
import { MediaOutage, callTimes } from "./media-outage.js";
import { CallJoin } from "./candidate-join.js";
import { receive } from "./candidate-messages.js";
import { OfferNote, toldByTheNote } from "./candidate-offer-note.js";
import { InterestQuestion, questionErrorText } from "./candidate-interest.js";
import { LeaveQueue } from "./candidate-leave-queue.js";
import { atTheWallClock, nextLookIn, overWhileWaiting } from "./candidate-day-clock.js";
import { leftQueueText, phaseOf, showPhase } from "./candidate-phases.js";
import { SoundOffer } from "./candidate-sound.js";
import { PendingPresses } from "./pending-press.js";
import { PageWatch } from "./candidate-page-watch.js";

// Refusals that only said the socket or the service was away (not "retrying": the answer's
// own loop clears that).
const LAST_CHANCE = N_("You missed your turn once already: if you do not join in time now, you leave the queue.");
const CLEARED_WHEN_BACK = new Set(["closed", "unavailable", "busy_retry"]);

const root = document.querySelector("[data-live]");
const find = (selector) => root.querySelector(selector);

class CandidatePage {
  constructor() {
    // Let in no more (the registration ended while the page was away, the session is gone):
    // the page its link now leads to says why, instead of reconnecting for ever.
    this.channel = new LiveChannel(pageSocketUrl(), { accessUrl: accessUrlOf(pageSocketUrl()) });
    this.state = null;
    this.offset = 0;
    this.phase = null;
    this.offerShown = null; // the last offer this page showed (whose Join may be pressed elsewhere)
    this.connection = "idle";
    this.error = null; // [element, msgid]: redrawn in another language
    this.pending = new PendingPresses(document.querySelector("[data-offer-note-status]"));
    this.device = new DeviceCheck(find("[data-device-check]"));
    this.waiting = new WaitingRoom(find('[data-phase="waiting"]'));
    this.selfView = new SelfView(find("[data-self-view]"));
    this.offer = new OfferAlert(find('[data-phase="offer"]'));
    this.note = new OfferNote(root);
    // When the media cannot be mended in place, the call joins again by itself with a new
    // ticket (accept, again during the interview: PROTOCOL.md).
    this.call = new CallView(find("[data-call]"), {
      freshTicket: () => this.join.freshTicket(), holdName: `call ${location.pathname}`,
    });
    this.join = new CallJoin(this, this.call, find("[data-rejoin]"));
    this.join.wire(find("[data-join]"));
    // Continue here: a fresh ticket through accept, as a press of Join again.
    this.call.addEventListener("take", (event) => {
      event.preventDefault();
      this.join.accept();
    });
    // Reaches the candidate out of sight; its fresh clock corrects the offer's seconds.
    this.attention = new Attention(root, this.channel, (offset) => this.clockMeasured(offset));
    this.outage = new MediaOutage(this.call);
    this.drawDevices = tellDevices(this.channel, this.call);
    // In a browser without video calls, the interviewer is told as the offer shows.
    this.tellUnsupported = unsupportedTeller(this.channel, this.call);
    this.leftText = find("[data-left-text]");
    this.question = new InterestQuestion(root, this);
    this.leaveQueue = new LeaveQueue(root, (control) => this.request({ type: "leave" }, undefined, control));
    this.sound = new SoundOffer(root);
    // The offer and the call say so where this browser cannot make the call.
    for (const notice of root.querySelectorAll("[data-call-unsupported]")) notice.hidden = browserSupported();

    this.channel.addEventListener("state", (event) => this.draw(event.detail));
    this.channel.addEventListener("message", (event) => receive(this, event.detail));
    this.channel.addEventListener("status", (event) => this.showConnection(event.detail));
    this.channel.addEventListener("refused", () => this.reload());
    find("[data-checkin]").addEventListener("click", (event) => this.checkIn(event.currentTarget));
    find("[data-checkin-again]").addEventListener("click", (event) => this.checkIn(event.currentTarget));
    find("[data-rejoin-button]").addEventListener("click", (event) => this.join.accept({ control: event.currentTarget }));
    this.call.addEventListener("left", (event) => {
      if (event.detail?.byUser) this.request({ type: "leave" });
    });
    this.call.addEventListener("failed", () => {
      find("[data-rejoin]").hidden = this.outage.down;
      if (!this.outage.down) this.call.offerFocusTo(find("[data-rejoin-button]"));
    });
    this.call.addEventListener("remote-video", () => { find("[data-rejoin]").hidden = true; });
    onLanguageChange(() => this.redraw());

    if (root.dataset.connect === "true") {
      this.channel.connect();
    } else {
      this.setPhase("before");
      const seconds = Number(root.dataset.opensIn);
      if (seconds > 0) atTheWallClock(Date.now() + seconds * 1000, () => this.checkinOpened());
      // No socket yet to hear that the event moved or was cancelled meanwhile.
      this.watch = new PageWatch(`${location.pathname.replace(/\/+$/, "")}/version`, root.dataset.version, () => this.reload());
      this.watch.start();
    }
  }

  // The interview whose ticket the call last joined with.
  get callFor() {
    return this.join.callFor;
  }

  reload() {
    if (this.reloading) return;
    this.reloading = true;
    this.channel.close();
    window.location.reload();
  }

  // Drawn again by the clock (candidate-day-clock.js): the end, its coming near, the start.
  watchTheClock(state, phase) {
    clearTimeout(this.clockTimer);
    const ms = nextLookIn(state, phase);
    if (ms === null) return;
    this.clockTimer = setTimeout(() => {
      if (this.state) this.draw({ ...this.state, now: new Date(Date.now() + this.offset).toISOString() });
    }, ms);
  }

  checkinOpened() {
    find("[data-checkin-closed]").hidden = true;
    // How the day will go, and a calendar entry for it: the day is here (as the page
    // drawn after check-in opened leaves them out).
    const before = document.querySelector("[data-before-checkin]");
    if (before) before.hidden = true;
    find("[data-checkin-ready]").hidden = false;
    this.watch?.stop();  // the socket tells from now on
    this.channel.connect();
  }

  // Sends a message; shows the refusal (if any) in `where`. Resolves to the reply or null.
  // `control`: the one pressed, which shows that the reply is awaited and sends nothing
  // while it is (pending-press.js).
  async request(message, where = find("[data-live-error]"), control = null) {
    this.showError(where, null);
    let reply;
    try {
      reply = await this.pending.watch(control, () => this.channel.send(message));
    } catch {
      this.showError(where, "closed");
      return null;
    }
    if (reply === undefined) return null; // pressed again while waiting: nothing sent
    if (reply.type === "error") {
      if (!toldByTheNote(this, reply.code)) this.showError(where, reply.code);
      return null;
    }
    return reply;
  }

  // Whose texts: "You keep your place" only while there is a place to keep (in the queue,
  // or called in from it), not in a call, after it or before check-in.
  reader() {
    return ["waiting", "offer"].includes(this.phase) ? "candidate" : "candidate-elsewhere";
  }

  showError(element, code) {
    this.error = code ? [element, code] : null;
    element.textContent = code ? errorText(code, this.reader()) : "";
  }

  checkIn(control) {
    audio(); // the click lets the page beep when it is their turn
    this.device.stop();
    this.request({ type: "check_in" }, this.phase === "left" ? this.leftText : undefined, control);
  }

  draw(state) {
    // The question answered on another page of theirs (feedback_saved): loaded again, the
    // page says back what was answered there (app/views/candidate_page.py).
    const answeredElsewhere = !!this.state?.feedback_open && !state.feedback_open
      && !this.question.sending && this.phase === "feedback";
    this.state = state;
    if (answeredElsewhere && phaseOf(state, this.question.changing) === "thanks") {
      this.reload();
      return;
    }
    this.offset = Date.parse(state.now) - Date.now();
    const phase = phaseOf(state, this.question.changing);
    // Cancelled (the employer deleted the event), in any phase: its link's page says so;
    // not a question about an interview whose event is gone.
    if (overWhileWaiting(state, phase) || state.event?.state === "cancelled") {
      this.reload();
      return;
    }
    this.watchTheClock(state, phase);
    if (phase === "offer") this.join.prepare(state.offer.interview);
    else if (phase !== "interview") this.join.unprepare();
    if (this.phase === "offer" && phase !== "offer" && phase !== "interview") {
      // Back from an offer without joining: say why (the offer still had time: withdrawn).
      this.note.offerWentAway(this.offerShown, phase, state.queue, this.offer.secondsLeft() > 0);
    } else if (phase !== this.phase) {
      this.note.clear();
    }
    // A refusal belongs to the moment it answered (Join as the offer ran out): gone with it.
    if (phase !== this.phase && this.error) this.showError(this.error[0], null);
    this.setPhase(phase); // first: the offer can only take the focus once it shows
    this.note.remindOfMiss(phase, state.queue);
    this.note.draw(this.phase);
    this.sound.draw(this.phase === "waiting");
    if (phase === "waiting") {
      this.waiting.draw(state.queue, state.messages, {
        startsAt: state.event?.starts_at, endsAt: state.event?.ends_at, now: state.now,
      }, state.wait ?? null);
    }
    else this.waiting.drawMessages(state.messages);
    if (phase === "offer") {
      this.offer.show(state.offer, this.offset);
      this.offerShown = state.offer.interview;
    }
    else this.offer.hide();
    this.drawLastChance();
    this.tellUnsupported({ offer: state.offer?.interview, interview: state.interview?.id }[phase] ?? null);
    this.attention.draw(phase, state.offer, this.offset);
    if (phase === "interview") this.drawInterview(state);
    else {
      this.outage.draw(null);
      // Ended by the interviewer or the clock. Not the join under way for the offer shown:
      // its ticket may come before the state that starts the interview (PROTOCOL.md).
      const joiningOffer = phase === "offer" && state.offer.interview === this.callFor;
      // (Also between two tries after a network drop: else those tries went on, camera and
      // all, after the interview had ended.)
      if (this.call.underway && !joiningOffer) this.call.leave();
    }
    if (phase === "left") this.drawLeft();
  }

  drawInterview(state) {
    this.drawTalkingWith();
    this.call.setOtherName(state.interview.interviewer_name);
    this.call.setTimes(callTimes(state.interview, state.now));
    this.drawDevices(state.interview);
    // While the video service is down the call waits for room_changed (no rejoin button:
    // a join would only reach the lost server).
    const down = this.outage.draw(state.interview);
    if (down) find("[data-rejoin]").hidden = true;
    else if (!this.call.joined && !this.join.joining && !this.call.elsewhere) this.join.byItself();
  }

  // Whom the candidate talks with, under the call's heading.
  drawTalkingWith() {
    const name = this.state.interview?.interviewer_name;
    const line = find("[data-talking-with]");
    line.hidden = !name;
    line.textContent = name ? _("You are talking with %(name)s.", { name }) : "";
  }

  clockMeasured(offset) {
    this.offset = offset;
    if (this.phase === "offer" && this.state?.offer) this.offer.show(this.state.offer, offset);
  }

  drawLeft() {
    if (this.error?.[0] === this.leftText) return;
    const text = leftQueueText(this.state?.queue);
    // A live region (a failed check-in is said there): written only when it says another thing.
    if (this.leftText.textContent !== text) this.leftText.textContent = text;
  }

  setPhase(phase) {
    if (phase === this.phase) return;
    const before = this.phase;
    this.phase = phase;
    if (before === "waiting" || before === "offer") this.leaveQueue.asking(false); // (asked as the phase changed)
    this.leaveQueue.place(phase);
    if (phase !== "waiting") this.selfView.stop(); // the turn came (or the wait ended): the call takes the camera
    showPhase(root, phase, before);
  }

  showConnection(status) {
    this.connection = status;
    // "Not connected right now", "Reconnecting to the service… Try again" are over once the
    // socket or the service is back.
    if (status === "open" && CLEARED_WHEN_BACK.has(this.error?.[1])) this.showError(this.error[0], null);
    this.call.setServiceLost(status === "reconnecting");
    const element = find("[data-live-connection]");
    element.dataset.status = status;
    element.textContent = connectionText(status, this.reader());
  }

  // Called in again after one miss: the next takes them out of the queue. Its words only
  // while it shows (a hidden element's text is still read out through aria-describedby).
  drawLastChance() {
    const shown = this.phase === "offer" && !!this.state?.queue?.missed_once;
    const line = find("[data-offer-last-chance]");
    line.hidden = !shown;
    line.textContent = shown ? _(LAST_CHANCE) : "";
    find("[data-phase=offer]").setAttribute("aria-describedby", shown ? "offer-text offer-last-chance" : "offer-text");
  }

  redraw() {
    this.drawLastChance();
    if (this.state) {
      if (this.phase === "waiting") this.waiting.draw(this.state.queue, []);
      if (this.phase === "left") this.drawLeft();
      if (this.phase === "interview") this.drawTalkingWith();
    }
    this.waiting.redraw();
    this.offer.redraw();
    this.question.redraw();
    this.note.draw(this.phase);
    this.showConnection(this.connection);
    if (this.error) {
      const [element, code] = this.error;
      element.textContent = questionErrorText(code) ?? errorText(code, this.reader());
    }
  }
}

window.candidatePage = startPage(() => new CandidatePage());
