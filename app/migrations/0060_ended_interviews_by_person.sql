-- A candidate's and an interviewer's most recently ended interview (app/live/interviews.py
-- last_ended: the candidate's page asks for it at every load, to say their saved answer
-- back): read by these, not by a scan of every interview ever ended. The indexes of 0006 on
-- the two columns hold only the offered and active interviews.
CREATE INDEX interview_ended_by_candidate_idx ON interview (candidate_id, ended_at DESC)
    WHERE state = 'ended';
CREATE INDEX interview_ended_by_interviewer_idx ON interview (interviewer_id, ended_at DESC)
    WHERE state = 'ended';
