-- Privacy: erasing a candidate on request (the candidate or the employer) and after the
-- retention time, the mails that belong to a candidate, and sign-ups confirmed by mail, so
-- that the sign-up form does not tell a stranger whether an address has an account.
-- Erasure itself is app/candidates/erasure.py; README "Privacy" says what it keeps.

-- Who erased a registration: the candidate, the employer, or the retention worker.
ALTER TABLE candidate
    ADD COLUMN erased_by text CHECK (erased_by IN ('candidate', 'employer', 'retention')),
    ADD CONSTRAINT candidate_erased_by_with_erased_at CHECK (erased_by IS NULL OR erased_at IS NOT NULL);
UPDATE candidate SET erased_by = 'retention' WHERE erased_at IS NOT NULL;

-- Which registration a mail was written to, so erasing one registration strips its mails
-- and no other's (one address may be registered for several events). A sent mail keeps
-- no body (app/mail/store.py), so nothing else in the row could tell it later.
ALTER TABLE mail_outbox
    ADD COLUMN candidate_id bigint REFERENCES candidate (id) ON DELETE SET NULL,
    -- Set when the recipient was erased: address, name and bodies are then empty.
    ADD COLUMN erased_at timestamptz;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_to_address_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_to_address_check
    CHECK (length(to_address) <= 254 AND (length(to_address) >= 3 OR erased_at IS NOT NULL));
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_erased_check
    CHECK (erased_at IS NULL OR sent_at IS NOT NULL OR failed_at IS NOT NULL);
CREATE INDEX mail_outbox_candidate_idx ON mail_outbox (candidate_id) WHERE candidate_id IS NOT NULL;

-- The mails written before this migration: those still holding their calendar entry are
-- known by its UID (app/events/tokens.py calendar_uid); the others by their address, when
-- only one registration ever had it and no interviewer does.
UPDATE mail_outbox m SET candidate_id = c.id FROM candidate c
WHERE m.candidate_id IS NULL AND m.ics IS NOT NULL
  AND position(('UID:event-' || c.event_id || '-candidate-' || c.id || '@') IN m.ics) > 0;
UPDATE mail_outbox m SET candidate_id = c.id FROM candidate c
WHERE m.candidate_id IS NULL
  AND m.template IN ('candidate_registration', 'candidate_reminder', 'candidate_cancelled',
                     'event_time_changed', 'event_cancelled')
  AND lower(m.to_address) = lower(c.email)
  AND (SELECT count(*) FROM candidate o WHERE lower(o.email) = lower(c.email)) = 1
  AND NOT EXISTS (SELECT 1 FROM event_interviewer i WHERE lower(i.email) = lower(c.email));

-- A sign-up waiting for its address to be confirmed: the mailed link (its token kept as a
-- SHA-256 hash) creates the organization and the account. Swept when expired.
CREATE TABLE signup_request (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash         bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    organization_name  text NOT NULL CHECK (length(organization_name) BETWEEN 1 AND 200),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash      text NOT NULL,
    language           text NOT NULL CHECK (language IN ('sv', 'en')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL
);
CREATE INDEX signup_request_email_idx ON signup_request (lower(email), created_at);
CREATE INDEX signup_request_expires_idx ON signup_request (expires_at);
