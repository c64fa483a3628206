-- The number registered, kept rather than counted (app/candidates/registration.py): a
-- registration counted the event's registrations under the event's row lock, work that
-- grew with the event (10,000 rows at the largest capacity) while every other registration
-- of the event waited for the lock. Now triggers on candidate keep the count of its
-- registrations that are not cancelled or erased, per event, and the registration, the
-- event's pages and the lists read one row.
--
-- In a table of its own, not a column of event: a cancellation holds the event FOR SHARE
-- (app/views/candidate_page.py) and two of them upgrading that lock to update the event row
-- would deadlock; a row here is taken only at the end of the statement that changed the
-- count, after every wait of that statement. Statement-level triggers with transition
-- tables: a statement changing many candidates (an event's erasure) updates each event's
-- row once.

CREATE TABLE event_registered (
    event_id    bigint PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
    registered  integer NOT NULL
);

INSERT INTO event_registered (event_id, registered)
SELECT e.id, (SELECT count(*) FROM candidate c
               WHERE c.event_id = e.id AND c.cancelled_at IS NULL AND c.erased_at IS NULL)
  FROM event e;

-- What an event's registered count is: its row, or none registered yet.
CREATE FUNCTION registered_count(p_event bigint) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT registered FROM event_registered WHERE event_id = p_event), 0)
$$;

-- Add each event's change: the rows counted after the statement minus those before it.
CREATE FUNCTION event_registered_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_registered AS r (event_id, registered)
        SELECT event_id, count(*) FROM new_rows
         WHERE cancelled_at IS NULL AND erased_at IS NULL GROUP BY event_id
        ON CONFLICT (event_id) DO UPDATE SET registered = r.registered + EXCLUDED.registered;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE event_registered r SET registered = r.registered - d.gone
          FROM (SELECT event_id, count(*) AS gone FROM old_rows
                 WHERE cancelled_at IS NULL AND erased_at IS NULL GROUP BY event_id) d
         WHERE r.event_id = d.event_id;
    ELSE
        INSERT INTO event_registered AS r (event_id, registered)
        SELECT event_id, sum(delta) FROM (
            SELECT event_id, 1 AS delta FROM new_rows
             WHERE cancelled_at IS NULL AND erased_at IS NULL
            UNION ALL
            SELECT event_id, -1 FROM old_rows
             WHERE cancelled_at IS NULL AND erased_at IS NULL) changes
         GROUP BY event_id HAVING sum(delta) <> 0
        ON CONFLICT (event_id) DO UPDATE SET registered = r.registered + EXCLUDED.registered;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER candidate_registered_insert AFTER INSERT ON candidate
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_registered_change();
CREATE TRIGGER candidate_registered_update AFTER UPDATE ON candidate
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_registered_change();
CREATE TRIGGER candidate_registered_delete AFTER DELETE ON candidate
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_registered_change();

-- The registration's statement (migration 0036) with the count read, not counted.
CREATE OR REPLACE FUNCTION take_registration_seat(
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
        -- A new statement after the lock: it reads the count as every registration and
        -- cancellation committed before it left it.
        o_registered := registered_count(locked_id);
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
