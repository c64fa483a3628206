-- Which of each side's microphone and camera is switched off in their interview, as their
-- page said it (app/live/PROTOCOL.md, `devices`): the other side's page then says "camera
-- off" or "microphone off" instead of reading the missing picture or sound as a weak
-- connection (docs/calls.md). Kept on the interview, so a page that joins or reloads
-- during it is told at once.
ALTER TABLE interview ADD COLUMN candidate_microphone_off boolean NOT NULL DEFAULT false,
                      ADD COLUMN candidate_camera_off boolean NOT NULL DEFAULT false,
                      ADD COLUMN interviewer_microphone_off boolean NOT NULL DEFAULT false,
                      ADD COLUMN interviewer_camera_off boolean NOT NULL DEFAULT false;
