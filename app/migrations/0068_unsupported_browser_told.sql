-- A browser that cannot make video calls at all (no WebRTC) is said to the other side too,
-- as `unsupported` (app/live/PROTOCOL.md, `devices`, `problem`): the interviewer whose
-- candidate opened their link in such a browser learns it at the offer, instead of waiting
-- for someone who cannot come (docs/calls.md).
ALTER TABLE interview
    DROP CONSTRAINT interview_candidate_media_problem_check,
    DROP CONSTRAINT interview_interviewer_media_problem_check,
    ADD CONSTRAINT interview_candidate_media_problem_check CHECK (candidate_media_problem IN
        ('blocked', 'in_use', 'no_camera', 'no_microphone', 'not_found', 'other', 'unsupported')),
    ADD CONSTRAINT interview_interviewer_media_problem_check CHECK (interviewer_media_problem IN
        ('blocked', 'in_use', 'no_camera', 'no_microphone', 'not_found', 'other', 'unsupported'));
