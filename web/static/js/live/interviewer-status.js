// The lobby's status line of the interviewers' meeting web (#lobby-status, a live region):
// what just happened and what now. Why an interview or an offer of this interviewer's ended,
// said once, with the best words known (the server's notice, the record's end reason) and
// said again when the event's end makes "call in the next candidate" untrue. Texts are kept
// as functions, so a language switch draws them again.
import { N_, _ } from "./texts.js";
import { eventOver } from "./event-over.js";

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
// How long after an offer ended the line may say it again with the event's end.
const STALE_OFFER_MS = 30000;
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

export class LobbyStatus {
  // `lobby`: whether the event is over, and the last state; `clock`: the server's.
  constructor(line, { channel, lobby, clock }) {
    this.line = line;
    this.channel = channel;
    this.lobby = lobby;
    this.clock = clock;
    this.shown = null;  // the text on the line, as a function
    this.told = 0;  // how many times the line was set (sayWhyEnded)
    this.saidNobodyWaits = false;  // the line says nobody waits (a Next found nobody)
    this.lastEnded = null;  // the ended interview the line speaks of, while it says "call in the next"
    this.offerEndReasons = new Map();  // interview -> why its offer ended (offer_ended)
    this.endedOffer = null;  // the ended offer the line speaks of, and when it was set
  }

  set(text) {
    this.told += 1;
    this.saidNobodyWaits = false;
    this.shown = text;
    this.redraw();
  }

  shows(text) {
    return this.shown === text;
  }

  redraw() {
    this.line.textContent = this.shown ? this.shown() : "";
  }

  // "Nobody is waiting right now" was the moment of a Next.
  sayNobodyWaits() {
    this.set(() => _("Nobody is waiting right now."));
    this.saidNobodyWaits = true;  // until someone is (draw)
  }

  // Called with every state: "Nobody is waiting right now" goes once someone is.
  draw(state) {
    if (this.saidNobodyWaits && state.counts?.waiting > 0) this.set(null);
  }

  // The event ended (while the page was open): what the line said of calling in the next
  // candidate is said again without it.
  eventEnded() {
    this.sayEndedAgain();
    this.sayOfferEndedAgain();
  }

  // The line after an interview: why it ended (the candidate left, the time ran out) and
  // what now. After the event's end there is no next candidate to call in (Next is gone).
  sayEnded(interview, reason) {
    const name = interview.candidate_name;
    const why = endedText(reason);
    const over = this.lobby.state && eventOver(this.lobby.state.event, this.clock.now());
    // Cancelled (only a deletion cancels an event under way): there is no summary left to
    // finish notes for.
    const cancelled = this.lobby.state?.event?.state === "cancelled";
    const next = cancelled ? N_("The event has been cancelled by its organizer: it has no summary any more.")
      : over ? N_("The event is over too. Finish your notes below.")
        : N_("Finish your notes below, or call in the next candidate.");
    this.set(() => [_(why, { name }), _(next)].join(" "));
    this.lastEnded = over ? null : { interview, reason, told: this.told };
  }

  // The event ended after the line said to call in the next candidate, and nothing else was
  // said since: the line says the event is over instead.
  sayEndedAgain() {
    const last = this.lastEnded;
    if (last && last.told === this.told) this.sayEnded(last.interview, last.reason);
  }

  // The state says only that the interview is gone; its record says how it ended. Said once
  // the record is here (one status, not a plain one and then a better one for a screen
  // reader to read twice), unless the line has told of something else meanwhile.
  async sayWhyEnded(interview) {
    const told = this.told;
    let reason = null;
    try {
      const reply = await this.channel.send({ type: "record", interview: interview.id });
      if (reply.type === "record") reason = reply.end_reason;
    } catch {
      // not connected: the plain words
    }
    if (this.told === told) this.sayEnded(interview, reason);
  }

  // Why the own offer ended, as far as known (offer_ended's reason, if it came).
  reasonOfferEnded(interview) {
    return this.offerEndReasons.get(interview);
  }

  // `at`: when the offer went, by the server's clock (whether its time had run out).
  sayOfferEnded(offer, state, at = this.clock.now()) {
    const reason = this.offerEndReasons.get(offer.id);
    const text = offerEndedText(offer, state, at, reason, this.lobby.over);
    this.set(() => _(text, { name: offer.candidate_name }));
    this.endedOffer = { offer, state, told: this.told, text, at };
  }

  // The offer went while this page's Withdraw awaits its reply, which says it was
  // withdrawn: nothing said now, unless offer_ended says it went otherwise (offerEnded).
  offerWithdrawing(offer, state) {
    this.endedOffer = { offer, state, told: this.told, text: null, at: this.clock.now() };
  }

  // A call-in refused `room_unavailable` (its offer's room could not be made) when the line
  // already speaks of that offer, taken away by a state that came before the refusal (told
  // after `since`, when the call-in was pressed): the line says the room failed, by name, if
  // the server's notice has not said so yet, and the refusal need not be said again. False
  // when the page never showed the offer: the refusal is all there is to tell it.
  tellRoomFailed(since) {
    const ended = this.endedOffer;
    if (!ended || ended.told !== this.told || ended.told <= since) return false;
    this.offerEnded({ interview: ended.offer.id, reason: "room" });
    return true;
  }

  // Why an offer of this interviewer's ended (offer_ended): said at once when the state that
  // takes it away comes after; when that state came first and the line still speaks of the
  // offer, said again if it says something else (not read out twice), and not for a
  // withdrawal pressed here (its reply says it).
  offerEnded({ interview, reason }) {
    if (this.offerEndReasons.size > 20) this.offerEndReasons.clear();
    this.offerEndReasons.set(interview, reason);
    const ended = this.endedOffer;
    if (!ended || ended.offer.id !== interview || ended.told !== this.told) return;
    if (ended.text === null && reason === "withdrawn") return;
    const text = offerEndedText(ended.offer, ended.state, ended.at, reason, this.lobby.over);
    if (text !== ended.text) this.sayOfferEnded(ended.offer, ended.state, ended.at);
  }

  // The event ended while the line still spoke of an ended offer, saying to call in the
  // next candidate: said again without that (only if the words change: a live region).
  sayOfferEndedAgain() {
    const ended = this.endedOffer;
    if (!ended || ended.text === null || ended.told !== this.told) return;
    // Long past (the candidate may have been interviewed by someone else since): the line
    // goes rather than bring that miss back as news; the lobby says the event is over.
    if (this.clock.now() - ended.at > STALE_OFFER_MS) {
      this.set(null);
      return;
    }
    const reason = this.offerEndReasons.get(ended.offer.id);
    if (offerEndedText(ended.offer, ended.state, ended.at, reason, true) !== ended.text) {
      this.sayOfferEnded(ended.offer, ended.state, ended.at);
    }
  }
}
