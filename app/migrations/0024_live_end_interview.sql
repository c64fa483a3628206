-- Ending an interview (app/live/interviews.py end_interview) as one statement, as the
-- dispatch is (live_dispatch, migration 0014): one round trip instead of seven, so that
-- *End* holds its connection for the time PostgreSQL needs and never across a busy
-- application process's wait for its event loop. The lock order of app/live: the
-- candidate's queue entry first, then the interview. `p_interview` NULL: the running
-- interview of `p_interviewer` (the interviewer's *End*). o_interview: the interview meant
-- (NULL when there is none); o_ended: whether this call ended it (false when it was not
-- running: ending twice is harmless); the room to destroy after the commit.
CREATE FUNCTION live_end_interview(p_interview bigint, p_interviewer bigint, p_reason text,
                                   OUT o_interview bigint, OUT o_ended boolean,
                                   OUT o_server text, OUT o_room bigint, OUT o_secret text)
LANGUAGE plpgsql AS $$
DECLARE
    ended record;
BEGIN
    o_ended := false;
    o_interview := p_interview;
    IF o_interview IS NULL THEN
        SELECT id INTO o_interview FROM interview
         WHERE interviewer_id = p_interviewer AND state = 'active';
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    PERFORM 1 FROM queue_entry q JOIN interview i ON i.candidate_id = q.candidate_id
     WHERE i.id = o_interview FOR UPDATE OF q;
    -- A new statement after the lock: it sees an end committed while we waited for it.
    UPDATE interview SET state = 'ended', ended_at = now(), end_reason = p_reason
     WHERE id = o_interview AND state = 'active'
    RETURNING id, event_id, candidate_id, interviewer_id, janus_server, room_id, room_secret
         INTO ended;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE queue_entry SET state = 'done', updated_at = now()
     WHERE candidate_id = ended.candidate_id;
    PERFORM pg_notify('live_event_' || ended.event_id, json_build_object(
        'kind', 'ended', 'event', ended.event_id, 'interview', ended.id,
        'candidate', ended.candidate_id, 'interviewer', ended.interviewer_id)::text);
    PERFORM pg_notify('live_event_' || ended.event_id,
                      json_build_object('kind', 'queue', 'event', ended.event_id)::text);
    o_ended := true;
    o_server := ended.janus_server;
    o_room := ended.room_id;
    o_secret := ended.room_secret;
END
$$;
