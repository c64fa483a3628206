-- The queue's parts as every change reads them (app/live/event_view.py), each from an index
-- of its own instead of the event's candidates joined to their entries: that join (two
-- scans of the event, a hash join and a sort of the order) cost PostgreSQL about 9 ms at
-- 10,000 waiting, for every change, in every process.
--
-- The order: the waiting entries in the order of this index, which carries what the read
-- needs (an index-only scan, no sort). It replaces queue_entry_waiting_idx, the same keys,
-- which the dispatcher's look-up uses as before.
CREATE INDEX queue_entry_waiting_order_idx ON queue_entry (event_id, queued_at, id)
    INCLUDE (candidate_id, disconnected_at) WHERE state = 'waiting';
DROP INDEX queue_entry_waiting_idx;

-- The waiting whose connection is gone (a few): those whose grace ran out are out of the
-- order, and the sweeper makes them away (queue.mark_away) from this index too.
CREATE INDEX queue_entry_disconnected_idx ON queue_entry (event_id)
    WHERE state = 'waiting' AND disconnected_at IS NOT NULL;

-- Everyone past waiting (offered, in a call, away, left, done): bounded by the interviews
-- held and those who left, not by the queue's length.
CREATE INDEX queue_entry_passed_idx ON queue_entry (event_id) WHERE state <> 'waiting';

-- The order is read without the candidates, so a waiting entry must belong to a live
-- registration: every way a registration ends (cancelled, removed, erased) takes its
-- candidate out of the queue in the same transaction (app/live/leaving.py), and this holds
-- every later change to that, at commit (deferred: the registration ends first, then the
-- leave). The dispatcher's own test of the registration stays as it was.
CREATE FUNCTION waiting_entry_registered() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    candidate bigint;
BEGIN
    IF TG_TABLE_NAME = 'candidate' THEN
        candidate := NEW.id;
    ELSE
        candidate := NEW.candidate_id;
    END IF;
    IF EXISTS (SELECT 1 FROM queue_entry q JOIN candidate c ON c.id = q.candidate_id
                WHERE q.candidate_id = candidate AND q.state = 'waiting'
                  AND (c.cancelled_at IS NOT NULL OR c.erased_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'candidate % is waiting in the queue with an ended registration', candidate
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER candidate_ends_out_of_the_queue
    AFTER UPDATE OF cancelled_at, erased_at ON candidate
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.cancelled_at IS NOT NULL OR NEW.erased_at IS NOT NULL)
    EXECUTE FUNCTION waiting_entry_registered();
CREATE CONSTRAINT TRIGGER queue_entry_waits_registered
    AFTER INSERT OR UPDATE OF state ON queue_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'waiting')
    EXECUTE FUNCTION waiting_entry_registered();
