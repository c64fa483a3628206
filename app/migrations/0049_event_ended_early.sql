-- An organizer may end an event that has begun before its set end (app/events/workflow.py
-- end_event_now; docs in README, "Ending an event early"). Its length becomes the whole
-- minutes it ran, so that everything that reads the event's end (the dispatcher, the
-- pages, the state that moves it to finished) sees it over at once; the length it was set
-- to is kept beside it, for its page and for a copy. Such a length may be shorter than the
-- 5 minutes a form allows and than one interview.
ALTER TABLE event ADD COLUMN ended_early_at timestamptz,
                  ADD COLUMN planned_duration_minutes integer;
ALTER TABLE event DROP CONSTRAINT event_duration_minutes_check,
                  DROP CONSTRAINT event_check;
ALTER TABLE event
    ADD CONSTRAINT event_duration_minutes_check CHECK (
        duration_minutes BETWEEN 5 AND 1440
        OR (ended_early_at IS NOT NULL AND duration_minutes BETWEEN 0 AND 1440)),
    ADD CONSTRAINT event_interview_within_duration CHECK (
        interview_minutes <= duration_minutes OR ended_early_at IS NOT NULL),
    ADD CONSTRAINT event_planned_when_ended_early CHECK (
        (ended_early_at IS NULL) = (planned_duration_minutes IS NULL));
