// The candidate's waiting room and "your turn" alert, drawn from the socket's state
// (candidates/_live.html). Draws only; candidate.js decides what to send.
import { _, clockTime, clockTimeInSweden, ngettext } from "./texts.js";
import { beep } from "./device-check.js";
import { offerSecondsLeft, offerSecondsOf } from "./media-outage.js";
import { waitMinutesAt } from "./queue-place.js";

function setText(element, text) {
  // Only real changes: the place is a live region, and the same words must not be re-read.
  if (element.textContent !== text) element.textContent = text;
}

// With no estimate (nobody takes candidates now), an end within this long is said all the same.
export const CLOSE_TO_THE_END_MS = 30 * 60000;

// Whether the event's set start is still to come (interviewers may begin before it).
function beforeTheStart(ending) {
  if (!ending?.startsAt || !ending.now) return false;
  return Date.parse(ending.now) < Date.parse(ending.startsAt);
}

// An estimate this far past the event's end is no estimate: the candidate is told plainly
// that their turn is unlikely to come before the end, not a wait of days.
export const FAR_PAST_THE_END_MS = 60 * 60000;

// How the estimated wait stands to the event's end: "" (well before it), "past" (it runs
// past the end, or there is no estimate and the end is near), "far" (FAR_PAST_THE_END_MS
// past it). elapsedMs: since the state (and its `now`) came.
export function pastTheEnd(minutes, ending, elapsedMs = 0) {
  if (!ending?.endsAt || !ending.now) return "";
  const left = Date.parse(ending.endsAt) - Date.parse(ending.now) - elapsedMs;
  if (minutes === null || minutes === undefined) return left <= CLOSE_TO_THE_END_MS ? "past" : "";
  if (minutes * 60000 > left + FAR_PAST_THE_END_MS) return "far";
  return minutes * 60000 > left ? "past" : "";
}

// The estimated wait in words: minutes under an hour; above it hours, and minutes by fives.
export function waitText(minutes) {
  if (minutes <= 1) return _("Estimated wait: about a minute or less.");
  if (minutes < 60) return _("Estimated wait: about %(minutes)s minutes.", { minutes });
  const rounded = Math.round(minutes / 5) * 5;
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  const hoursText = ngettext("%(count)s hour", "%(count)s hours", hours, { count: hours });
  if (!rest) return _("Estimated wait: about %(hours)s.", { hours: hoursText });
  return _("Estimated wait: about %(hours)s and %(minutes)s minutes.", { hours: hoursText, minutes: rest });
}

// How often the estimated wait is worked out again while nothing else happens.
const WAIT_TICK_MS = 15000;
// From this many minutes down the wait is said each minute (above it, by fives).
const EACH_MINUTE_FROM = 10;

// The estimated wait at `position` as time passes with no news: the waits' inputs (`wait`:
// the seconds until each active interviewer is free, the mean interview) less the seconds
// since they came, through the server's own arithmetic, so a wait behind interviews under
// way counts down and one behind an interviewer who is free and idle does not. Said as it
// came (`fresh`, the server's minutes), then each minute in the last ten and by fives
// before that: the place and the wait are read out by screen readers at every change, and a
// wait of half an hour must not be read out thirty times (by fives in the last ten, a wait
// of 9 minutes stayed on the screen until 5 were left). Never more than it was.
export function waitNow(fresh, position, wait, elapsedSeconds) {
  if (fresh === null || fresh === undefined || !wait || !position) return fresh;
  const later = { free_in: wait.free_in.map((seconds) => seconds - Math.max(0, elapsedSeconds)),
    average: wait.average };
  const exact = waitMinutesAt(position, later);
  if (exact === null || exact >= fresh) return fresh;
  return exact <= EACH_MINUTE_FROM ? exact : Math.min(fresh, Math.ceil(exact / 5) * 5);
}

export class WaitingRoom {
  constructor(root) {
    this.root = root;
    this.messageLanguage = document.querySelector("main h1[lang]")?.lang;
    this.receivedAt = 0;  // when this.queue and this.waitInputs came (Date.now())
    this.endingAt = 0;  // when this.ending's `now` came
    this.waitInputs = null;
    setInterval(() => {
      if (this.queue) this.draw(this.queue, [], this.ending, this.waitInputs);
    }, WAIT_TICK_MS);
    this.position = root.querySelector("[data-position]");
    this.wait = root.querySelector("[data-wait]");
    this.list = root.querySelector("[data-messages]");
    this.none = root.querySelector("[data-no-messages]");
    this.shown = new Map(); // message id -> its <li>
    this.queue = null;
    this.ending = null;
    // Messages that came while the list was out of sight, told by a link in the sticky box
    // with the place (those in the first state are not new: the page shows them as it opens).
    // Out of sight: below the window, or scrolled up under the sticky box.
    this.box = root.querySelector(".queue-place");
    this.newNote = root.querySelector("[data-new-messages]");
    this.unseen = [];  // the <li>s of the messages not seen yet, in order
    this.primed = false;
    const seen = () => {
      if (this.unseen.length && this.inSight(this.unseen.at(-1))) this.showUnseen([]);
    };
    window.addEventListener("scroll", seen, { passive: true });
    window.addEventListener("resize", seen, { passive: true });
    this.newNote.querySelector("a").addEventListener("click", (event) => {
      event.preventDefault();
      const first = this.unseen[0];
      this.showUnseen([]);
      first?.scrollIntoView({ block: "center" });
      // Where the keyboard and a screen reader go on from: the messages.
      root.querySelector("#messages-heading").focus({ preventScroll: true });
    });
  }

