-- The event's edit form names the version of the event it was made from; a save from a form
-- made before someone else's save is refused instead of replacing it (and un-inviting the
-- interviewers it added): app/views/event_changes.py. Only a save of the form's fields
-- counts (app/events/queries.py update_event), not updated_at, which publishing, the invite
-- link and cancelling also move: an open form stays good across those.
ALTER TABLE event ADD COLUMN edit_version integer NOT NULL DEFAULT 0;
