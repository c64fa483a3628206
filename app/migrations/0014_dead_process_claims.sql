-- What a process holds is released within seconds of its heartbeat stopping
-- (app/live/connections.py): besides its sockets, the rooms it was making and its mail claims.

-- The process making an offered interview's Janus room, after the dispatch committed
-- (app/live/dispatch.py). While the interview has no room and this process no longer
-- beats (its row is gone from live_process), any live process makes the room instead.
ALTER TABLE interview ADD COLUMN room_maker uuid;
CREATE INDEX interview_roomless_offer ON interview (offered_at)
    WHERE state = 'offered' AND room_id IS NULL;

-- The process that claimed a mail (app/mail/worker.py): a claim of a process that no longer
-- beats is due again at once, not when its lease runs out.
ALTER TABLE mail_outbox ADD COLUMN claimed_by_process uuid;

-- The dispatcher's transaction (app/live/dispatch.py) as one statement: a dispatch is one
-- round trip to the database, so the queue's row locks are held for the time PostgreSQL
-- needs and never across a busy application process's wait for its event loop. Each
-- statement inside runs with a fresh snapshot (READ COMMITTED), as they did as separate
-- statements: the busy check sees what a concurrent press committed before the lock came.
-- Rule 1: the queue entry is taken FOR UPDATE SKIP LOCKED; rule 2: under the interviewer's
-- row lock, and the partial unique indexes of migration 0006 in the end. The candidate
-- hears of the offer (NOTIFY 'offer', with its expiry as Python's isoformat() writes it)
-- when this commits; the room is made afterwards.
CREATE FUNCTION live_dispatch(p_interviewer bigint, p_candidate bigint, p_grace float8,
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
    -- this row must not conflict with it. FOR SHARE of the event: not finished under us.
    SELECT i.event_id, e.state::text AS event_state, e.deleted_at,
           now() >= e.starts_at + make_interval(mins => e.duration_minutes) AS over
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
    -- Rule 3: the longest-waiting dispatchable candidate (or the one picked).
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
