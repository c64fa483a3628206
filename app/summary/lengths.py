"""How long an interview's call lasted, from its row, without I/O: the time talked, which is
not always from its start to its end.

An interview ends when someone ends it (the interviewer's *End*, the candidate's *Leave*, a
registration or the event ending) or, when nobody does, by its time box (end_reason 'time',
app/live/interviews.py end_due_interviews). A call both sides had left by then, or that one
side had lost for good, ran on as a row, not as a call: from its start to its end is the
planned length, not what was talked. Janus's media times say when each side's media last
stopped (app/live/media.py: the latest stop, cleared when it flows again, so a stop that is
still there at the end is the side leaving the call for good; every side still in the call
at the end gets its stop only after it, when the room is destroyed). The call as a
conversation ended at the first such stop: one side alone talks to nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

# The media times of each side (migration 0008), in the interview's row.
STARTS = ("candidate_media_started_at", "interviewer_media_started_at")
STOPS = ("candidate_media_stopped_at", "interviewer_media_stopped_at")
# Ended by its time box: nobody in the call ended it.
BY_THE_CLOCK = "time"


@dataclass(frozen=True)
class CallLength:
    seconds: int | None  # None while it runs, when it never started, or when not known
    known: bool = True  # False: it ended, and how long it was talked is not known


def call_length(row: Mapping[str, Any]) -> CallLength:
    """From the start (`started_at`) to the end (`ended_at`), or to an earlier stop of the
    call: a side's media stopped and never came back, or the media service went down
    (`media_lost_at`, an outage still going when the interview ended); less the outages the
    call came through (`media_lost_seconds`: the time box gave that time back). Not known
    when the time box ended it and the media times cannot tell that both sides were in the
    call: a figure then would be the planned length, not the call's."""
    started, ended = row["started_at"], row["ended_at"]
    if started is None or ended is None:
        return CallLength(None)
    stops = [row.get(key) for key in (*STOPS, "media_lost_at")]
    end: dt.datetime = min([ended, *(stop for stop in stops if stop is not None)])
    if (
        end == ended
        and row.get("end_reason") == BY_THE_CLOCK
        and not all(row.get(key) is not None for key in STARTS)
    ):
        return CallLength(None, known=False)
    # The outages' total, not when they were: one after a side's stop (both rare) is taken
    # off too, which errs towards the shorter call.
    lost = row.get("media_lost_seconds") or 0
    return CallLength(max(0, int((max(end, started) - started).total_seconds() - lost)))
