-- A draft has never mailed a calendar entry: the drafts that were made before 0059 get their
-- key too, so that their UIDs are as unique as every newer event's once they are published.
UPDATE event SET calendar_key = replace(gen_random_uuid()::text, '-', '')
WHERE state = 'draft' AND calendar_key IS NULL;
