-- A calendar entry's UID was "event-<id>-<kind>-<recipient>@snabbintervjuer": the same for
-- a different event of another installation, or of this one after its database was made
-- anew, and a calendar app takes a new invitation with a UID it knows as a change of the
-- entry it holds (or drops it, its SEQUENCE being lower). Each event gets a random key of its
-- own that goes into its UIDs. The events that exist keep none: their entries were sent
-- with the UIDs as they were, which their updates and cancellations must repeat.
ALTER TABLE event ADD COLUMN calendar_key text;
ALTER TABLE event ALTER COLUMN calendar_key SET DEFAULT replace(gen_random_uuid()::text, '-', '');
