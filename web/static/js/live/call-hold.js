// One window of a person in the call at a time, among the windows of one browser (the mail
// link opened twice, a tab duplicated): two windows in the room would play the other
// person's sound twice and send one's own twice, which the other person hears as an echo
// (docs/calls.md, "One page in the call").
//
// The Web Locks API holds it: a window in the call holds the lock named after the person's
// page, and the browser releases it by itself when that window closes, reloads or crashes,
// so no window can keep the call after it is gone. A join the page makes by itself (an
// offer joined ahead, a reload) takes it only when it is free; a press (Join, Use this
// window) takes it from whoever holds it ("steal"), and that window is told (`onTaken`)
// and leaves its call, so the last window pressed is the one in the call.
//
// Windows of two browsers or two devices cannot see each other's locks: each joins, as
// every window did before. So does every window where the API is missing (a page served
// over plain http to another machine is not a secure context).
//
//   const hold = new CallHold(name, onTaken);
//   await hold.take(press)     // true: this window holds the call (press: taken from another)
//   await hold.elsewhere()     // true: another window of this browser holds it now
//   hold.release()             // this window's call has ended

const locks = () => (globalThis.isSecureContext ? globalThis.navigator?.locks : undefined);

export class CallHold {
  constructor(name, onTaken) {
    this.name = name;
    this.onTaken = onTaken;
    this.holding = null; // {release}: the grant this window holds, while it holds one
    this.asking = null;  // the request under way: a second join of this window waits for it
  }

  async take(press) {
    const api = locks();
    if (!this.name || !api) return true;
    // Two joins of this window at once (joined ahead, then a move to a new room) must not
    // find the first one's lock held by "another" window, nor steal it from themselves.
    while (this.asking) await this.asking;
    if (this.holding) return true;
    this.asking = this.request(api, press);
    try {
      return await this.asking;
    } finally {
      this.asking = null;
    }
  }

  async request(api, press) {
    const grant = { release: null };
    const granted = await new Promise((resolve) => {
      const options = press ? { steal: true } : { ifAvailable: true };
      api.request(this.name, options, (lock) => {
        if (!lock) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        return new Promise((release) => { grant.release = release; });
      }).catch((error) => {
        // AbortError: another window's press stole it, and this window's call goes.
        resolve(false);
        if (this.holding !== grant) return;
        this.holding = null;
        if (error?.name === "AbortError") this.onTaken();
      });
    });
    if (granted) this.holding = grant;
    return granted;
  }

  async elsewhere() {
    const api = locks();
    if (!this.name || !api || this.holding) return false;
    const { held = [] } = await api.query();
    return held.some((lock) => lock.name === this.name);
  }

  release() {
    const grant = this.holding;
    this.holding = null;
    grant?.release?.();
  }
}
