-- Whether the candidate had answered the interest question before their data was erased
-- (app/candidates/erasure.py): the answer goes, and the summary says "answer erased with the
-- candidate's details" for it, but one who never answered still counts as "no answer"
-- (app/summary/model.py). Interviews of candidates erased before this column count as
-- answered, as the summary said of them until now.
ALTER TABLE interview ADD COLUMN answer_erased boolean NOT NULL DEFAULT false;
UPDATE interview i SET answer_erased = true
FROM candidate c WHERE c.id = i.candidate_id AND c.erased_at IS NOT NULL;
