// Every error code of the realtime channel (app/live/PROTOCOL.md, "Error codes") in words, for
// the interviewer's page, in the current language. Called at drawing time, so a language
// switch redraws them.
import { _ } from "./texts.js";

const TEXTS = {
  malformed: () => _("The server could not read what the page sent. Reload the page and try again."),
  unknown_type: () => _("This page is out of date. Reload it and try again."),
  invalid_fields: () => _("Something was missing or too long. Check it and try again."),
  busy_retry: () => _("Something else changed at the same moment. Try again."),
  unavailable: () => _("Reconnecting to the service… Try again in a moment."),
  server_error: () => _("Something went wrong on our side. Try again; if it keeps happening, write to support."),
  not_registered: () => _("That candidate is no longer registered."),
  event_not_open: () => _("The event is not open now."),
  checkin_closed: () => _("Check-in is not open now, so nobody can be called in."),
  already_interviewed: () => _("That candidate has already been interviewed."),
  in_interview: () => _("That candidate is in an interview."),
  unknown_interviewer: () => _("You are no longer an interviewer at this event."),
  interviewer_busy: () => _("You already have an offer or an interview going. Withdraw or end it first."),
  candidate_not_waiting: () => _("That candidate is not waiting any more. Pick someone else."),
  offer_gone: () => _("The offer is no longer open: it expired, was withdrawn, or the candidate left."),
  not_active: () => _("You have no interview going on now."),
  room_unavailable: () => _("No video room could be made just now. Nobody lost their place; try again in a moment."),
  invalid_record: () => _("The notes or ratings could not be saved: something in them is out of bounds."),
  invalid_feedback: () => _("The answer could not be saved."),
  feedback_not_open: () => _("There is no interview to answer about."),
};

export function errorText(code) {
  const text = TEXTS[code];
  return text ? text() : _("Something went wrong (%(code)s). Try again.", { code: String(code) });
}

export function notConnectedText() {
  return _("Not connected right now. Wait until the page has reconnected, then try again.");
}

// The channel's status ("connecting" | "open" | "reconnecting") in words.
export function connectionText(status) {
  if (status === "open") return _("Connected.");
  if (status === "reconnecting") return _("Connection lost. Reconnecting…");
  return _("Connecting…");
}
