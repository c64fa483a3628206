-- A registration's locked part, shorter (app/candidates/registration.py): what PostgreSQL did
-- under the event's row lock per registration was mostly looking for the address, a scan of
-- every registration of the event computing lower(email) for each (0.77 ms of the statement's
-- time at 1,000-2,000 registered, measured with pg_stat_statements; BENCHMARKS.md,
-- "Registration"), and writing the confirmation's row with its bodies.
--
-- take_registration_seat does what registration_take_seat (migration 0029) does, with the
-- same arguments and results, but:
-- - inserts the candidate ON CONFLICT with the unique index candidate_email_key (event,
--   lower(email) of the registrations not cancelled), which finds the address's registration
--   if there is one, rather than scanning the event's registrations for it first (a look-up
--   by that index is left to the planner, which without statistics on a fresh table scanned
--   the event by candidate_event_idx instead); the address is looked for only when no seat
--   was taken;
-- - writes the mail's row before it takes the lock, so the lock is held for the look-up, the
--   count and the candidate's row only. The mail names its candidate before the candidate's
--   row exists: its foreign key is checked when the transaction commits (the constraint is
--   made deferrable here, checked at once as before for every other statement). When no
--   seat is taken, the row is deleted again before the commit: nobody ever sees it.
-- registration_take_seat stays for application processes of the previous release while a
-- deployment replaces them one by one.

ALTER TABLE mail_outbox ALTER CONSTRAINT mail_outbox_candidate_id_fkey DEFERRABLE INITIALLY IMMEDIATE;

CREATE FUNCTION take_registration_seat(
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
    -- Before the lock: the mail, naming the candidate about to be inserted.
    SET CONSTRAINTS mail_outbox_candidate_id_fkey DEFERRED;
    INSERT INTO mail_outbox (message_id, to_address, to_name, language, template, subject,
                             text_body, html_body, ics, ics_method, candidate_id)
    VALUES (p_message_id, p_to_address, p_to_name, p_mail_language, p_template, p_subject,
            p_text_body, p_html_body, p_ics, p_ics_method, p_candidate)
    RETURNING id INTO mail_id;
    SELECT e.id INTO locked_id FROM event e JOIN organization o ON o.id = e.organization_id
     WHERE e.invite_token = p_token AND registration_event_version(e, o.name) = p_version
       FOR UPDATE OF e;
    IF FOUND THEN
        o_fresh := true;
        -- A new statement after the lock: it counts every registration committed before it.
        SELECT count(*) INTO o_registered
          FROM candidate WHERE event_id = locked_id AND cancelled_at IS NULL;
        IF p_open_until IS NOT NULL AND o_now < p_open_until
           AND o_registered < (SELECT capacity FROM event WHERE id = locked_id) THEN
            -- The address's registration, if any, is found by the unique index itself
            -- (candidate_email_key): no plan of the planner's can scan the event for it.
            INSERT INTO candidate (id, event_id, name, email, phone, language, access_token,
                                   pin, consented_at)
            OVERRIDING SYSTEM VALUE
            VALUES (p_candidate, locked_id, p_name, p_email, p_phone, p_language,
                    p_access_token, p_pin, now())
            ON CONFLICT (event_id, lower(email)) WHERE cancelled_at IS NULL DO NOTHING;
            IF FOUND THEN
                PERFORM pg_notify('mail_outbox', mail_id::text);
                o_inserted := true;
                RETURN;
            END IF;
        END IF;
        -- No seat taken (full, closed, or the address registered): which registration the
        -- address has, if any, for the caller to send its confirmation again.
        SELECT id INTO o_existing FROM candidate
         WHERE event_id = locked_id AND lower(email) = lower(p_email) AND cancelled_at IS NULL;
    END IF;
    -- No seat taken: the mail goes with it (the caller goes the long way, or says why not).
    DELETE FROM mail_outbox WHERE id = mail_id;
END
$$;
