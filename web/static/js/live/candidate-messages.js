// The candidate page's socket messages other than `state` (app/live/PROTOCOL.md): the offer
// drawn at once, the queue moved, the room made again, the registration ended, the offer's
// room failed, the call taken on another page, the answer saved elsewhere. candidate.js draws
// the page; this says what each message changes of it.
import { queueAfter } from "./queue-place.js";

// `page`: the CandidatePage.
export function receive(page, message) {
  // Join from the offer itself: the state showing it comes a moment later.
  if (message.type === "offer" && page.state && !page.state.interview) {
    const now = new Date(Date.now() + page.offset).toISOString();
    page.draw({ ...page.state, now, offer: { interview: message.interview, expires_at: message.expires_at } });
  }
  if (message.type === "offer") page.join.prepare(message.interview);
  // The queue moved: the new place and wait from the message all waiting pages share;
  // one that cannot be applied here asks for the whole state (PROTOCOL.md).
  if (message.type === "queue" && page.state) queueMoved(page, message);
  // The interview's room was lost and made again (PROTOCOL.md): join the new one.
  // Also before a state has shown the interview: the page holds this interview's ticket
  // from its own Join (PROTOCOL.md, room_changed).
  if (message.type === "room_changed" && !page.call.elsewhere
    && (page.phase === "interview" || (page.phase === "offer" && message.interview === page.callFor))) {
    page.join.moved(message.ticket);
  }
  // Cancelled, removed by the employer or erased (PROTOCOL.md): the page the link now
  // leads to says so, instead of a queue this candidate is no longer in.
  if (message.type === "registration_ended") page.reload();
  if (message.type === "offer_ended" && message.reason === "room") {
    page.note.roomFailedFor(message.interview, page.phase, page.offerShown);
  }
  // Another page of theirs (another device) joined the call, with a ticket that replaced
  // this one's: this page leaves it and stays out until Continue here (PROTOCOL.md).
  if (message.type === "call_taken") page.join.takenElsewhere();
  // The answer saved (again) from another page of theirs: loaded again, this one says
  // back the answer as it now is; not while it is being changed here.
  if (message.type === "answer_saved" && page.phase === "thanks" && !page.question.changing) page.reload();
}

function queueMoved(page, message) {
  const queue = queueAfter(page.state.queue, message);
  if (queue) page.draw({ ...page.state, now: message.now, queue, wait: message.wait });
  else page.channel.send({ type: "sync" }).catch(() => {}); // a reconnect sends it anyway
}
