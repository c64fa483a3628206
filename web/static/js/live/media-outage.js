// "The video service is down" in the call (live/_call.html, [data-call-outage]), drawn from
// the interview in the socket's state (app/live/PROTOCOL.md: `media`, `stopped_at`). While
// no media server can take the interview's room the server stops its clock; the countdown
// shows the time left as of then (CallView.setTimes's stoppedAt), and the call comes back
// by itself: a `room_changed` with a new ticket follows when a server is back.
import { N_, _, onLanguageChange } from "./texts.js";

const DOWN = N_("The video service is down right now. The interview's clock is stopped, and the call comes back by itself as soon as the service is back. Please stay on this page.");

export class MediaOutage {
  // callView: the page's CallView, told too (its status line then does not blame the network).
  constructor(callView) {
    this.callView = callView;
    this.callRoot = callView.root;
    this.element = this.callRoot.querySelector("[data-call-outage]");
    this.down = false;
    onLanguageChange(() => this.redraw());
  }

  // Called with every state's interview (or null); true while the media is down.
  draw(interview) {
    const down = !!interview && interview.media === "unavailable";
    if (down !== this.down) {
      this.down = down;
      this.callRoot.dataset.media = down ? "unavailable" : "ok";
      this.callView.setMediaDown(down);
      this.redraw();
    }
    return down;
  }

  redraw() {
    this.element.hidden = !this.down;
    this.element.textContent = this.down ? _(DOWN) : "";
  }
}

// The seconds left to join an offer (the candidate's `offer`, PROTOCOL.md), by the server's
// clock (offset = server time − local time); while the media is down the offer's clock
// stands, so the time left is the one of the moment it stopped. `most`: the seconds an offer
// gives (`live.offer_seconds`), which an offset measured a little short (half a round trip)
// would otherwise exceed: "Join within 61 seconds" where the page says 60.
export function offerSecondsLeft(offer, offset, most = Infinity) {
  const now = offer.media === "unavailable" && offer.stopped_at
    ? Date.parse(offer.stopped_at) : Date.now() + offset;
  return Math.min(most, Math.max(0, Math.ceil((Date.parse(offer.expires_at) - now) / 1000)));
}

// The seconds an offer gives, as the candidate's page was drawn with them.
export function offerSecondsOf(element) {
  return Number(element.closest("[data-offer-seconds]")?.dataset.offerSeconds) || Infinity;
}

// What CallView.setTimes needs of an interview in a state, the stopped clock included.
export function callTimes(interview, now) {
  return {
    endsAt: interview.ends_at, warningAt: interview.warning_at, now,
    stoppedAt: interview.media === "unavailable" ? interview.stopped_at : null,
    extended: interview.extended_minutes ?? 0,
  };
}
