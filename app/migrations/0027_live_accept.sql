-- The candidate's *Join* (app/live/actions.py accept) as one statement, as the dispatch
-- (live_dispatch, migration 0014) and the end (live_end_interview, 0024) are: one round
-- trip instead of nine, so that an accept holds its connection for the time PostgreSQL
-- needs and never across a busy application process's wait for its event loop. The same
-- steps and lock order as interviews.accept_offer and janus_access.next_token: the
-- candidate's queue entry first, then the interview.
--
-- o_outcome: 'joined' (the offer taken, or the running interview joined again after a
-- reload: a new candidate token either way), 'no_room' (offered, its room not made yet:
-- the caller waits for it and asks again), 'gone' (no offer or interview, or the offer
-- expired or was withdrawn meanwhile). With 'joined': the room (and its generation: app/live/
-- reconciler.py moves an interview to a new room), the candidate's new token serial and the
-- names its ticket carries.
CREATE FUNCTION live_accept(p_candidate bigint,
                            OUT o_outcome text, OUT o_interview bigint, OUT o_event bigint,
                            OUT o_interviewer bigint, OUT o_started boolean,
                            OUT o_server text, OUT o_room bigint, OUT o_pin text, OUT o_secret text,
                            OUT o_tokens text[], OUT o_serial integer, OUT o_generation integer,
                            OUT o_candidate_name text, OUT o_interviewer_name text)
LANGUAGE plpgsql AS $$
DECLARE
    live record;
BEGIN
    o_outcome := 'gone';
    o_started := false;
    SELECT id, event_id, interviewer_id, state, room_id INTO live FROM interview
     WHERE candidate_id = p_candidate AND state IN ('offered', 'active');
    IF NOT FOUND THEN
        RETURN;
    END IF;
    o_interview := live.id;
    o_event := live.event_id;
    o_interviewer := live.interviewer_id;
    IF live.room_id IS NULL THEN
        o_outcome := 'no_room';
        RETURN;
    END IF;
    IF live.state = 'offered' THEN
        PERFORM 1 FROM queue_entry WHERE candidate_id = p_candidate FOR UPDATE;
        -- A new statement after the lock: it sees a withdrawal committed while we waited.
        UPDATE interview i SET state = 'active', started_at = now(),
               ends_at = now() + make_interval(mins => e.interview_minutes)
          FROM event e
         WHERE i.id = live.id AND i.candidate_id = p_candidate AND i.state = 'offered'
           AND i.room_id IS NOT NULL AND i.offer_expires_at > now() AND e.id = i.event_id;
        IF NOT FOUND THEN
            RETURN;
        END IF;
        UPDATE queue_entry SET state = 'interviewing', updated_at = now()
         WHERE candidate_id = p_candidate;
        PERFORM pg_notify('live_event_' || live.event_id, json_build_object(
            'kind', 'started', 'event', live.event_id, 'interview', live.id,
            'candidate', p_candidate, 'interviewer', live.interviewer_id)::text);
        o_started := true;
    END IF;
    UPDATE interview i SET candidate_token_serial = i.candidate_token_serial + 1
      FROM candidate c, event_interviewer w
     WHERE i.id = live.id AND i.state IN ('offered', 'active') AND i.room_id IS NOT NULL
       AND c.id = i.candidate_id AND w.id = i.interviewer_id
    RETURNING i.janus_server, i.room_id, i.room_pin, i.room_secret, i.room_tokens,
              i.candidate_token_serial, i.room_generation, c.name, coalesce(nullif(w.name, ''), w.email)
         INTO o_server, o_room, o_pin, o_secret, o_tokens, o_serial, o_generation,
              o_candidate_name, o_interviewer_name;
    IF FOUND THEN
        o_outcome := 'joined';
    END IF;
END
$$;
