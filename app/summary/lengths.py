"""How long an interview's call lasted, from its row, without I/O.

An interview ends when someone ends it (the interviewer's *End*, the candidate's *Leave*, a
registration or the event ending): the call was under way then, and its length is from its
start to that end. When nobody does, its time box ends it (end_reason 'time',
app/live/interviews.py end_due_interviews), also a call both people had left long before:
from its start to its end is then the planned length, not what was talked.

Janus's media times say when each side's media last stopped (app/live/media.py: the latest
stop of any of the side's handles, cleared when media flows again; a side still in the call
at the end gets its stop when the room is destroyed, after the end). One side's stop alone
proves little: a second page of theirs that prepared a handle and closed, a *Continue here*
on another device, or a camera that died while the sound went on each leave a stop behind
though the call went on. So a call the time box ended is taken to have ended early only when
both sides' media had stopped before it (both left, or both lost the connection): at the
later of the two, when the last one went. Likewise a media service still down at the end
ended it when it went down. The time an outage of the media service took during the call is
counted in, as from the start to the end it always was.
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
    """From the start (`started_at`) to the end (`ended_at`); for one its time box ended, to
    when the last side's media stopped if both had before the end, or to when the media
    service went down (`media_lost_at`) if it still was. Not known when the time box ended it
    and a side's media never reached the media service (or was never reported): a figure then
    would be the planned length, not the call's."""
    started, ended = row["started_at"], row["ended_at"]
    if started is None or ended is None:
        return CallLength(None)
    end: dt.datetime = ended
    if row.get("end_reason") == BY_THE_CLOCK:
        if not all(row.get(key) is not None for key in STARTS):
            return CallLength(None, known=False)
        stops = [stop for key in STOPS if (stop := row.get(key)) is not None and stop < ended]
        if len(stops) == len(STOPS):
            end = max(stops)
    if row.get("media_lost_at") is not None:
        end = min(end, row["media_lost_at"])
    return CallLength(max(0, int((max(end, started) - started).total_seconds())))
