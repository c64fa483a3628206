-- What an event needs beyond its core fields: the candidate invite link, calendar sequence
-- numbers, soft deletion, the interviewers' private questions and attributes, the
-- interviewers themselves, and candidate registrations.

ALTER TABLE event
    ADD COLUMN invite_token       text UNIQUE,              -- the candidate invite link, set at publish
    ADD COLUMN invite_open        boolean NOT NULL DEFAULT true,
    ADD COLUMN published_at       timestamptz,
    -- Grows whenever the time changes or the event is cancelled, so every calendar entry we
    -- mailed is replaced by the newer one (RFC 5545 SEQUENCE).
    ADD COLUMN calendar_sequence  integer NOT NULL DEFAULT 0,
    -- A deleted event is cancelled and hidden from lists; its links still say it was cancelled.
    ADD COLUMN deleted_at         timestamptz;

-- Seen only by interviewers; never sent to a candidate's browser.
CREATE TABLE event_question (
    event_id  bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    position  integer NOT NULL CHECK (position BETWEEN 1 AND 20),
    text      text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    PRIMARY KEY (event_id, position)
);

CREATE TABLE event_attribute (
    event_id  bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    position  integer NOT NULL CHECK (position BETWEEN 1 AND 20),
    text      text NOT NULL CHECK (length(text) BETWEEN 1 AND 200),
    PRIMARY KEY (event_id, position)
);

CREATE TABLE event_interviewer (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name          text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    -- Set when the address belongs to an account: that user then sees the event in their list.
    user_id       bigint REFERENCES app_user (id) ON DELETE SET NULL,
    language      text NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
    -- The personal meeting link and its code; the employer can look them up again.
    access_token  text NOT NULL UNIQUE,
    access_code   text NOT NULL CHECK (access_code ~ '^[0-9]{6}$'),
    invited_at    timestamptz,                               -- when the invitation mail was queued
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX event_interviewer_email_key ON event_interviewer (event_id, lower(email));
CREATE INDEX event_interviewer_user_idx ON event_interviewer (user_id);

-- A candidate's registration. Registration itself (the invite page) builds on this table.
CREATE TABLE candidate (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id       bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    phone          text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    language       text NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
    access_token   text NOT NULL UNIQUE,                     -- the personal link
    pin            text NOT NULL CHECK (pin ~ '^[0-9]{6}$'),
    registered_at  timestamptz NOT NULL DEFAULT now(),
    cancelled_at   timestamptz                               -- cancelled by the candidate or removed
);
CREATE UNIQUE INDEX candidate_email_key ON candidate (event_id, lower(email)) WHERE cancelled_at IS NULL;
CREATE INDEX candidate_event_idx ON candidate (event_id) WHERE cancelled_at IS NULL;
