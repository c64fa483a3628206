-- Employer accounts: sessions, password resets, colleague invitations and log-in limits.
-- Tokens that travel by cookie or mail are stored only as SHA-256 hashes, so a copy of
-- the database does not let anyone log in or reset a password.

-- Shown by the provisioning command's `list`.
ALTER TABLE app_user ADD COLUMN last_login_at timestamptz;

-- One row per logged-in browser. The cookie carries the token (inside a signed JWT); deleting
-- the row logs that browser out: at log-out, when the password changes, when a user is disabled.
CREATE TABLE user_session (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX user_session_user_idx ON user_session (user_id);
CREATE INDEX user_session_expires_idx ON user_session (expires_at);

-- A mailed link to choose a new password: expires, and works once.
CREATE TABLE password_reset (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_reset_user_idx ON password_reset (user_id, created_at);

-- A mailed link for a colleague to create an account in the inviter's organization.
CREATE TABLE colleague_invitation (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id   bigint NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    invited_by        bigint REFERENCES app_user (id) ON DELETE SET NULL,
    email             text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    language          text NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
    token_hash        bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    accepted_at       timestamptz,
    accepted_user_id  bigint REFERENCES app_user (id) ON DELETE SET NULL,
    withdrawn_at      timestamptz,
    CHECK (accepted_at IS NULL OR withdrawn_at IS NULL)
);
CREATE INDEX colleague_invitation_organization_idx
    ON colleague_invitation (organization_id, created_at);

-- Every log-in attempt, kept for a day: the limits count recent failures per account
-- (the e-mail as typed, lower-cased, whether or not it has an account) and per client address.
CREATE TABLE login_attempt (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text NOT NULL CHECK (length(email) <= 254),
    client_address  text NOT NULL CHECK (length(client_address) <= 64),
    succeeded       boolean NOT NULL,
    attempted_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempt_email_idx ON login_attempt (email, attempted_at);
CREATE INDEX login_attempt_address_idx ON login_attempt (client_address, attempted_at);
CREATE INDEX login_attempt_time_idx ON login_attempt (attempted_at);
