-- Why a side's page could not start its camera or microphone in its interview, as that page
-- said it (app/live/PROTOCOL.md, `devices`, `problem`), or NULL once it could (or never
-- said). The other side's page then says that the person is being shown what to do,
-- rather than only waiting for them to join (docs/calls.md). Kept on the interview, so a
-- page that joins or reloads during it is told at once.
ALTER TABLE interview
    ADD COLUMN candidate_media_problem text
        CHECK (candidate_media_problem IN ('blocked', 'in_use', 'no_camera', 'no_microphone', 'not_found', 'other')),
    ADD COLUMN interviewer_media_problem text
        CHECK (interviewer_media_problem IN ('blocked', 'in_use', 'no_camera', 'no_microphone', 'not_found', 'other'));
