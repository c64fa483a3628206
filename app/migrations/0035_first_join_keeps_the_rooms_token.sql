-- The candidate's first *Join* hands out the Janus token their room was made with
-- (serial 0: app/janus/pool.py create_private_room installs it with the room, the
-- reconciler with a new room), instead of counting a new one that Janus must be told of
-- before the ticket can go: an Admin API session (connect, add, remove, close) off the
-- path from *Join* to the call (BENCHMARKS.md, "Changeover"). That token was never in a
-- ticket: the candidate's page holds none before its first join, and nobody else is given
-- the candidate's. Joining again (a reload, another device) still counts a new token and
-- Janus stops taking the previous one (app/live/janus_access.py), so only the newest
-- ticket opens anything. And it answers the interview's end (`o_ends_at`, Unix seconds),
-- which the ticket's TURN credentials last until (app/turn.py): the `ticket` reply carries
-- its join info without another read (app/live/janus_access.py). Otherwise live_accept as
-- in migration 0027.
DROP FUNCTION live_accept(bigint);
CREATE FUNCTION live_accept(p_candidate bigint,
                            OUT o_outcome text, OUT o_interview bigint, OUT o_event bigint,
                            OUT o_interviewer bigint, OUT o_started boolean,
                            OUT o_server text, OUT o_room bigint, OUT o_pin text, OUT o_secret text,
                            OUT o_tokens text[], OUT o_serial integer, OUT o_generation integer,
                            OUT o_candidate_name text, OUT o_interviewer_name text,
                            OUT o_ends_at double precision)
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
    -- The first join keeps the token the room was made with (never in a ticket before);
    -- every later one counts the next.
    UPDATE interview i SET candidate_token_serial = i.candidate_token_serial
                                                    + CASE WHEN o_started THEN 0 ELSE 1 END
      FROM candidate c, event_interviewer w
     WHERE i.id = live.id AND i.state IN ('offered', 'active') AND i.room_id IS NOT NULL
       AND c.id = i.candidate_id AND w.id = i.interviewer_id
    RETURNING i.janus_server, i.room_id, i.room_pin, i.room_secret, i.room_tokens,
              i.candidate_token_serial, i.room_generation, c.name, coalesce(nullif(w.name, ''), w.email),
              extract(epoch FROM i.ends_at)
         INTO o_server, o_room, o_pin, o_secret, o_tokens, o_serial, o_generation,
              o_candidate_name, o_interviewer_name, o_ends_at;
    IF FOUND THEN
        o_outcome := 'joined';
    END IF;
END
$$;
