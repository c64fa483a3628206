-- How long a candidate has waited, as the interviewers' lobby and the organizer's live view
-- show it ("waited 12 min"), counts from when they came into the queue: their check-in, or
-- their coming back after they had left it. A missed turn puts them at the end of the queue
-- (queued_at, the order) but does not start their wait again: it read "waited 4 s" for
-- someone who had been waiting for half an hour.
ALTER TABLE queue_entry ADD COLUMN waiting_since timestamptz NOT NULL DEFAULT now();
UPDATE queue_entry SET waiting_since = queued_at;
