-- A registration that ends while its candidate is on the event day (app/live/leaving.py)
-- ends their interview or open offer with its own reason, not as if the candidate had left
-- the call or the queue: 'cancelled' (the candidate cancelled the registration), 'removed'
-- (the employer removed it), 'erased' (the candidate's data was erased; the interview row
-- stays, without what names the person, app/candidates/erasure.py).
ALTER TABLE interview DROP CONSTRAINT interview_end_reason_check;
ALTER TABLE interview ADD CONSTRAINT interview_end_reason_check
    CHECK (end_reason IN ('interviewer', 'candidate', 'time', 'left', 'room', 'offer_expired',
                          'withdrawn', 'cancelled', 'removed', 'erased'));
