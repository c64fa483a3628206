-- An interview keeps its interviewer: removing an interviewer from an event (an edit of its
-- list) no longer deletes their interviews, ratings and answers with them (ON DELETE
-- CASCADE did). The edit form refuses to drop an interviewer who has interviews
-- (app/events/held.py); this holds it whatever the code does. NO ACTION, not RESTRICT: it
-- is checked at the end of the statement, so a statement that removes a whole event (its
-- interviews and its interviewers together) still can.
ALTER TABLE interview DROP CONSTRAINT interview_interviewer_id_fkey,
    ADD CONSTRAINT interview_interviewer_id_fkey
        FOREIGN KEY (interviewer_id) REFERENCES event_interviewer (id);
