-- An event may be ended early once interviews run, also before its set start: interviewers may
-- call candidates in from when check-in opens (app/events/queries.py end_early). Its start then
-- becomes the moment its first candidate was called in and its length the minutes from there,
-- so that its end is never before its start and its length is what was held; the start it was
-- set to is kept beside it, as its planned length is, for its page and for a copy.
ALTER TABLE event ADD COLUMN planned_starts_at timestamptz;
