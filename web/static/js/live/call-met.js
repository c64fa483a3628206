// Whether this browser's page has seen the other person in this call before: a page
// loaded again (a reload, a tab closed and opened again) starts knowing nobody, and would
// say "Waiting for the other person to join…" as if the interview had not begun, when the
// other person's page has in fact gone out of the call. The call is named by its ticket's
// opaque id (one per interview and side, the same in a moved room: app/tickets.py); only
// the last call is kept.
const KEY = "snabb-call-met";

export function metBefore(callTag) {
  if (!callTag) return false;
  try {
    return window.localStorage.getItem(KEY) === callTag;
  } catch {
    return false; // storage refused (private mode, settings): a page loaded again just waits
  }
}

export function rememberMet(callTag) {
  if (!callTag) return;
  try {
    window.localStorage.setItem(KEY, callTag);
  } catch {
    // (as above)
  }
}
