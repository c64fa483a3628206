-- A registration erased once its event is over lasted to the event's end
-- (app/candidates/erasure.py keeps its cancelled_at empty then): the employer keeps "that
-- there was a registration" and whether they checked in, and the summary lists its
-- interviews. It is counted so too: among the registered (migration 0039) and, its entry
-- kept as the fact that they checked in, among those checked in (migration 0054). Before
-- this it dropped out of both counts while its interviews stayed in the summary, and the
-- live view said "3 of 3 registered candidates checked in" beside 4 interviews held.
-- (Migrations run under an advisory lock while old processes may still serve.)
-- A registration erased before the end is cancelled by the erasure too, and ends as before.

-- No registration may change while its count is made again (a registration committed after
-- the recount's snapshot would lose its +1), as in migration 0054.
LOCK TABLE candidate IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE FUNCTION event_registered_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_registered AS r (event_id, registered)
        SELECT event_id, count(*) FROM new_rows
         WHERE cancelled_at IS NULL GROUP BY event_id
        ON CONFLICT (event_id) DO UPDATE SET registered = r.registered + EXCLUDED.registered;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE event_registered r SET registered = r.registered - d.gone
          FROM (SELECT event_id, count(*) AS gone FROM old_rows
                 WHERE cancelled_at IS NULL GROUP BY event_id) d
         WHERE r.event_id = d.event_id;
    ELSE
        INSERT INTO event_registered AS r (event_id, registered)
        SELECT event_id, sum(delta) FROM (
            SELECT event_id, 1 AS delta FROM new_rows WHERE cancelled_at IS NULL
            UNION ALL
            SELECT event_id, -1 FROM old_rows WHERE cancelled_at IS NULL) changes
         GROUP BY event_id HAVING sum(delta) <> 0
        ON CONFLICT (event_id) DO UPDATE SET registered = r.registered + EXCLUDED.registered;
    END IF;
    RETURN NULL;
END
$$;

UPDATE event_registered r
   SET registered = (SELECT count(*) FROM candidate c
                      WHERE c.event_id = r.event_id AND c.cancelled_at IS NULL);

-- An erasure ends the entry's registration only where it still waits: there the database's
-- guard (migration 0054, queue_entry_waits_registered) refuses it as before, since every
-- erasure takes its candidate out of the queue first (app/live/leaving.py). An entry past
-- waiting (done, left) of one erased after the event stays counted as checked in. A
-- cancellation (also every erasure before the end) ends every entry of the registration.
CREATE OR REPLACE FUNCTION candidate_registration_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE queue_entry SET registration_ended = true
     WHERE candidate_id = NEW.id AND (NEW.cancelled_at IS NOT NULL OR state = 'waiting');
    RETURN NULL;
END
$$;

-- The entries of registrations erased after their event: checked in, not ended.
UPDATE queue_entry q SET registration_ended = false
  FROM candidate c
 WHERE c.id = q.candidate_id AND q.registration_ended
   AND q.state <> 'waiting' AND c.cancelled_at IS NULL AND c.erased_at IS NOT NULL;
