// Reaching a waiting candidate when their turn comes while the page is out of sight (another
// tab, another window in front, a phone put down): the tab's title counts the seconds, the
// sound comes again, a system notification shows where the browser allows one, and a phone
// vibrates. While they wait, the page asks the phone to keep its screen on.
//
// The time left to join is read from the server's deadline against a clock measured afresh
// (a ping, whose pong carries the server's time: app/live/PROTOCOL.md): a page the browser
// froze or throttled in the background takes in the offer late, and the `now` of that state
// is no longer now, so a clock taken from it would promise seconds that have already gone.
//
//   const attention = new Attention(root, channel, (offset) => …); // offset: server − local ms
//   attention.draw(phase, offer, offset);   // with every state ("waiting", "offer", …)
// Notifications are asked for only from a click (browsers allow no other): on Check in, Check
// in again and "Allow the sound for your turn" (candidates/_live.html).
import { _, language } from "./texts.js";
import { joinWithin } from "./candidate-waiting.js";
import { beep } from "./device-check.js";
import { offerSecondsLeft, offerSecondsOf } from "./media-outage.js";

const REMIND_EVERY_MS = 10000;
const VIBRATION = [400, 200, 400, 200, 400];
const CLOCK_WAIT_MS = 2000; // the notification waits this long at most for the fresh clock
const ASKING_BUTTONS = "[data-checkin], [data-checkin-again], [data-sound-allow]";

function notificationsAllowed() {
  return "Notification" in window && Notification.permission === "granted";
}

export class Attention {
  constructor(root, channel, onClock) {
    this.channel = channel;
    this.onClock = onClock;
    this.phase = null;
    this.offer = null; // {interview, expires_at} while an offer shows
    this.offset = 0; // server time − local time, ms
    this.most = offerSecondsOf(root);
    this.notification = null;
    this.timers = [];
    this.wakeLock = null;
    this.screenWanted = false;
    for (const button of root.querySelectorAll(ASKING_BUTTONS)) {
      button.addEventListener("click", () => this.askPermission());
    }
    document.addEventListener("visibilitychange", () => this.sightChanged());
    window.addEventListener("focus", () => this.sightChanged());
    window.addEventListener("blur", () => this.sightChanged());
    // Unfrozen (a phone's page, a background tab) or back from the page cache: time has passed.
    document.addEventListener("resume", () => this.measureClock());
    window.addEventListener("pageshow", (event) => { if (event.persisted) this.measureClock(); });
  }

  askPermission() {
    if (!("Notification" in window) || Notification.permission !== "default") return;
    try {
      Notification.requestPermission()?.catch(() => {});
    } catch {
      // an old browser without the promise form: nothing is lost but the notification
    }
  }

  outOfSight() {
    return document.visibilityState === "hidden" || !document.hasFocus();
  }

  draw(phase, offer, offset) {
    this.phase = phase;
    this.offset = offset;
    this.keepScreenOn(phase === "waiting" || phase === "offer");
    if (phase !== "offer" || !offer) {
      this.calm();
      this.offer = null;
      return;
    }
    const isNew = this.offer?.interview !== offer.interview;
    this.offer = offer;
    if (!isNew) return;
    const measured = this.measureClock();
    if (this.outOfSight()) this.reach(measured);
  }

  secondsLeft() {
    return this.offer ? offerSecondsLeft(this.offer, this.offset, this.most) : 0;
  }

  // Every way there is, while the offer lasts and the page stays out of sight.
  async reach(measured) {
    this.vibrate();
    this.drawTitle();
    this.timers.push(setInterval(() => this.drawTitle(), 1000));
    // The first beep is the offer's own (candidate-waiting.js); these come after it.
    this.timers.push(setInterval(() => beep({ count: 3, frequency: 880 }), REMIND_EVERY_MS));
    await Promise.race([measured, new Promise((done) => { setTimeout(done, CLOCK_WAIT_MS); })]);
    if (this.offer && this.outOfSight()) this.notify();
  }

  drawTitle() {
    if (!this.offer) return;
    document.title = `(${this.secondsLeft()}) ${_("It is your turn!")} – Snabbintervjuer`;
  }

  notify() {
    if (!notificationsAllowed()) return;
    this.notification?.close();
    try {
      const shown = new Notification(_("It is your turn!"), {
        body: joinWithin(this.secondsLeft()),
        tag: "snabbintervjuer-turn", requireInteraction: true, lang: language(),
      });
      shown.addEventListener("click", () => {
        window.focus();
        shown.close();
      });
      this.notification = shown;
    } catch {
      // Android's Chrome shows notifications only through a service worker: the sound, the
      // vibration and the title still call.
    }
  }

  vibrate() {
    // Only after a tap on the page (check-in): before it, browsers refuse and warn.
    if (navigator.vibrate && navigator.userActivation?.hasBeenActive !== false) navigator.vibrate(VIBRATION);
  }

  // Back in sight, or the offer is over.
  calm() {
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.notification?.close();
    this.notification = null;
  }

  // Gone while the offer shows (another tab, another window in front): call them back;
  // back: the page itself speaks again.
  sightChanged() {
    if (!this.outOfSight()) this.backInSight();
    else if (this.offer && this.timers.length === 0) this.reach(Promise.resolve());
  }

  backInSight() {
    const wasCalling = this.timers.length > 0;
    this.calm();
    if (wasCalling && this.phase === "offer") {
      document.title = `${_("It is your turn!")} – Snabbintervjuer`;
    }
    this.keepScreenOn(this.screenWanted); // browsers release the lock when a page is hidden
    if (this.offer) this.measureClock();
  }

  // The server's clock from a ping's round trip; resolves when measured (or not possible).
  async measureClock() {
    const sent = Date.now();
    let reply;
    try {
      reply = await this.channel.send({ type: "ping" });
    } catch {
      return; // not connected: the state after the reconnect brings the time
    }
    const received = Date.now();
    if (!reply?.now) return;
    this.offset = Date.parse(reply.now) + (received - sent) / 2 - received;
    this.onClock(this.offset);
  }

  async keepScreenOn(wanted) {
    this.screenWanted = wanted;
    if (!wanted) {
      const lock = this.wakeLock;
      this.wakeLock = null;
      lock?.release().catch(() => {});
      return;
    }
    if (this.wakeLock || this.lockPending || !navigator.wakeLock || document.visibilityState !== "visible") return;
    this.lockPending = true;
    try {
      const lock = await navigator.wakeLock.request("screen");
      if (!this.screenWanted) {
        lock.release().catch(() => {});
        return;
      }
      this.wakeLock = lock;
      lock.addEventListener("release", () => {
        if (this.wakeLock === lock) this.wakeLock = null;
      });
    } catch {
      // refused (e.g. battery saver): the screen may lock, the sound still calls
    } finally {
      this.lockPending = false;
    }
  }
}
