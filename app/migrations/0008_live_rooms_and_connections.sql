-- The live event, continued (issue 5): withdrawn offers, rooms that move, media times, and
-- which browser connections are open, so several tabs of one person count as one.

-- An interviewer may withdraw an offer the candidate has not taken up: not the candidate's
-- fault, so it is neither a miss nor an interview, and the candidate keeps the place.
ALTER TABLE interview DROP CONSTRAINT interview_state_check;
ALTER TABLE interview ADD CONSTRAINT interview_state_check
    CHECK (state IN ('offered', 'active', 'ended', 'missed', 'failed', 'withdrawn'));
ALTER TABLE interview DROP CONSTRAINT interview_end_reason_check;
ALTER TABLE interview ADD CONSTRAINT interview_end_reason_check
    CHECK (end_reason IN ('interviewer', 'candidate', 'time', 'left', 'room', 'offer_expired',
                          'withdrawn'));

ALTER TABLE interview
    -- Grows each time the reconciler moves the interview to a new room (its Janus server
    -- lost the old one); the pages see it change and join the new room with new tickets.
    ADD COLUMN room_generation integer NOT NULL DEFAULT 0 CHECK (room_generation >= 0),
    -- When each side's media first reached Janus, and when it last stopped (NULL while it
    -- flows), as Janus's event handler reports them (app/live/media.py).
    ADD COLUMN candidate_media_started_at    timestamptz,
    ADD COLUMN candidate_media_stopped_at    timestamptz,
    ADD COLUMN interviewer_media_started_at  timestamptz,
    ADD COLUMN interviewer_media_stopped_at  timestamptz;

-- One row per running application process, kept fresh by a heartbeat. A process that
-- stops beating has crashed: its connections below are gone, even though it could not say so.
CREATE TABLE live_process (
    id        uuid PRIMARY KEY,
    seen_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per open event-day WebSocket. A person is connected while any of theirs is open:
-- closing one of two tabs is not a disconnection.
CREATE TABLE live_connection (
    id              uuid PRIMARY KEY,
    process_id      uuid NOT NULL REFERENCES live_process (id) ON DELETE CASCADE,
    candidate_id    bigint REFERENCES candidate (id) ON DELETE CASCADE,
    interviewer_id  bigint REFERENCES event_interviewer (id) ON DELETE CASCADE,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((candidate_id IS NULL) <> (interviewer_id IS NULL))
);
CREATE INDEX live_connection_candidate_idx ON live_connection (candidate_id)
    WHERE candidate_id IS NOT NULL;
CREATE INDEX live_connection_interviewer_idx ON live_connection (interviewer_id)
    WHERE interviewer_id IS NOT NULL;
CREATE INDEX live_connection_process_idx ON live_connection (process_id);