  inSight(element) {
    const box = element.getBoundingClientRect();
    const top = Math.max(0, this.box.getBoundingClientRect().bottom);
    return box.height > 0 && box.top >= top - 1 && box.bottom <= window.innerHeight + 1;
  }

  showUnseen(items) {
    this.unseen = items;
    const count = items.length;
    this.newNote.hidden = count === 0;
    this.newNote.firstElementChild.textContent = count === 0 ? "" : ngettext(
      "%(count)s new message from the interviewers", "%(count)s new messages from the interviewers",
      count, { count });
  }

  // ending: {startsAt, endsAt, now} (ISO strings, the server's clock), to say when the
  // interviews begin if nobody takes candidates before the start, and when the estimated
  // wait runs past the event's end: nobody is called after it.
  // inputs: of the estimated waits (the state's or the last `queue` message's).
  draw(queue, messages, ending = this.ending, inputs = this.waitInputs) {
    if (queue !== this.queue || inputs !== this.waitInputs) this.receivedAt = Date.now();
    // The server's `now` of `ending` is as of its own arrival (a redraw by the clock brings
    // a later one with the same queue): the time since, counted apart from the queue's.
    if (ending?.now !== this.ending?.now) this.endingAt = Date.now();
    this.queue = queue;
    this.ending = ending;
    this.waitInputs = inputs;
    let place;
    let wait = "";
    if (queue.state === "offered" || queue.state === "interviewing") {
      place = _("It is your turn in a moment.");
    } else if (queue.position === null || queue.position === undefined) {
      place = _("You are in the queue.");
    } else if (queue.position === 1) {
      place = _("You are next in the queue.");
    } else {
      place = _("You are number %(position)s in the queue.", { position: queue.position });
    }
    if (queue.state === "waiting" && queue.position) {
      const elapsed = Date.now() - this.receivedAt;
      const minutes = waitNow(queue.wait_minutes, queue.position, inputs, elapsed / 1000);
      const noEstimate = minutes === null || minutes === undefined;
      if (noEstimate && beforeTheStart(ending)) {
        // Before the set start with nobody taking candidates: no interviewer there yet, or
        // those who began early have paused. Either way, when the interviews are to begin.
        wait = _("No interviewer is taking candidates right now, so there is no estimated wait. The interviews are set to start at %(time)s. You keep your place.",
          { time: clockTimeInSweden(ending.startsAt) });
      } else if (noEstimate) {
        // No interviewer is taking candidates right now: all on a break or paused, or all
        // gone (the waits count only those who take candidates).
        wait = _("No interviewer is taking candidates right now, so there is no estimated wait. You keep your place.");
      } else {
        wait = waitText(minutes);
      }
      const past = pastTheEnd(minutes, ending, Date.now() - this.endingAt);
      const time = past && clockTimeInSweden(ending.endsAt);
      if (past === "far") {
        wait = _("There are more people ahead of you than there is likely to be time for before the event ends at %(time)s. You keep your place in case it goes faster, or you can leave the queue.", { time });
      } else if (past) {
        const mayNot = _("The event ends at %(time)s, so your turn may not come before then.", { time });
        wait = `${wait} ${mayNot}`;
      }
    }
    setText(this.position, place);
    setText(this.wait, wait);
    this.drawMessages(messages || []);
  }

  drawMessages(messages) {
    // Seen meanwhile without a scroll (the page's parts above them changed size): not new.
    if (this.unseen.length && this.inSight(this.unseen.at(-1))) this.showUnseen([]);
    // New messages are appended (the list is a polite live region); old ones stay put.
    const added = [];
    for (const message of messages) {
      if (this.shown.has(message.id)) continue;
      const item = document.createElement("li");
      const time = document.createElement("time");
      time.dateTime = message.sent_at;
      time.textContent = clockTime(message.sent_at);
      const text = document.createElement("span");
      text.textContent = message.text;
      // Written by an interviewer, most likely in the event's language (the page's heading
      // has it), in any script: read in that voice, laid out in its own direction.
      text.dir = "auto";
      if (this.messageLanguage) text.lang = this.messageLanguage;
      item.append(time, " ", text);
      this.list.append(item);
      this.shown.set(message.id, item);
      added.push(item);
    }
    this.none.hidden = this.shown.size > 0;
    if (added.length && this.primed && !this.inSight(added.at(-1))) this.showUnseen([...this.unseen, ...added]);
    this.primed = true;
  }

