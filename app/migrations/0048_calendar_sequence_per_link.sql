-- How many times a person's personal link was replaced by a new one (app/link_codes.py
-- reissue). Their calendar entry's SEQUENCE is the event's calendar_sequence plus this
-- (app/events/notify.py): the entry in the mail with the new link then replaces the one
-- with the old link in the calendar, as an update of the event does. With the event's
-- sequence alone, a calendar that already held the entry ignored the new one (RFC 5546: the
-- same UID and SEQUENCE is the same version), and kept a link that no longer works.
ALTER TABLE candidate ADD COLUMN link_generation integer NOT NULL DEFAULT 0;
ALTER TABLE event_interviewer ADD COLUMN link_generation integer NOT NULL DEFAULT 0;
