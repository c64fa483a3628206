-- A registration's locked part as one statement (app/candidates/registration.py): lock the
-- event's row, count the registrations, and if the event is as the confirmation was
-- rendered from and has room, insert the candidate and queue its mail; the statement's
-- own transaction lets the lock go when it returns. One round trip instead of four (BEGIN,
-- the locking read, the count with the inserts, COMMIT), so that the lock is held for the
-- time PostgreSQL needs and never across a busy application process's wait for its event
-- loop, which registrations for one event otherwise queued behind (BENCHMARKS.md,
-- "Registration").

-- What a confirmation shows of an event (the columns of app/candidates/queries.py
-- EVENT_COLUMNS): the same text as long as none of them changed.
CREATE FUNCTION registration_event_version(e event, organization_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT md5(row(e.id, e.organization_id, organization_name, e.title, e.job_description,
                   e.starts_at, e.duration_minutes, e.interview_minutes, e.capacity, e.language,
                   e.state, e.invite_token, e.invite_open, e.calendar_sequence,
                   e.deleted_at)::text)
$$;

-- p_version: registration_event_version of the event as the mail was rendered from it;
-- p_open_until: until when that event takes registrations, counts aside (NULL: it does not;
-- app/candidates/rules.py decides). o_fresh false: no such event, or it changed since, and
-- nothing was done (the caller goes the long way). Else o_registered (before any insert),
-- o_existing (a registration of the address) and o_inserted.
CREATE FUNCTION registration_take_seat(
    p_token text, p_version text, p_open_until timestamptz,
    p_candidate bigint, p_name text, p_email text, p_phone text, p_language text,
    p_access_token text, p_pin text,
    p_message_id text, p_to_address text, p_to_name text, p_mail_language text,
    p_template text, p_subject text, p_text_body text, p_html_body text, p_ics text,
    p_ics_method text,
    OUT o_fresh boolean, OUT o_now timestamptz, OUT o_registered bigint,
    OUT o_existing bigint, OUT o_inserted boolean)
LANGUAGE plpgsql AS $$
DECLARE
    locked_id bigint;
    mail_id bigint;
BEGIN
    o_fresh := false;
    o_inserted := false;
    o_now := now();
    SELECT e.id INTO locked_id FROM event e JOIN organization o ON o.id = e.organization_id
     WHERE e.invite_token = p_token AND registration_event_version(e, o.name) = p_version
       FOR UPDATE OF e;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    o_fresh := true;
    -- A new statement after the lock: it counts every registration committed before it.
    SELECT count(*), min(id) FILTER (WHERE lower(email) = lower(p_email))
      INTO o_registered, o_existing
      FROM candidate WHERE event_id = locked_id AND cancelled_at IS NULL;
    IF o_existing IS NOT NULL OR p_open_until IS NULL OR o_now >= p_open_until THEN
        RETURN;
    END IF;
    IF o_registered >= (SELECT capacity FROM event WHERE id = locked_id) THEN
        RETURN;
    END IF;
    INSERT INTO candidate (id, event_id, name, email, phone, language, access_token, pin,
                           consented_at)
    OVERRIDING SYSTEM VALUE
    VALUES (p_candidate, locked_id, p_name, p_email, p_phone, p_language, p_access_token,
            p_pin, now());
    INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                             text_body, html_body, ics, ics_method, candidate_id)
    VALUES (p_message_id, p_to_address, p_to_name, p_mail_language, p_template, p_subject,
            p_text_body, p_html_body, p_ics, p_ics_method, p_candidate)
    RETURNING id INTO mail_id;
    PERFORM pg_notify('mail_outbox', mail_id::text);
    o_inserted := true;
END
$$;
