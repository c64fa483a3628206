"""Why a live-event action was refused. The codes are stable: the realtime channel maps
each to a message in the user's language, so nothing here is user-visible text."""

from __future__ import annotations

CODES = frozenset(
    {
        "not_registered",  # no such candidate, or the registration was cancelled or erased
        "event_not_open",  # the event is a draft, cancelled, deleted or finished
        "checkin_closed",  # before the check-in window opens, or after the event's end
        "already_interviewed",  # the candidate's interview has been held
        "in_interview",  # the candidate is in an interview and cannot leave the queue
        "unknown_interviewer",  # no such interviewer
        "interviewer_busy",  # one at a time: the interviewer already has an offered or active interview
        "candidate_not_waiting",  # Pick: that candidate is not (or no longer) dispatchable
        "offer_gone",  # the offer expired, was withdrawn, or the candidate left
        "not_active",  # no such active interview for this participant
        "extend_limit",  # the interview has been extended by live.extend_limit_minutes already
        "event_over",  # Extend after the event's end (by its clock, or ended early): no further
        "room_unavailable",  # no Janus server could make the room; nobody lost their place
        "invalid_record",  # notes, questions covered or ratings out of bounds
        "record_changed",  # the record was saved from another window since this save's version
        "invalid_feedback",  # the candidate's answer is not yes/no with a short comment
        "feedback_not_open",  # no ended interview of this candidate to answer about
        "call_elsewhere",  # said again after a drop: another page of the interviewer took the call since
    }
)


class LiveError(Exception):
    def __init__(self, code: str):
        assert code in CODES, code
        super().__init__(code)
        self.code = code
