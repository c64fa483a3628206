// The candidate's event day at /c/{token} (candidates/_live.html): check-in with the device
// check, the waiting room, "your turn", the interview, the interest question and the thanks.
// Everything drawn comes from the socket's state (app/live/PROTOCOL.md), so a reload or a
// reconnect simply draws the page again: the place in the queue is kept by the server, and
// a reload during the interview asks for a new ticket (accept) and joins again.
import { LiveChannel, accessUrlOf, pageSocketUrl } from "./channel.js";
import { CallView } from "./call-view.js";
import { tellDevices } from "./call-devices.js";
import { DeviceCheck, audio, beep, browserSupported } from "./device-check.js";
import { CLOSE_TO_THE_END_MS, OfferAlert, WaitingRoom } from "./candidate-waiting.js";
import { SelfView } from "./self-view.js";
import { Attention } from "./attention.js";
import { N_, _, onLanguageChange } from "./texts.js";
import { connectionText, errorText } from "./error-texts.js";
import { startPage } from "./page-start.js";
import { MediaOutage, callTimes } from "./media-outage.js";
import { queueAfter } from "./queue-place.js";
import { eventOver } from "./event-over.js";
import { TRY_AGAIN_CODES, serviceBackoff } from "./backoff.js";
import { SavedAnswer } from "./candidate-answer.js";

// Refusals that only said the socket or the service was away (not "retrying": the answer's
// own loop clears that).
const CLEARED_WHEN_BACK = new Set(["closed", "unavailable", "busy_retry"]);
// How long a note stays in the always-present live region once it has been said.
const NOTE_SAID_SECONDS = 5;
// The answer after the interview, when the service could not take it: tried again
// (serviceBackoff's waits), for as long as the page asks the question.
// An offer whose video room could not be made (offer_ended, `room`): the server put them
// back in the same place, and counted no miss (app/live/dispatch.py room_failed).
const ROOM_FAILED = N_("Your call-in could not go ahead: the video service failed. It was not your fault, and you keep your place in the queue.");
const FEEDBACK_RETRYING = N_("Your answer could not be saved just now. It is sent again by itself: please keep this page open until it says thank you.");

