// How long a Join took, from the press (or a rejoin) to the other person's first frame, told
// to the server for its metrics (app/views/join_time.py). Best effort: a report that does not
// arrive changes nothing for the call.
export function reportJoinTime(ticket, seconds) {
  if (!ticket || !(seconds > 0)) return;
  fetch("/api/join/time", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ticket, seconds }), credentials: "same-origin", keepalive: true,
  }).catch(() => {});
}
