// A waiting candidate's place and estimated wait after a `queue` message: the message is
// the same for every waiting page of the event, and each works out its own from it
// (app/live/PROTOCOL.md, "The queue message"; the server's twin: app/live/queue_frames.py).
// Pure functions, no DOM: tests/js/queue-place.test.mjs.

// A place in the order at `prev` -> the same person's place in the order at `v`; null when
// the place is among those that left (that page gets a whole state instead).
export function placeAfter(position, left, joined) {
  let gone = 0;
  for (const place of left) {
    if (place === position) return null;
    if (place > position) break;
    gone += 1;
  }
  let place = position - gone;
  for (const arrived of joined) { // ascending: each one's place is final once those before are in
    if (arrived > place) break;
    place += 1;
  }
  return place;
}

// The wait shown at a place, in whole minutes rounded up (null while no interviewer is
// active): each place in turn goes to the interviewer free soonest, who is then busy an
// average interview more. The same arithmetic as rules.estimated_waits, so the same minutes.
export function waitMinutesAt(position, wait) {
  if (!wait || !wait.free_in.length) return null;
  const freeAt = wait.free_in.map((seconds) => Math.max(0, seconds));
  let soonest = 0;
  for (let turn = 0; turn < position; turn += 1) {
    let index = 0;
    for (let i = 1; i < freeAt.length; i += 1) if (freeAt[i] < freeAt[index]) index = i;
    soonest = freeAt[index];
    freeAt[index] = soonest + wait.average;
  }
  return Math.ceil(soonest / 60);
}

// The page's `queue` (of its state) after the message, or null when it cannot be applied:
// the page has no version or a later one than the message's `prev` (an earlier one is
// fine: the server sends no message that moves nobody at or before a page's place), or it
// is not waiting with a place.
export function queueAfter(queue, message) {
  if (!queue || typeof queue.v !== "number" || queue.v > message.prev) return null;
  if (queue.state !== "waiting" || !queue.position) return null;
  const position = placeAfter(queue.position, message.left, message.joined);
  if (position === null) return null;
  return { ...queue, position, wait_minutes: waitMinutesAt(position, message.wait), v: message.v };
}
