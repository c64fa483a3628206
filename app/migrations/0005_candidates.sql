-- Candidate registrations (issue 4): who ended a registration, the consent given, the
-- reminder, the guard against PIN guessing, confirmation resends, and erasure after the
-- retention time.

ALTER TABLE candidate
    -- Set with cancelled_at: 'candidate' cancelled it themselves, 'employer' removed them.
    ADD COLUMN cancelled_by             text CHECK (cancelled_by IN ('candidate', 'employer')),
    -- When the candidate agreed to the processing of their data (the invite form's checkbox).
    ADD COLUMN consented_at             timestamptz,
    -- Set in the same transaction that queues the reminder mail: never a second one.
    ADD COLUMN reminder_sent_at         timestamptz,
    -- Wrong PINs since the last lock (or the last right one); at the limit the link locks
    -- until pin_locked_until, for longer after each lock (pin_lockouts counts them).
    ADD COLUMN pin_failures             integer NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
    ADD COLUMN pin_lockouts             integer NOT NULL DEFAULT 0 CHECK (pin_lockouts >= 0),
    ADD COLUMN pin_locked_until         timestamptz,
    -- Registering again with the same address re-sends the confirmation; these cap how
    -- often, so the form cannot be used to flood someone's mailbox.
    ADD COLUMN resend_window_started_at timestamptz,
    ADD COLUMN resends_in_window        integer NOT NULL DEFAULT 0 CHECK (resends_in_window >= 0),
    -- Personal data replaced after the retention time (settings: candidates.retention_days).
    ADD COLUMN erased_at                timestamptz,
    ADD CHECK (cancelled_by IS NULL OR cancelled_at IS NOT NULL);

-- The reminder worker's look-up: registrations still waiting for their reminder.
CREATE INDEX candidate_reminder_due_idx ON candidate (event_id)
    WHERE reminder_sent_at IS NULL AND cancelled_at IS NULL;
