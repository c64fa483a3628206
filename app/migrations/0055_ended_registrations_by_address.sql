-- One interview per person and event: a check-in looks up the event's ended (cancelled or
-- removed) registrations under the same address, which a person interviewed and then
-- cancelled (their page no longer offers it afterwards, but it may during the interview) would
-- have, to refuse a second interview through a new registration (app/live/queue.py,
-- CHECK_IN_READ_SQL). Few registrations end, so the index is small, and it finds them
-- without a pass over the event's registrations, which the index of those not cancelled
-- (candidate_email_key) cannot.
CREATE INDEX candidate_ended_email_idx ON candidate (event_id, lower(email)) WHERE cancelled_at IS NOT NULL;
