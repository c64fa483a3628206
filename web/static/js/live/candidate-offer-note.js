// Why an offer went away without a join, said under the heading of the phase it led to
// ([data-offer-note] in candidates/_live.html) and once in the live region that is always
// there ([data-offer-note-status]). Guessed from the state that took the offer away (time
// still left: withdrawn; none: missed), except where the server said the offer's video room
// could not be made (offer_ended, `room`), which may come before that state or after it.
import { N_, _ } from "./texts.js";

// How long a note stays in the always-present live region once it has been said.
const NOTE_SAID_SECONDS = 5;
// An offer whose video room could not be made (offer_ended, `room`): the server put them
// back in the same place, and counted no miss (app/live/dispatch.py room_failed).
const ROOM_FAILED = N_("Your call-in could not go ahead: the video service failed. It was not your fault, and you keep your place in the queue.");
const MISSED_ONCE = N_("You did not join in time, so you are back in the queue, at the end of it. If you miss your turn once more, you leave the queue.");
// The same with nobody else waiting: the end of the queue is its head ("moved to the end"
// beside "You are next in the queue" read as a contradiction).
const MISSED_ONCE_ALONE = N_("You did not join in time. Nobody else is waiting, so you are still next in the queue. If you miss your turn once more, you leave the queue.");
// The same, said later (the place may have moved on since): the miss, and what one more does.
const MISSED_BEFORE = N_("You have missed your turn once: if you miss it again, you leave the queue.");
// Enough to remember the failed offers of one page's day.
const FAILED_KEPT = 20;

export class OfferNote {
  constructor(root) {
    this.root = root;
    this.note = null; // msgid: redrawn in another language
    this.said = null; // the note last put in the screen readers' live region
    this.roomFailed = new Set(); // the offers whose video room could not be made
  }

  // Back from the offer `interview` to `phase` without joining, `queue` as the state has it.
  offerWentAway(interview, phase, queue, timeLeft) {
    if (this.roomFailed.has(interview) && phase === "waiting") {
      this.note = ROOM_FAILED; // nobody withdrew it, and it was not a miss
    } else if (timeLeft && phase === "left" && queue.reason !== "missed") {
      // They left the queue themselves as they were called in (here, or on another page
      // of theirs): the page of the left queue says so; nothing was withdrawn.
      this.note = null;
    } else if (timeLeft) {
      this.note = N_("The interviewer withdrew the call-in. You keep your place in the queue.");
    } else if (phase === "left") {
      // The text of the left queue says why (queue.reason), as it does after a reload.
      this.note = queue.reason === "missed"
        ? null : N_("You did not join in time again, so you are no longer in the queue.");
    } else {
      // (Said now: a second miss takes them out of the queue, app/live/rules.py.)
      this.note = queue?.position === 1 ? MISSED_ONCE_ALONE : MISSED_ONCE;
    }
  }

  // Waiting after a miss with nothing else to say (the page loaded again, or opened on
  // another device, after it): the server's `missed_once` says it still holds.
  remindOfMiss(phase, queue) {
    if (phase === "waiting" && queue?.missed_once && this.note === null) this.note = MISSED_BEFORE;
  }

  clear() {
    this.note = null;
  }

  // The offer's room could not be made. Told before the state that takes the offer away (the
  // note is chosen then), or after it: a note already guessed from that state is put right
  // while the page is back in the queue from that offer (`offerShown`).
  roomFailedFor(interview, phase, offerShown) {
    if (this.roomFailed.size > FAILED_KEPT) this.roomFailed.clear();
    this.roomFailed.add(interview);
    if (phase === "waiting" && offerShown === interview && this.note !== null) {
      this.note = ROOM_FAILED;
      this.draw(phase);
    }
  }

  draw(phase) {
    for (const element of this.root.querySelectorAll("[data-offer-note]")) {
      const shown = !!this.note && element.closest("[data-phase]").dataset.phase === phase;
      element.hidden = !shown;
      element.textContent = shown ? _(this.note) : "";
    }
    // Screen readers are told once per note, in the live region that is always there.
    const status = this.root.querySelector("[data-offer-note-status]");
    if (status && this.note !== this.said) {
      this.said = this.note;
      status.textContent = this.note ? _(this.note) : "";
      // Once read out it goes: the notice shown in the phase keeps the words, and a screen
      // reader reading the page would otherwise meet them twice.
      clearTimeout(this.saidTimer);
      this.saidTimer = setTimeout(() => { status.textContent = ""; }, NOTE_SAID_SECONDS * 1000);
    }
  }
}

// Whether the note says the candidate page's refusal `code` instead of the refusal's words.
// An offer gone by the time Join's answer came is told by the page itself: the note under
// the heading says why once the state that takes the offer away shows (withdrawn, missed,
// or the video room failed, which answers a Join waiting for the room `offer_gone` as well,
// often before that state and its `offer_ended` come). The refusal's words ("the time to
// join has run out") are said only when they are true, the offer still showing at zero.
// While it still shows with time left the page asks for its state: should the one taking
// the offer away be lost, Join would otherwise do nothing and the page say nothing.
export function toldByTheNote(page, code) {
  if (code !== "offer_gone") return false;
  if (page.phase !== "offer") return true;
  if (page.offer.secondsLeft() <= 0) return false;
  page.channel.send({ type: "sync" }).catch(() => {}); // a reconnect sends it anyway
  return true;
}
