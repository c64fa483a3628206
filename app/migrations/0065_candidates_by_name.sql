-- The meeting web's list of registered candidates tells two of the same name apart (their
-- e-mail address beside the name, app/live/roster.py): whether another registration of the
-- event has a row's name is read by this index, not by a walk over everyone registered.
CREATE INDEX candidate_event_name_idx ON candidate (event_id, lower(name))
    WHERE cancelled_at IS NULL AND erased_at IS NULL;
