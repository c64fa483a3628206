-- The live event (issue 5): the shared queue, the interviews the dispatcher makes, what the
-- interviewers record afterwards and the candidate's answer, and interviewer presence.
-- The rules of DESIGN §5 that SQL can hold are constraints here, so no code path can break
-- them; the dispatcher's row locks (rule 1) are in app/live/dispatch.py.

-- One row per candidate who has checked in. It is never deleted while the event lasts: its
-- state says where the candidate is, so a crashed process loses nothing (rule 7).
--   waiting       in the queue (possibly disconnected, within the grace period: rule 5)
--   offered       an interviewer took them; the interview row waits for them to join
--   interviewing  in an active interview
--   away          disconnected longer than the grace period: skipped until they reconnect
--   left          left the queue, or missed a second offer (rule 4); checking in again
--                 puts them at the end
--   done          interviewed
CREATE TABLE queue_entry (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    candidate_id     bigint NOT NULL UNIQUE REFERENCES candidate (id) ON DELETE CASCADE,
    state            text NOT NULL DEFAULT 'waiting'
                     CHECK (state IN ('waiting', 'offered', 'interviewing', 'away', 'left', 'done')),
    -- When the candidate first checked in (shown to interviewers as "waited since").
    checked_in_at    timestamptz NOT NULL DEFAULT now(),
    -- The queue order. Equal to checked_in_at until a missed offer puts the candidate back
    -- at the end; a disconnection (away and back) keeps it (rule 5).
    queued_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    -- Set while the candidate's connection is gone; the grace period counts from here.
    disconnected_at  timestamptz,
    -- Offers the candidate did not take up; the second one takes them out of the queue.
    missed_count     integer NOT NULL DEFAULT 0 CHECK (missed_count BETWEEN 0 AND 2),
    left_reason      text CHECK (left_reason IN ('candidate', 'missed')),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'left') = (left_reason IS NOT NULL))
);
-- The dispatcher's look-up: the waiting candidates of one event in queue order.
CREATE INDEX queue_entry_waiting_idx ON queue_entry (event_id, queued_at, id) WHERE state = 'waiting';

-- One interview: a candidate and an interviewer in one Janus room.
--   offered → active → ended, or offered → missed (the candidate did not join in time),
--   or offered → failed (no room could be made; not the candidate's fault, no miss counted).
--
-- The room's pin, secret and allow-list tokens are stored as they are, not encrypted:
-- any process must be able to re-issue tickets when a participant rejoins, and destroy or
-- re-create the room after a crash (rule 7), so they must be recoverable from here; and by
-- themselves they open nothing, because Janus refuses every session without a token signed
-- with janus.token_secret, which lives only in the settings. Candidate-facing queries never
-- select these columns, and nothing logs them (rule 9).
CREATE TABLE interview (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id           bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    candidate_id       bigint NOT NULL REFERENCES candidate (id) ON DELETE CASCADE,
    interviewer_id     bigint NOT NULL REFERENCES event_interviewer (id) ON DELETE CASCADE,
    state              text NOT NULL DEFAULT 'offered'
                       CHECK (state IN ('offered', 'active', 'ended', 'missed', 'failed')),
    -- 'next' or 'pick': how the interviewer chose (rule 3), for the summary.
    chosen_by          text NOT NULL CHECK (chosen_by IN ('next', 'pick')),
    janus_server       text,
    room_id            bigint,
    room_pin           text,
    room_secret        text,
    -- Allow-list tokens: [0] the candidate's, [1] the interviewer's.
    room_tokens        text[],
    offered_at         timestamptz NOT NULL DEFAULT now(),
    offer_expires_at   timestamptz NOT NULL,
    started_at         timestamptz,
    ends_at            timestamptz,
    extended_minutes   integer NOT NULL DEFAULT 0 CHECK (extended_minutes >= 0),
    ended_at           timestamptz,
    -- 'interviewer', 'candidate', 'time' (the time box ran out), 'left' (candidate left
    -- while offered), 'room' (no room could be made), 'offer_expired'.
    end_reason         text CHECK (end_reason IN ('interviewer', 'candidate', 'time', 'left',
                                                  'room', 'offer_expired')),
    notes              text NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
    -- Positions of the event's questions the interviewer covered.
    questions_covered  integer[] NOT NULL DEFAULT '{}',
    CHECK ((room_id IS NULL) = (janus_server IS NULL)),
    CHECK (state <> 'active' OR (started_at IS NOT NULL AND ends_at IS NOT NULL AND room_id IS NOT NULL)),
    CHECK ((state IN ('offered', 'active')) = (ended_at IS NULL))
);
-- Rule 2, held by the database whatever the code does: one live interview per candidate,
-- one per interviewer.
CREATE UNIQUE INDEX interview_live_candidate_key ON interview (candidate_id)
    WHERE state IN ('offered', 'active');
CREATE UNIQUE INDEX interview_live_interviewer_key ON interview (interviewer_id)
    WHERE state IN ('offered', 'active');
CREATE INDEX interview_event_idx ON interview (event_id, state);
-- The offer-expiry sweep and the time box look only at live interviews.
CREATE INDEX interview_offer_expiry_idx ON interview (offer_expires_at) WHERE state = 'offered';

-- The interviewer's rating of each of the event's attributes (1–5).
CREATE TABLE interview_rating (
    interview_id  bigint NOT NULL REFERENCES interview (id) ON DELETE CASCADE,
    position      integer NOT NULL CHECK (position BETWEEN 1 AND 20),
    rating        integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    PRIMARY KEY (interview_id, position)
);

-- The candidate's answer after the interview: was the job interesting?
CREATE TABLE interview_feedback (
    interview_id  bigint PRIMARY KEY REFERENCES interview (id) ON DELETE CASCADE,
    interested    boolean NOT NULL,
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    answered_at   timestamptz NOT NULL DEFAULT now()
);

-- Whether an interviewer is in the rotation now: the estimated waits count the interviewers
-- who are connected and not paused.
CREATE TABLE interviewer_presence (
    interviewer_id   bigint PRIMARY KEY REFERENCES event_interviewer (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    paused           boolean NOT NULL DEFAULT false,
    connected        boolean NOT NULL DEFAULT true,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interviewer_presence_event_idx ON interviewer_presence (event_id);
