-- The mail outbox (DESIGN §4): every mail is a row first, written in the same transaction as
-- the change that caused it, and sent afterwards by the worker in app/mail/worker.py.
-- The texts are rendered when the row is written, so a mail says what was true then, in the
-- recipient's language, whatever changes before it goes out.

CREATE TABLE mail_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- "<random@sender-domain>": the same on every attempt, so a receiver that sees a mail
    -- twice (after a crash between the SMTP reply and our UPDATE) can tell it is one mail.
    message_id       text NOT NULL UNIQUE CHECK (length(message_id) BETWEEN 5 AND 250),
    to_address       text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    to_name          text NOT NULL DEFAULT '' CHECK (length(to_name) <= 200),
    language         text NOT NULL CHECK (language IN ('sv', 'en')),
    -- Which template made it (web/templates/mail/<template>.*): for people reading the table.
    template         text NOT NULL CHECK (length(template) BETWEEN 1 AND 100),
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    text_body        text NOT NULL,
    html_body        text NOT NULL,
    -- An RFC 5545 calendar (VCALENDAR text) sent as invite.ics, and its METHOD.
    ics              text,
    ics_method       text CHECK (ics_method IN ('REQUEST', 'CANCEL')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- Attempts started. Taking a row sets next_attempt_at to a lease far beyond one SMTP
    -- exchange, so no other worker takes it meanwhile; a worker that dies mid-attempt leaves
    -- the row to be tried again once the lease has run out.
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- Which process last took the row (host:pid:random), for whoever investigates.
    claimed_by       text,
    -- Why the last attempt failed: an exception name and the server's reply, never a secret.
    last_error       text CHECK (length(last_error) <= 1000),
    sent_at          timestamptz,
    -- The server refused the recipient or the message for good (an SMTP 5xx reply):
    -- trying again would not help.
    failed_at        timestamptz,
    CHECK ((ics IS NULL) = (ics_method IS NULL)),
    CHECK (sent_at IS NULL OR failed_at IS NULL)
);

-- What the worker looks for: mails not yet sent nor refused, the most overdue first.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND failed_at IS NULL;
