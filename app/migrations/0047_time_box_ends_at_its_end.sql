-- An interview ended by its time box ends at its end (interview.ends_at), not when the
-- sweep that ends it came (app/live/interviews.py end_due_interviews): after a time with
-- no process running, such an interview showed in the summary as long as the outage, two
-- hours for a ten-minute interview. Otherwise live_end_interview is as in migration 0024.
CREATE OR REPLACE FUNCTION live_end_interview(p_interview bigint, p_interviewer bigint, p_reason text,
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
    -- Ended by its time box, it ended at its end: a sweep that comes late (no process was
    -- running, or none could reach the database) does not lengthen it in the summary.
    UPDATE interview SET state = 'ended', end_reason = p_reason,
           ended_at = CASE WHEN p_reason = 'time' THEN greatest(started_at, least(now(), ends_at))
                           ELSE now() END
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
