-- The interviewer's record of an interview (notes, questions covered, ratings) counts its
-- saves. One interviewer may have the meeting web open in several windows or devices; each
-- `save` names the version it was based on, and one based on an older version is refused
-- (record_changed) instead of replacing what another window saved (app/live/outcome.py).
ALTER TABLE interview ADD COLUMN record_version integer NOT NULL DEFAULT 0;
