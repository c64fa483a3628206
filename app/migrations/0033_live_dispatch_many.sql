-- The presses of *Next* and *Pick* that reach one process while its previous dispatch
-- statement is under way, dispatched together in one statement (app/live/presses.py): one
-- round trip for all of them instead of one connection's turn each behind the other
-- presses, joins and ends. Each press is live_dispatch (migration 0014) as it stands, in one
-- transaction: a later press sees the entries an earlier one offered (its statements take a
-- fresh snapshot, and rows this transaction changed are not 'waiting' to it), so no
-- candidate goes to two interviewers here either; between processes SKIP LOCKED as before.
-- The interviewers' rows are locked in the order of their ids, so two processes' batches
-- that share an interviewer (one person's two tabs) never wait for each other in a circle.
-- o_press: the press's place in the arrays (1 = the first); o_expires: the offer's expiry,
-- which the offer's NOTIFY carries, for telling the candidate's sockets in this process at
-- once.
CREATE FUNCTION live_dispatch_many(p_interviewers bigint[], p_candidates bigint[], p_grace float8,
                                   p_offer_seconds float8, p_maker uuid)
RETURNS TABLE (o_press integer, o_outcome text, o_interview bigint, o_event bigint,
               o_candidate bigint, o_expires timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    k integer;
    one record;
BEGIN
    FOR k IN SELECT s FROM generate_subscripts(p_interviewers, 1) AS s
             ORDER BY p_interviewers[s], s LOOP
        SELECT * INTO one
          FROM live_dispatch(p_interviewers[k], p_candidates[k], p_grace, p_offer_seconds, p_maker);
        o_press := k;
        o_outcome := one.o_outcome;
        o_interview := one.o_interview;
        o_event := one.o_event;
        o_candidate := one.o_candidate;
        o_expires := (SELECT i.offer_expires_at FROM interview i WHERE i.id = one.o_interview);
        RETURN NEXT;
    END LOOP;
END
$$;
