// When a pressed control says it is still waiting for its reply (pending-press.js): not for a
// quick reply (a sign that flickers for a tenth of a second is noise), after a moment that
// it is working, and after a few seconds plainly that the service is slow. The server refuses
// an action whose database work is not done within four seconds (app/live/action_bound.py),
// so "slow" is said a while before that refusal can come, and the refusal then ends it.
export const WORKING_AFTER_MS = 1000;
export const SLOW_AFTER_MS = 2500;

// Calls onWorking() after WORKING_AFTER_MS and onSlow() after SLOW_AFTER_MS, each once,
// unless the returned finish() came first; finish() calls onDone() once, and only when a
// sign was shown (there is nothing to take away otherwise). `timers` is for tests.
export function timePress({ onWorking, onSlow, onDone }, timers = globalThis) {
  let shown = false;
  let finished = false;
  const working = timers.setTimeout(() => {
    shown = true;
    onWorking();
  }, WORKING_AFTER_MS);
  const slow = timers.setTimeout(() => {
    shown = true;
    onSlow();
  }, SLOW_AFTER_MS);
  return function finish() {
    if (finished) return;
    finished = true;
    timers.clearTimeout(working);
    timers.clearTimeout(slow);
    if (shown) onDone();
  };
}
