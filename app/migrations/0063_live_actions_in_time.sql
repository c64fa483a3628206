-- A live action's statement that the database reads only after the action was given up on
-- does nothing (app/live/action_bound.py): the control plane answers an action whose
-- database work is not done within a few seconds `unavailable` and closes its connection,
-- but a statement already sent to a backend that hangs (a frozen host) lies in the
-- connection's buffer, and a backend that wakes runs it and commits it on its own (a single
-- statement is its own transaction) before it notices the connection is gone: a *Next*
-- pressed during a freeze made an offer after the thaw. The one-statement actions (Next,
-- Pick, Join, End, leaving the queue) pass one of their arguments through this guard, with
-- the moment the action is given up on; it refuses (57014, as a cancelled statement) when
-- the statement runs after it. NULL: no bound (the sweeper, scripts).
CREATE FUNCTION live_in_time(p_not_after timestamptz, p_value anyelement) RETURNS anyelement
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_not_after IS NOT NULL AND clock_timestamp() > p_not_after THEN
        RAISE EXCEPTION 'a live action given up on at %', p_not_after USING ERRCODE = '57014';
    END IF;
    RETURN p_value;
END $$;
