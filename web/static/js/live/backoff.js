// The waits between tries of something that did not work just now: the first wait, then each
// twice the one before, up to the longest; back to the first once it has worked. One place
// for the rule, so the pages' retries and the channel's reconnects cannot drift apart.
//
//   const waits = new Backoff(1000, 10000);
//   setTimeout(tryAgain, waits.next());   // 1000, 2000, 4000, 8000, 10000, 10000, …
//   waits.reset();                        // it worked: the next failure waits the first again
//
// It only counts: the caller keeps its own timer, since a page may cancel the wait or share
// the timer with other work (the notes' save a moment after typing).

// Replies that mean the service could not take a request just now (its database away, a
// moment's conflict, an error it did not expect), so the same request may be sent again.
export const TRY_AGAIN_CODES = new Set(["unavailable", "busy_retry", "server_error"]);

export class Backoff {
  constructor(firstMs, longestMs) {
    this.firstMs = firstMs;
    this.longestMs = longestMs;
    this.nextMs = firstMs;
  }

  // The wait before the next try; the one after it is twice as long, up to the longest.
  next() {
    const wait = this.nextMs;
    this.nextMs = Math.min(2 * wait, this.longestMs);
    return wait;
  }

  reset() {
    this.nextMs = this.firstMs;
  }
}

// For a request the service could not take (TRY_AGAIN_CODES): 2 s, doubling up to 30 s. Soon
// enough that what was typed or answered is kept shortly after the service is back, rarely
// enough that pages waiting through a long outage do not pile requests onto it.
export function serviceBackoff() {
  return new Backoff(2000, 30000);
}
