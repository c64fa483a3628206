// How much video this browser sends, second by second: pure functions, used by RoomCall
// (janus-room.js). Loss on the way to Janus (the share of packets Janus asked for again,
// its receiver reports, its slow-link warnings) holds the bitrate where it is, so that it
// cannot climb; heavy loss brings it down (by half the loss, each second, as the browsers'
// own congestion control does); a clean stretch raises it again, step by step.
// When even the floor does not get through (the estimated bandwidth stays below it, or
// nearly half the packets are lost there), the video pauses and only sound is sent: the
// person is told and can turn the video back on. Bounds: docs/calls.md.

export const FLOOR_KBPS = 150;
export const MAX_KBPS = 1500;
const UP = 1.15;
const HOLD_ROOM = 1.05;
const HEAVY = 0.15;
const CLEAN = 0.03;
const SMOOTHING = 0.3;
const CLEAN_SECONDS_TO_RAISE = 8;
const STARVED_BELOW_KBPS = 100;
const HOPELESS_LOSS = 0.6;
const STARVED_SECONDS_TO_PAUSE = 6;

export function initialControl(max = MAX_KBPS) {
  return { target: max, max, loss: null, clean: 0, starved: 0, paused: false };
}

// One second's figures: loss (share of our packets Janus lost, or null), slow (Janus said
// our uplink is slow), available (the browser's estimate of the bandwidth, kbit/s, or null),
// sent (kbit/s of video actually sent). Returns the new control; `changed` when the target
// moved, `pause` when the video should stop for want of bandwidth.
export function adapt(control, { loss = null, slow = false, available = null, sent = null } = {}) {
  const c = { ...control, changed: false, pause: false };
  if (c.paused) return c;
  // Over a few seconds: one second's share jumps about with random loss.
  if (loss !== null) c.loss = c.loss === null ? loss : c.loss * (1 - SMOOTHING) + loss * SMOOTHING;
  const lost = c.loss;
  const before = c.target;
  const sending = Math.max(sent ?? c.target, FLOOR_KBPS);
  if (slow || (lost !== null && lost >= HEAVY)) {
    const share = lost !== null && lost >= HEAVY ? lost : HEAVY;
    c.target = Math.max(FLOOR_KBPS, Math.round(Math.min(c.target, sending) * (1 - share / 2)));
    c.clean = 0;
  } else if (lost !== null && lost >= CLEAN) {
    c.target = Math.max(FLOOR_KBPS, Math.min(c.target, Math.round(sending * HOLD_ROOM)));
    c.clean = 0;
  } else if (lost !== null) {
    c.clean += 1;
    if (c.clean >= CLEAN_SECONDS_TO_RAISE && c.target < c.max) {
      c.target = Math.min(c.max, Math.round(c.target * UP));
      c.clean = 0;
    }
  }
  c.changed = c.target !== before;
  const starved = (available !== null && available < STARVED_BELOW_KBPS)
    || (c.target === FLOOR_KBPS && lost !== null && lost >= HOPELESS_LOSS);
  c.starved = starved ? c.starved + 1 : 0;
  if (c.starved >= STARVED_SECONDS_TO_PAUSE) {
    c.paused = true;
    c.pause = true;
  }
  return c;
}

// Video back on (the person asked): from a little above the floor, counting afresh.
export function resume(control) {
  return { ...control, paused: false, starved: 0, clean: 0, target: FLOOR_KBPS * 2, changed: true };
}