  redraw() {
    if (this.queue) this.draw(this.queue, []);
    this.showUnseen(this.unseen);
    for (const item of this.shown.values()) {
      const time = item.querySelector("time");
      time.textContent = clockTime(time.dateTime);
    }
  }
}

// "Join within N seconds", said by the offer and by the browser's notification.
export function joinWithin(seconds) {
  return ngettext("An interviewer is ready for you. Join within %(seconds)s second.",
    "An interviewer is ready for you. Join within %(seconds)s seconds.", seconds, { seconds });
}

// Said once per offer as the time to join runs low, at `warnAt` seconds left (the page's
// data-offer-warning-seconds, app/live/rules.py OFFER_WARNING_SECONDS; WCAG 2.2.1: warned
// before it runs out), unless the offer began with no more: the alert itself said them then.
export function offerWarning(seconds, firstSeconds, warnAt) {
  if (seconds <= 0 || seconds > warnAt || firstSeconds <= warnAt) return null;
  return ngettext("%(seconds)s second left to join the interview.",
    "%(seconds)s seconds left to join the interview.", seconds, { seconds });
}

// The offer while the video service is down: kept, its time to join standing still.
function offerOnHold(seconds) {
  return ngettext(
    "An interviewer is ready for you, but the video service is down right now. Your turn is kept: the time to join stands still at %(seconds)s second until the service is back, and you can join then. Please stay on this page.",
    "An interviewer is ready for you, but the video service is down right now. Your turn is kept: the time to join stands still at %(seconds)s seconds until the service is back, and you can join then. Please stay on this page.",
    seconds, { seconds });
}

// How long the warning's words stay in the page after they were said.
const WARNING_SHOWN_SECONDS = 5;
// More time than a clock correction gives: an offer extended by the server.
const MORE_TIME_SECONDS = 2;

export class OfferAlert {
  constructor(root) {
    this.root = root;
    this.text = root.querySelector("[data-offer-text]");
    this.join = root.querySelector("[data-join]");
    this.warning = root.querySelector("[data-offer-warning]");
    this.offer = null;
    this.offset = 0;
    this.most = offerSecondsOf(root);
    this.firstSeconds = 0;  // the seconds the offer showed with
    this.warned = false;  // or the seconds left when the warning was given
    this.warnAt = Number(root.closest("[data-offer-warning-seconds]")?.dataset.offerWarningSeconds) || 0;
  }

  // Shows "your turn": a sound, the alert focused (announced by screen readers), and the
  // seconds left to join, by the server's clock (offset = server time − local time).
  show(offer, offset) {
    const isNew = this.offer?.interview !== offer.interview;
    this.offer = offer;
    this.offset = offset;
    if (isNew) {
      this.firstSeconds = this.secondsLeft();
      this.clearWarning();
      this.warned = false;
    }
    this.tick();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 1000);
    if (isNew) {
      beep({ count: 3, frequency: 880 });
      this.root.focus();
    }
  }

  secondsLeft() {
    return this.offer ? offerSecondsLeft(this.offer, this.offset, this.most) : 0;
  }

  tick() {
    const seconds = this.secondsLeft();
    // The video service is down: the turn is kept, its clock stands, and a join now would
    // only reach the lost server (a state with the offer's new time follows when it is back).
    const down = this.offer?.media === "unavailable";
    if (down) this.text.textContent = offerOnHold(seconds);
    else if (seconds > 0) this.text.textContent = joinWithin(seconds);
    else this.text.textContent = _("The time to join has run out.");
    this.join.disabled = down || seconds <= 0;
    if (this.warned && seconds > this.warnAt + MORE_TIME_SECONDS) {
      // The same offer given more time (its room came late, or the video service was down):
      // no longer running low, and warned again when it is. (Not for a second or two: the
      // page's clock offset measured again may move the count back by one.)
      this.clearWarning();
      this.warned = false;
    }
    const warning = down || this.warned ? null : offerWarning(seconds, this.firstSeconds, this.warnAt);
    if (warning) {
      // Said (role="alert"), heard (a shorter, lower beep than the turn's own) and seen: the
      // countdown stands out from here on (site.css .offer[data-running-low]).
      this.warned = seconds;
      this.warning.textContent = warning;
      this.root.dataset.runningLow = "";
      beep({ count: 2, frequency: 660 });
    } else if (this.warned && (seconds <= 0 || seconds <= this.warned - WARNING_SHOWN_SECONDS)) {
      // Read out by now: a screen reader that reads the page later finds the countdown
      // above, not a number of seconds that has passed.
      this.warning.textContent = "";
    }
  }

  clearWarning() {
    this.warning.textContent = "";
    delete this.root.dataset.runningLow;
  }

  hide() {
    clearInterval(this.timer);
    this.offer = null;
    this.clearWarning();
  }

  redraw() {
    if (this.offer) this.tick();
  }
}
