// What the candidate's page does by the clock alone, with no change to send a state: check-in
// opening, the event's end (the phases it ends are loaded again, and say so), the end coming
// near and the set start passing (the waiting room says both). Pure but for the timers.
import { CLOSE_TO_THE_END_MS } from "./candidate-waiting.js";
import { eventOver } from "./event-over.js";

// The phases that no longer make sense once the event is over: nobody calls a candidate then.
const ENDED_BY_THE_END = ["waiting", "before", "left"];
// At most an hour at a time: a longer timer is not kept by every browser.
const LONGEST_TIMER_MS = 3600 * 1000;

// `then()` once the wall clock reaches `when` (ms), looked at every second and whenever the
// page shows again: one timer set at load would miss it on a page opened the day before (a
// timer that long is not kept) and fire late after a laptop slept (timers do not count the
// sleep).
export function atTheWallClock(when, then) {
  let timer = null;
  const due = () => {
    if (Date.now() < when) return;
    clearInterval(timer);
    document.removeEventListener("visibilitychange", due);
    window.removeEventListener("pageshow", due);
    then();
  };
  timer = setInterval(due, 1000);
  document.addEventListener("visibilitychange", due);
  window.addEventListener("pageshow", due);
}

// Whether a page still waiting, or still before check-in, is over by `state`'s clock (its time
// is up, or it was cancelled): loaded again, it says so (or asks about the interview if that
// is still open, which is not one of these phases).
export function overWhileWaiting(state, phase) {
  if (!ENDED_BY_THE_END.includes(phase)) return false;
  return eventOver(state.event, Date.parse(state.now));
}

// In how many ms to draw `state` again by the clock: at the end, in the phases it ends
// (overWhileWaiting); while waiting also when the end comes near (said even with no
// estimate: a queue that does not move sends nothing) and at the set start, which the
// waiting room names until it has passed. null: nothing more to watch.
export function nextLookIn(state, phase) {
  if (!state.event?.ends_at || !ENDED_BY_THE_END.includes(phase)) return null;
  const now = Date.parse(state.now);
  let ms = Date.parse(state.event.ends_at) - now + 1000;
  if (ms <= 0) return null;
  const near = ms - CLOSE_TO_THE_END_MS;
  if (phase === "waiting" && near > 0) ms = Math.min(ms, near);
  const start = state.event.starts_at ? Date.parse(state.event.starts_at) - now + 1000 : 0;
  if (phase === "waiting" && start > 0) ms = Math.min(ms, start);
  return Math.min(Math.max(ms, 1000), LONGEST_TIMER_MS);
}
