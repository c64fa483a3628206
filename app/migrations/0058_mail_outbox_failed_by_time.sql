-- The mails given up in the last day, which every replica's /metrics counts at each scrape
-- (snabb_mails_failed_last_day) and the operations page shows: read by this index, not by
-- a scan of every mail ever sent.
CREATE INDEX mail_outbox_failed_idx ON mail_outbox (failed_at) WHERE failed_at IS NOT NULL;
