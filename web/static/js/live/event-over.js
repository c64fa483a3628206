// Whether an event is over, as every live page tells it: finished or cancelled, or its time
// is up by the server's clock. The state itself moves to "finished" only once no interview
// of it is still going (app/live/event_states.py), so a page that waited for the state
// would call an event that ended a minute ago still running.
export function eventOver(event, nowMs) {
  if (!event) return false;
  if (event.state === "finished" || event.state === "cancelled") return true;
  return Boolean(event.ends_at) && nowMs >= Date.parse(event.ends_at);
}