const PRESS_MS = 3000; // a press of Join that has not clicked by then will not
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
    this.joining = false;
    this.callFor = null; // the interview whose ticket the call last joined with
    this.offerShown = null; // the last offer this page showed (whose Join may be pressed elsewhere)
    this.preparing = null; // the offered interview whose join is prepared (or being)
    this.connection = "idle";
    this.error = null; // [element, msgid]: redrawn in another language
    this.note = null; // why an offer went away without a join (msgid)
    this.noteSaid = null; // the note last put in the screen readers' live region
    this.roomFailed = new Set(); // the offers whose video room could not be made (offer_ended)
    this.device = new DeviceCheck(find("[data-device-check]"));
    this.waiting = new WaitingRoom(find('[data-phase="waiting"]'));
    this.selfView = new SelfView(find("[data-self-view]"));
    this.offer = new OfferAlert(find('[data-phase="offer"]'));
    // When the media cannot be mended in place, the call joins again by itself with a new
    // ticket (accept, again during the interview: PROTOCOL.md).
    this.call = new CallView(find("[data-call]"), {
      freshTicket: () => this.freshTicket(), holdName: `call ${location.pathname}`,
    });
    // Continue here: a fresh ticket through accept, as a press of Join again.
    this.call.addEventListener("take", (event) => {
      event.preventDefault();
      this.accept();
    });
    // Reaches the candidate out of sight; its fresh clock corrects the offer's seconds.
    this.attention = new Attention(root, this.channel, (offset) => this.clockMeasured(offset));
    this.outage = new MediaOutage(this.call);
    this.drawDevices = tellDevices(this.channel, this.call);
    this.leftText = find("[data-left-text]");
    this.answer = new SavedAnswer(root);
    this.changingAnswer = false; // the saved answer's form shown again, to change it
    this.sendingAnswer = false;
    // The offer and the call say so where this browser cannot make the call.
    for (const notice of root.querySelectorAll("[data-call-unsupported]")) notice.hidden = browserSupported();

    this.channel.addEventListener("state", (event) => this.draw(event.detail));
    this.channel.addEventListener("message", (event) => {
      const message = event.detail;
      // Join from the offer itself: the state showing it comes a moment later.
      if (message.type === "offer" && this.state && !this.state.interview) {
        const now = new Date(Date.now() + this.offset).toISOString();
        this.draw({ ...this.state, now, offer: { interview: message.interview, expires_at: message.expires_at } });
      }
      if (message.type === "offer") this.prepare(message.interview);
      // The queue moved: the new place and wait from the message all waiting pages share;
      // one that cannot be applied here asks for the whole state (PROTOCOL.md).
      if (message.type === "queue" && this.state) this.queueMoved(message);
      // The interview's room was lost and made again (PROTOCOL.md): join the new one.
      // Also before a state has shown the interview: the page holds this interview's ticket
      // from its own Join (PROTOCOL.md, room_changed).
      if (message.type === "room_changed" && !this.call.elsewhere
        && (this.phase === "interview" || (this.phase === "offer" && message.interview === this.callFor))) {
        this.joinMoved(message.ticket);
      }
      // Cancelled, removed by the employer or erased (PROTOCOL.md): the page the link now
      // leads to says so, instead of a queue this candidate is no longer in.
      if (message.type === "registration_ended") this.reload();
      if (message.type === "offer_ended" && message.reason === "room") this.roomFailedFor(message.interview);
      // Another page of theirs (another device) joined the call, with a ticket that replaced
      // this one's: this page leaves it and stays out until Continue here (PROTOCOL.md).
      if (message.type === "call_taken") {
        this.callFor = null;
        this.call.showElsewhere();
      }
      // The answer saved (again) from another page of theirs: loaded again, this one says
      // back the answer as it now is; not while it is being changed here.
      if (message.type === "answer_saved" && this.phase === "thanks" && !this.changingAnswer) this.reload();
    });
    this.channel.addEventListener("status", (event) => this.showConnection(event.detail));
    this.channel.addEventListener("refused", () => this.reload());
    find("[data-checkin]").addEventListener("click", () => this.checkIn());
    find("[data-checkin-again]").addEventListener("click", () => this.checkIn());
    find("[data-leave-queue]").addEventListener("click", () => this.askLeaveQueue(true));
    find("[data-leave-queue-no]").addEventListener("click", () => {
      this.askLeaveQueue(false);
      find("[data-leave-queue]").focus();
    });
    find("[data-leave-queue-yes]").addEventListener("click", async () => {
      this.askLeaveQueue(false);
      await this.request({ type: "leave" });
    });
    find("[data-leave-ask]").addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !find("[data-leave-queue-no]").hidden) find("[data-leave-queue-no]").click();
    });
    for (const radio of document.querySelectorAll("input[name=interested]")) {
      radio.addEventListener("change", () => {
        this.markFeedbackChoice(false);
        // "Choose Yes or No." is answered by the choice: it does not stay to confuse.
        if (this.error?.[1] === "choose") this.showError(this.error[0], null);
      });
    }
    const join = find("[data-join]");
    // Once per offer: a second click while the offer still shows (its state comes a moment
    // after the ticket) would ask for a new ticket, which revokes the first one's Janus token
    // and makes the call leave and join again.
    join.addEventListener("click", () => {
      if (this.callFor === null || this.callFor !== this.state?.offer?.interview) this.accept();
    });
    // The camera starts as the press begins: the click comes only as the button is let go, a
    // tenth of a second or so later, and a camera takes up to a second to start (docs/calls.md,
    // "Joining fast"). Enter clicks at once; Space clicks as it is let go.
    join.addEventListener("pointerdown", (event) => { if (event.button === 0) this.pressBegins(); });
    join.addEventListener("keydown", (event) => { if (event.key === " ") this.pressBegins(); });
    find("[data-rejoin-button]").addEventListener("click", () => this.accept());
    find("[data-feedback-form]").addEventListener("submit", (event) => this.sendFeedback(event));
    find("[data-change-answer]").addEventListener("click", () => this.changeAnswer(true));
    find("[data-keep-answer]").addEventListener("click", () => {
      this.changeAnswer(false);
      // Nothing changed: back on the control they came from, not at the top of the thanks.
      find("[data-change-answer]").focus();
    });
    this.call.addEventListener("left", (event) => {
      if (event.detail?.byUser) this.request({ type: "leave" });
    });
    this.call.addEventListener("failed", () => { find("[data-rejoin]").hidden = this.outage.down; });
    this.call.addEventListener("remote-video", () => { find("[data-rejoin]").hidden = true; });
    onLanguageChange(() => this.redraw());
    document.addEventListener("click", () => this.allowSound(false), { once: true });
    find("[data-sound-allow]").addEventListener("click", () => this.allowSound(true));

    if (root.dataset.connect === "true") {
      this.channel.connect();
    } else {
      this.setPhase("before");
      const seconds = Number(root.dataset.opensIn);
      if (seconds > 0) this.openCheckinAt(Date.now() + seconds * 1000);
    }
  }

  // By the wall clock, looked at every second and whenever the page shows again: one timer
  // set at load would miss it on a page opened the day before (a timer that long is not
  // kept) and fire late after a laptop slept (timers do not count the sleep).
  openCheckinAt(when) {
    let timer = null;
    const due = () => {
      if (Date.now() < when) return;
      clearInterval(timer);
      document.removeEventListener("visibilitychange", due);
      window.removeEventListener("pageshow", due);
      this.checkinOpened();
    };
    timer = setInterval(due, 1000);
    document.addEventListener("visibilitychange", due);
    window.addEventListener("pageshow", due);
  }

  reload() {
    if (this.reloading) return;
    this.reloading = true;
    this.channel.close();
    window.location.reload();
  }

  // Nobody calls a candidate once the event is over (its time is up, or it was cancelled):
  // a page still waiting, or still before check-in, is loaded again and then says so (or
  // asks about the interview if that is still open, which is not one of these phases).
  overWhileWaiting(state, phase) {
    if (!["waiting", "before", "left"].includes(phase)) return false;
    return eventOver(state.event, Date.parse(state.now));
  }

  // The end comes by the clock, with no change to send a state: drawn again then, in the
  // phases it ends (overWhileWaiting); once it has passed there is nothing more to watch.
  // While waiting, also when the end comes near (the waiting room says it then, even with
  // no estimate: a queue that does not move sends nothing), and at the set start.
  watchEnd(state, phase) {
    clearTimeout(this.endTimer);
    if (!state.event?.ends_at || !["waiting", "before", "left"].includes(phase)) return;
    let ms = Date.parse(state.event.ends_at) - Date.parse(state.now) + 1000;
    if (ms <= 0) return;
    const near = ms - CLOSE_TO_THE_END_MS;
    if (phase === "waiting" && near > 0) ms = Math.min(ms, near);
    // And at the set start, which the waiting room names until it has passed.
    const start = state.event.starts_at ? Date.parse(state.event.starts_at) - Date.parse(state.now) + 1000 : 0;
    if (phase === "waiting" && start > 0) ms = Math.min(ms, start);
    // At most an hour at a time: a longer timer is not kept by every browser.
    this.endTimer = setTimeout(() => {
      if (this.state) this.draw({ ...this.state, now: new Date(Date.now() + this.offset).toISOString() });
    }, Math.min(Math.max(ms, 1000), 3600 * 1000));
  }

  queueMoved(message) {
    const queue = queueAfter(this.state.queue, message);
    if (queue) this.draw({ ...this.state, now: message.now, queue, wait: message.wait });
    else this.channel.send({ type: "sync" }).catch(() => {}); // a reconnect sends it anyway
  }

  // Browsers play sounds only after a click on the page (e.g. not after a reload): until
  // then the waiting room offers a button, so the beep of "your turn" is heard.
  allowSound(test) {
    audio();
    if (test) beep();
    this.drawSoundButton();
  }

  drawSoundButton() {
    const ctx = this.phase === "waiting" ? audio() : null;
    find("[data-sound-blocked]").hidden = !ctx || ctx.state === "running";
    if (ctx && ctx.state !== "running") ctx.resume().then(() => this.drawSoundButton(), () => {});
  }

  checkinOpened() {
    find("[data-checkin-closed]").hidden = true;
    // How the day will go, and a calendar entry for it: the day is here (as the page
    // drawn after check-in opened leaves them out).
    const before = document.querySelector("[data-before-checkin]");
    if (before) before.hidden = true;
    find("[data-checkin-ready]").hidden = false;
    this.channel.connect();
  }

  // Sends a message; shows the refusal (if any) in `where`. Resolves to the reply or null.
  async request(message, where = find("[data-live-error]")) {
    this.showError(where, null);
    let reply;
    try {
      reply = await this.channel.send(message);
    } catch {
      this.showError(where, "closed");
      return null;
    }
    if (reply.type === "error") {
      if (!this.toldByTheNote(reply.code)) this.showError(where, reply.code);
      return null;
    }
    return reply;
  }

  // An offer gone by the time Join's answer came is told by the page itself: the note under
  // the heading says why once the state that takes the offer away shows (withdrawn, missed,
  // or the video room failed, which answers a Join waiting for the room `offer_gone` as well,
  // often before that state and its `offer_ended` come). The refusal's words ("the time to
  // join has run out") are said only when they are true, the offer still showing at zero.
  toldByTheNote(code) {
    if (code !== "offer_gone") return false;
    return this.phase !== "offer" || this.offer.secondsLeft() > 0;
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

  checkIn() {
    audio(); // the click lets the page beep when it is their turn
    this.device.stop();
    this.request({ type: "check_in" }, this.phase === "left" ? this.leftText : undefined);
  }

  // While the offer shows, the page connects to the interview's Janus server (a session and
  // a handle, not the room: PROTOCOL.md, `prepare`), so that Join has only the room's join
  // left (docs/calls.md, "Joining fast"). Quietly nothing where it cannot be had: the join
  // then goes the whole way.
  async prepare(interview) {
    if (this.preparing === interview || !browserSupported()) return;
    this.preparing = interview;
    let reply;
    try {
      reply = await this.channel.send({ type: "prepare" });
    } catch {
      if (this.preparing === interview) this.preparing = null; // the socket went: the next state tries again
      return;
    }
    if (reply.type !== "prepared" || reply.interview !== interview || this.preparing !== interview) return;
    if (this.phase !== "offer" || this.joining) return; // gone, or Join was quicker
    this.call.prepare(reply.janus);
  }

  unprepare() {
    this.preparing = null;
    this.call.unprepare();
  }

  // The press of Join has begun: the camera starts now (nothing of it leaves the browser
  // before the click's accept), and stops again if no click follows within PRESS_MS (let go
  // beside the button, a touch that became a scroll).
  pressBegins() {
    if (this.joining || this.call.joined) return;
    this.call.askMedia();
    clearTimeout(this.pressTimer);
    this.pressTimer = setTimeout(() => {
      if (!this.joining && !this.call.joined) this.call.dropMedia();
    }, PRESS_MS);
  }

  // press: Join (or Join again, Continue here) was pressed, which takes the call from
  // another window of this browser (call-hold.js); else the page joins by itself.
  async accept({ press = true } = {}) {
    if (this.joining) return;
    this.joining = true;
    // Sent first (the server's answer is the longer wait); the camera starts while the
    // server lets them in (a real one takes up to a second), still within the click.
    const answered = this.request({ type: "accept" });
    audio();
    this.call.askMedia();
    try {
      const reply = await answered;
      if (reply && reply.type === "ticket") {
        find("[data-rejoin]").hidden = true;
        this.callFor = reply.interview;
        await this.call.join(reply.ticket, { info: reply.join, press });
      } else {
        this.call.dropMedia();
        if (this.phase === "interview") find("[data-rejoin]").hidden = false;
      }
    } finally {
      this.joining = false;
    }
  }

  // After a reload, or in a second window: joins again, unless another window of this
  // browser is in the call (asked first: an accept would hand that window's call a new ticket).
  async joinByItself() {
    // This page showed the offer and Join was not pressed here: it was pressed on another
    // page of theirs (another device), which is in the call.
    const interview = this.state?.interview?.id;
    const pressedElsewhere = interview !== undefined && this.offerShown === interview && this.callFor !== interview;
    if (pressedElsewhere || await this.call.heldElsewhere()) {
      if (this.phase === "interview" && !this.call.joined && !this.joining) this.call.showElsewhere();
      return;
    }
    if (this.phase === "interview" && !this.call.joined) this.accept({ press: false });
  }

  // The state that comes with room_changed must not start a second join (accept) while
  // this one has no call yet: its new ticket would revoke this one's Janus token.
  async joinMoved(ticket) {
    this.joining = true;
    try {
      find("[data-rejoin]").hidden = true;
      await this.call.join(ticket);
    } finally {
      this.joining = false;
    }
  }

  async freshTicket() {
    if (this.phase !== "interview") return null;
    const reply = await this.channel.send({ type: "accept" });
    return reply.type === "ticket" ? reply.ticket : null;
  }

  async sendFeedback(event) {
    event.preventDefault();
    const form = event.target;
    const errorElement = find("[data-feedback-error]");
    const choice = form.querySelector("input[name=interested]:checked");
    if (!choice) {
      this.error = [errorElement, "choose"];
      errorElement.textContent = _("Choose Yes or No.");
      this.markFeedbackChoice(true);
      form.querySelector("input[name=interested]").focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const message = {
      type: "feedback", interested: choice.value === "yes", comment: form.comment.value.trim(),
    };
    // The service unable to take it now (its database away): sent again by itself, so an
    // answer given during an outage is not lost when the page is closed after it.
    const waits = serviceBackoff();
    this.sendingAnswer = true;
    let taken = false;
    try {
      for (;;) {
        const reply = await this.request(message, errorElement);
        if (reply) {
          // Taken: the thanks says it back as given.
          taken = true;
          this.answer.set(message.interested, message.comment);
          this.changeAnswer(false);
          break;
        }
        const code = this.error?.[0] === errorElement ? this.error[1] : null;
        if (!TRY_AGAIN_CODES.has(code) || this.phase !== "feedback") break;
        this.error = [errorElement, "retrying"];
        errorElement.textContent = _(FEEDBACK_RETRYING);
        await new Promise((resolve) => { setTimeout(resolve, waits.next()); });
        if (this.phase !== "feedback") break;
      }
    } finally {
      this.sendingAnswer = false;
      button.disabled = false;
    }
    // Saved, but its reply lost with the socket (the state after the reconnect thanks): the
    // page loaded again says back the answer as the service has it.
    if (!taken && this.phase === "thanks") this.reload();
  }

  // The saved answer's form again (Change my answer), or back to the thanks (Keep my answer,
  // or once the changed answer is saved).
  changeAnswer(changing) {
    if (changing === this.changingAnswer) return;
    this.changingAnswer = changing;
    const form = find("[data-feedback-form]");
    if (changing) this.answer.fill(form);
    find("[data-keep-answer]").hidden = !changing;
    this.markFeedbackChoice(false);
    if (this.error?.[0] === find("[data-feedback-error]")) this.showError(this.error[0], null);
    if (this.state) this.draw(this.state);
  }

  phaseOf(state) {
    if (state.interview) return "interview";
    if (state.offer) return "offer";
    if (state.feedback_open) return "feedback";
    switch (state.queue.state) {
      case "waiting": case "offered": case "interviewing": return "waiting";
      case "away": case "left": return "left";
      case "done": return this.changingAnswer ? "feedback" : "thanks";
      default: return "before";
    }
  }

  draw(state) {
    // The question answered on another page of theirs (feedback_saved): loaded again, the
    // page says back what was answered there (app/views/candidate_page.py).
    const answeredElsewhere = !!this.state?.feedback_open && !state.feedback_open
      && !this.sendingAnswer && this.phase === "feedback";
    this.state = state;
    if (answeredElsewhere && this.phaseOf(state) === "thanks") {
      this.reload();
      return;
    }
    this.offset = Date.parse(state.now) - Date.now();
    const phase = this.phaseOf(state);
    if (this.overWhileWaiting(state, phase)) {
      this.reload();
      return;
    }
    this.watchEnd(state, phase);
    if (phase === "offer") this.prepare(state.offer.interview);
    else if (phase !== "interview" && this.preparing !== null) this.unprepare();
    if (this.phase === "offer" && phase !== "offer" && phase !== "interview") {
      // Back from an offer without joining: say why (the offer still had time: withdrawn).
      const timeLeft = this.offer.secondsLeft() > 0;
      if (this.roomFailed.has(this.offerShown) && phase === "waiting") {
        this.note = ROOM_FAILED;  // nobody withdrew it, and it was not a miss
      } else if (timeLeft && phase === "left" && state.queue.reason !== "missed") {
        // They left the queue themselves as they were called in (here, or on another page
        // of theirs): the page of the left queue says so; nothing was withdrawn.
        this.note = null;
      } else if (timeLeft) {
        this.note = N_("The interviewer withdrew the call-in. You keep your place in the queue.");
      } else if (phase === "left") {
        // The text of the left queue says why (queue.reason), as it does after a reload.
        this.note = state.queue.reason === "missed"
          ? null : N_("You did not join in time again, so you are no longer in the queue.");
      } else {
        // (Said now: a second miss takes them out of the queue, app/live/rules.py.)
        this.note = N_("You did not join in time, so you are back in the queue, at the end of it. If you miss your turn once more, you leave the queue.");
      }
    } else if (phase !== this.phase) {
      this.note = null;
    }
    // A refusal belongs to the moment it answered (Join as the offer ran out): gone with it.
    if (phase !== this.phase && this.error) this.showError(this.error[0], null);
    this.setPhase(phase); // first: the offer can only take the focus once it shows
    this.drawNote();
    this.drawSoundButton();
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
    this.attention.draw(phase, state.offer, this.offset);
    if (phase === "interview") {
      this.drawTalkingWith();
      this.call.setTimes(callTimes(state.interview, state.now));
      this.drawDevices(state.interview);
      // While the video service is down the call waits for room_changed (no rejoin button:
      // a join would only reach the lost server).
      const down = this.outage.draw(state.interview);
      if (down) find("[data-rejoin]").hidden = true;
      else if (!this.call.joined && !this.joining && !this.call.elsewhere) this.joinByItself();
    } else {
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

  // The offer's room could not be made. Told before the state that takes the offer away (the
  // note is chosen then), or after it: the note guessed from that state is put right.
  roomFailedFor(interview) {
    if (this.roomFailed.size > 20) this.roomFailed.clear();
    this.roomFailed.add(interview);
    if (this.phase === "waiting" && this.offerShown === interview && this.note !== null) {
      this.note = ROOM_FAILED;
      this.drawNote();
    }
  }

  drawNote() {
    for (const element of root.querySelectorAll("[data-offer-note]")) {
      const shown = !!this.note && element.closest("[data-phase]").dataset.phase === this.phase;
      element.hidden = !shown;
      element.textContent = shown ? _(this.note) : "";
    }
    // Screen readers are told once per note, in the live region that is always there.
    const status = root.querySelector("[data-offer-note-status]");
    if (status && this.note !== this.noteSaid) {
      this.noteSaid = this.note;
      status.textContent = this.note ? _(this.note) : "";
      // Once read out it goes: the notice shown in the phase keeps the words, and a screen
      // reader reading the page would otherwise meet them twice.
      clearTimeout(this.noteSaidTimer);
      this.noteSaidTimer = setTimeout(() => { status.textContent = ""; }, NOTE_SAID_SECONDS * 1000);
    }
  }

  drawLeft() {
    const { state, reason } = this.state?.queue ?? {};
    if (this.error?.[0] === this.leftText) return;
    let text = _("If you check in again, you join at the end of the queue.");
    if (state === "away") {
      text = _("You were away for a while, so nobody calls you now. Check in again to get your place back.");
    } else if (reason === "missed") {
      text = _("You did not join in time when you were called, twice, so you are no longer in the queue. If you check in again, you join at the end of it.");
    }
    // A live region (a failed check-in is said there): written only when it says another thing.
    if (this.leftText.textContent !== text) this.leftText.textContent = text;
  }

  // Called in, someone who cannot take the call now can leave the queue from the offer itself,
  // not only let its time run out (a miss: sent to the end, and out after a second): the same
  // button and question, moved under Join for the offer and back to the waiting room after.
  placeLeaveQueue(phase) {
    const ask = find("[data-leave-ask]");
    this.leaveHome ??= { parent: ask.parentElement, next: ask.nextSibling };
    if (phase === "offer") find('[data-phase="offer"]').append(ask);
    else if (ask.parentElement !== this.leaveHome.parent) this.leaveHome.parent.insertBefore(ask, this.leaveHome.next);
  }

  // Leaving the queue loses the place: asked once more, in place of its button, the focus on
  // the answer that keeps it.
  askLeaveQueue(asking) {
    find("[data-leave-queue]").hidden = asking;
    for (const name of ["question", "yes", "no"]) find(`[data-leave-queue-${name}]`).hidden = !asking;
    if (asking) find("[data-leave-queue-no]").focus();
  }

  markFeedbackChoice(invalid) {
    for (const radio of document.querySelectorAll("input[name=interested]")) {
      if (invalid) radio.setAttribute("aria-invalid", "true");
      else radio.removeAttribute("aria-invalid");
    }
  }

  setPhase(phase) {
    if (phase === this.phase) return;
    const before = this.phase;
    this.phase = phase;
    if (before === "waiting" || before === "offer") this.askLeaveQueue(false); // (asked as the phase changed)
    this.placeLeaveQueue(phase);
    if (phase !== "waiting") this.selfView.stop(); // the turn came (or the wait ended): the call takes the camera
    // The page's own sections; not the call inside the interview's, whose data-phase is the
    // call's own (call-view.js), and which may be joining already when its state comes.
    for (const section of root.querySelectorAll("[data-phase]:not([data-call])")) {
      section.hidden = section.dataset.phase !== phase;
    }
    // The registration facts, the job and Cancel belong to the time before check-in.
    const quiet = phase === "before" || phase === "left";
    for (const part of document.querySelectorAll("[data-live-static]")) part.hidden = !quiet;
    document.body.dataset.livePhase = phase;
    // In a background tab the title says it too.
    document.body.dataset.i18nTitle = phase === "offer" ? "It is your turn!" : "Your personal page";
    document.title = `${phase === "offer" ? _("It is your turn!") : _("Your personal page")} – Snabbintervjuer`;
    if (before !== null && phase !== "offer") {
      // Keyboard and screen-reader users land on what changed (the offer focuses itself).
      const heading = root.querySelector(`[data-phase="${phase}"] h2`);
      if (heading) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }
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

  redraw() {
    if (this.state) {
      if (this.phase === "waiting") this.waiting.draw(this.state.queue, []);
      if (this.phase === "left") this.drawLeft();
      if (this.phase === "interview") this.drawTalkingWith();
    }
    this.waiting.redraw();
    this.offer.redraw();
    this.answer.draw();
    this.drawNote();
    this.showConnection(this.connection);
    if (this.error) {
      const [element, code] = this.error;
      element.textContent = code === "choose" ? _("Choose Yes or No.")
        : code === "retrying" ? _(FEEDBACK_RETRYING) : errorText(code, this.reader());
    }
  }
}

window.candidatePage = startPage(() => new CandidatePage());
