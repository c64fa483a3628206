-- No candidate is offered an interview once the event has ended early, whatever the order
-- of commits (app/live/dispatch.py; README, "Ending an event early"). A press waits for the
-- event's row while *End the event now* holds it, and then reads the row as ended; but it
-- judged "over" by its own clock, read when its statement began, against the whole minute
-- the end cut the event to: a press begun a moment before that minute (a batch of presses,
-- live_dispatch_many, or one waiting behind another press of the same interviewer) read
-- the event as still running and made an offer after its end. An event ended early is now
-- over by that alone. Otherwise live_dispatch is as in migration 0014.
CREATE OR REPLACE FUNCTION live_dispatch(p_interviewer bigint, p_candidate bigint, p_grace float8,
                              p_offer_seconds float8, p_maker uuid,
                              OUT o_outcome text, OUT o_interview bigint, OUT o_event bigint,
                              OUT o_candidate bigint)
LANGUAGE plpgsql AS $$
DECLARE
    me record;
    taken record;
    made record;
    expires timestamp;
BEGIN
    -- Presses by one interviewer take turns here; NO KEY: the interview's foreign key to
    -- this row must not conflict with it. FOR SHARE of the event: not finished, nor ended
    -- early, under us; one that was while we waited for its lock is read as it is now.
    -- Ended early it is over whatever this statement's clock (read before the wait) says.
    SELECT i.event_id, e.state::text AS event_state, e.deleted_at,
           e.ended_early_at IS NOT NULL
           OR now() >= e.starts_at + make_interval(mins => e.duration_minutes) AS over
      INTO me
      FROM event_interviewer i JOIN event e ON e.id = i.event_id
     WHERE i.id = p_interviewer
       FOR NO KEY UPDATE OF i FOR SHARE OF e;
    IF NOT FOUND THEN
        o_outcome := 'unknown_interviewer';
        RETURN;
    END IF;
    o_event := me.event_id;
    IF me.event_state NOT IN ('published', 'live') OR me.deleted_at IS NOT NULL OR me.over THEN
        o_outcome := 'event_not_open';
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM interview
                WHERE interviewer_id = p_interviewer AND state IN ('offered', 'active')) THEN
        o_outcome := 'interviewer_busy';
        RETURN;
    END IF;
    -- "Next" takes the longest-waiting dispatchable candidate (or the one picked).
    SELECT q.id, q.candidate_id INTO taken
      FROM queue_entry q
     WHERE q.event_id = me.event_id AND q.state = 'waiting'
       AND (q.disconnected_at IS NULL
            OR q.disconnected_at > now() - make_interval(secs => p_grace))
       AND EXISTS (SELECT 1 FROM candidate c WHERE c.id = q.candidate_id
                   AND c.cancelled_at IS NULL AND c.erased_at IS NULL)
       AND (p_candidate IS NULL OR q.candidate_id = p_candidate)
     ORDER BY q.queued_at, q.id LIMIT 1
       FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        o_outcome := CASE WHEN p_candidate IS NULL THEN 'empty' ELSE 'candidate_not_waiting' END;
        RETURN;
    END IF;
    UPDATE queue_entry SET state = 'offered', updated_at = now() WHERE id = taken.id;
    INSERT INTO interview (event_id, candidate_id, interviewer_id, chosen_by,
                           offer_expires_at, room_maker)
    VALUES (me.event_id, taken.candidate_id, p_interviewer,
            CASE WHEN p_candidate IS NULL THEN 'next' ELSE 'pick' END,
            now() + make_interval(secs => p_offer_seconds), p_maker)
    RETURNING id, offer_expires_at INTO made;
    expires := made.offer_expires_at AT TIME ZONE 'UTC';
    PERFORM pg_notify('live_event_' || me.event_id, json_build_object(
        'kind', 'offer', 'event', me.event_id, 'interview', made.id,
        'candidate', taken.candidate_id, 'interviewer', p_interviewer,
        'expires_at', to_char(expires, 'YYYY-MM-DD"T"HH24:MI:SS')
                      || CASE WHEN extract(microseconds FROM expires)::bigint % 1000000 = 0
                              THEN '' ELSE to_char(expires, '.US') END
                      || '+00:00')::text);
    PERFORM pg_notify('live_event_' || me.event_id,
                      json_build_object('kind', 'queue', 'event', me.event_id)::text);
    o_outcome := 'offered';
    o_interview := made.id;
    o_candidate := taken.candidate_id;
END
$$;
