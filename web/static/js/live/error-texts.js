// Every error code of the realtime channel (app/live/PROTOCOL.md, "Error codes") and the
// channel's status, in words, for every page on a live socket. The readers differ:
//   "candidate"  the candidate's page while they are in the queue: about their own place;
//   "candidate-elsewhere"  the candidate's page in a call, after it or before check-in: the
//                candidate's texts, but no place to keep (it falls back to "candidate");
//   "staff"      the interviewers' meeting web and the organizer's live view: about "that
//                candidate", and every code has its own sentence.
// A code with one text says the same to both; a reader without a text of its own for a code
// gets that reader's general sentence. The texts are msgids (N_) put into words when drawn
// (errorText, connectionText), so a page that keeps the code draws it again after a language
// switch.
import { N_, _ } from "./texts.js";

// A Map, so a code from the wire such as "constructor" finds nothing.
const ERRORS = new Map(Object.entries({
  malformed: { staff: N_("The server could not read what the page sent. Reload the page and try again.") },
  unknown_type: { staff: N_("This page is out of date. Reload it and try again.") },
  invalid_fields: N_("Something was missing or too long. Check it and try again."),
  busy_retry: N_("Something else changed at the same moment. Try again."),
  // Nothing was changed: the database did not answer (away, or too slow for the action to be
  // done within its bound: app/live/action_bound.py).
  unavailable: {
    candidate: N_("Not done: the service did not answer. Try again in a moment. You keep your place."),
    "candidate-elsewhere": N_("Not done: the service did not answer. Try again in a moment."),
    staff: N_("Not done: the service did not answer. Try again in a moment."),
  },
  server_error: {
    staff: N_("Something went wrong on our side. Try again; if it keeps happening, write to support."),
  },
  not_registered: {
    candidate: N_("You are no longer registered for this event."),
    staff: N_("That candidate is no longer registered."),
  },
  event_not_open: N_("The event is not open now."),
  checkin_closed: {
    candidate: N_("Check-in is not open now."),
    staff: N_("Check-in is not open now, so nobody can be called in."),
  },
  already_interviewed: {
    candidate: N_("You have already had your interview at this event."),
    staff: N_("That candidate has already been interviewed."),
  },
  in_interview: {
    candidate: N_("You are in an interview right now."),
    staff: N_("That candidate is in an interview."),
  },
  unknown_interviewer: { staff: N_("You are no longer an interviewer at this event.") },
  interviewer_busy: {
    staff: N_("You already have an offer or an interview going. Withdraw or end it first."),
  },
  candidate_not_waiting: {
    staff: N_("That candidate is not waiting any more. Pick someone else."),
  },
  offer_gone: {
    candidate: N_("The time to join has run out. You are back in the queue if you did not miss it before."),
    staff: N_("The offer is no longer open: it expired, was withdrawn, or the candidate left."),
  },
  not_active: { staff: N_("You have no interview going on now.") },
  extend_limit: { staff: N_("This interview has been extended as far as it can be.") },
  event_over: { staff: N_("The event is over: this interview goes on to its end and can no longer be extended.") },
  room_unavailable: {
    candidate: N_("The video call could not be opened just now. Try again in a moment."),
    staff: N_("No video room could be made just now. Nobody lost their place; try again in a moment."),
  },
  invalid_record: {
    staff: N_("The notes or ratings could not be saved: something in them is out of bounds."),
  },
  record_changed: {
    staff: N_("These notes were changed in another window meanwhile. The page now shows what was saved there."),
  },
  invalid_feedback: {
    candidate: N_("The answer could not be saved. Check it and try again."),
    staff: N_("The answer could not be saved."),
  },
  feedback_not_open: N_("There is no interview to answer about."),
  call_elsewhere: {
    staff: N_("Your call went on in another window or on another device while this page was not connected."),
  },
  // Not a server's code: the socket was down when the page sent (LiveChannel.send rejected).
  closed: N_("Not connected right now. Wait until the page has reconnected, then try again."),
}));

// The channel's status ("idle" | "connecting" | "open" | "service_down" | "reconnecting"); `other` is what
// any status without a text of its own says: the candidate is told nothing while all is well.
const STATUS = {
  candidate: new Map(Object.entries({
    connecting: N_("Connecting…"),
    service_down: N_("Reconnecting to the service… You keep your place; the queue moves again in a moment."),
    reconnecting: N_("The connection was lost. Reconnecting… You keep your place."),
    other: null,
  })),
  "candidate-elsewhere": new Map(Object.entries({
    connecting: N_("Connecting…"),
    service_down: N_("Reconnecting to the service… It works again in a moment; a call under way goes on."),
    reconnecting: N_("Connection lost. Reconnecting…"),
    other: null,
  })),
  staff: new Map(Object.entries({
    open: N_("Connected."),
    service_down: N_("Reconnecting to the service… Nothing here is updated until it is back; a call under way goes on."),
    reconnecting: N_("Connection lost. Reconnecting…"),
    other: N_("Connecting…"),
  })),
};

const READERS = new Set(["candidate", "candidate-elsewhere", "staff"]);

function check(reader) {
  if (!READERS.has(reader)) throw new TypeError(`no error texts for the reader ${reader}`);
}

// The code in words for `reader` ("candidate" or "staff"), in the current language.
export function errorText(code, reader) {
  check(reader);
  const entry = ERRORS.get(code);
  const text = typeof entry === "string" ? entry
    : entry?.[reader] ?? (reader === "candidate-elsewhere" ? entry?.candidate : undefined);
  if (text) return _(text);
  return reader !== "staff" ? _("Something went wrong. Try again.")
    : _("Something went wrong (%(code)s). Try again.", { code: String(code) });
}

// The channel's status in words for `reader`, in the current language ("" for nothing).
export function connectionText(status, reader) {
  check(reader);
  const texts = STATUS[reader];
  const text = texts.has(status) ? texts.get(status) : texts.get("other");
  return text ? _(text) : "";
}
