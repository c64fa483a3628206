-- An event deleted while it is being held ends its event day at once (app/live/cancelling.py):
-- its calls under way end and its open offers are withdrawn, recorded as 'event_cancelled',
-- neither the interviewer's doing nor the candidate's.
ALTER TABLE interview DROP CONSTRAINT interview_end_reason_check;
ALTER TABLE interview ADD CONSTRAINT interview_end_reason_check
    CHECK (end_reason IN ('interviewer', 'candidate', 'time', 'left', 'room', 'offer_expired',
                          'withdrawn', 'cancelled', 'removed', 'erased', 'event_cancelled'));
