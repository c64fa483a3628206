-- The realtime channel (issue 5): interviewer log-in by code, and messages to the waiting.

-- Wrong codes on an interviewer's personal link lock it the way wrong PINs lock a
-- candidate's (app/link_codes.py): after a run of failures, for longer after each lock.
ALTER TABLE event_interviewer
    ADD COLUMN code_failures     integer NOT NULL DEFAULT 0 CHECK (code_failures >= 0),
    ADD COLUMN code_lockouts     integer NOT NULL DEFAULT 0 CHECK (code_lockouts >= 0),
    ADD COLUMN code_locked_until timestamptz;

-- What an interviewer sends to everyone waiting ("we are running ten minutes late"). In the
-- database, not in a process, so a candidate connected to any process sees it.
CREATE TABLE live_message (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    interviewer_id  bigint REFERENCES event_interviewer (id) ON DELETE SET NULL,
    text            text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    sent_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX live_message_event_idx ON live_message (event_id, sent_at);
