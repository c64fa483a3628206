-- Organizations, employer accounts and interview events: what the demo data needs and
-- what the employer self-service builds on.

CREATE TABLE organization (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash    text NOT NULL,
    language         text NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
    disabled         boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now()
);
-- E-mail addresses are compared without regard to case.
CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email));

CREATE TYPE event_state AS ENUM ('draft', 'published', 'live', 'finished', 'cancelled');

CREATE TABLE event (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id     bigint NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    created_by          bigint REFERENCES app_user (id) ON DELETE SET NULL,
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    job_description     text NOT NULL DEFAULT '' CHECK (length(job_description) <= 20000),
    starts_at           timestamptz NOT NULL,
    duration_minutes    integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
    interview_minutes   integer NOT NULL CHECK (interview_minutes BETWEEN 1 AND 240),
    capacity            integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    language            text NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
    state               event_state NOT NULL DEFAULT 'draft',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (interview_minutes <= duration_minutes)
);
CREATE INDEX event_organization_starts_idx ON event (organization_id, starts_at);
