-- The queue's parts as every change reads them (app/live/event_view.py), each from an index
-- of its own instead of the event's candidates joined to their entries: that join (two
-- scans of the event, a hash join and a sort of the order) cost PostgreSQL about 9 ms at
-- 10,000 waiting, for every change, in every process.
--
-- The tables in the order every transaction of the app takes their rows (a registration,
-- its queue entry, its interviews), before anything else: a cancellation committing while
-- this runs waits for it or goes first, and neither waits for the other halfway.
LOCK TABLE candidate IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE queue_entry, interview IN ACCESS EXCLUSIVE MODE;

-- The order: the waiting entries in the order of this index, which carries what the read
-- needs (an index-only scan, no sort). It replaces queue_entry_waiting_idx, the same keys,
-- which the dispatcher's look-up uses as before. (With disconnected_at in these indexes, a
-- drop and a return within the grace are no longer HOT updates but a write to every index
-- of the table: once per connection, against a read per change.)
CREATE INDEX queue_entry_waiting_order_idx ON queue_entry (event_id, queued_at, id)
    INCLUDE (candidate_id, disconnected_at) WHERE state = 'waiting';
DROP INDEX queue_entry_waiting_idx;

-- The waiting whose connection is gone (a few): those whose grace ran out are out of the
-- order, and the sweeper makes them away (queue.mark_away) from this index too.
CREATE INDEX queue_entry_disconnected_idx ON queue_entry (event_id)
    WHERE state = 'waiting' AND disconnected_at IS NOT NULL;

-- Whether the entry's registration has ended (cancelled, removed or erased), kept on the
-- entry so that the entries past waiting (offered, in a call, away, left, done: thousands
-- late in a long event) are read without looking up each one's registration. A registration
-- never comes back once ended (registering again makes a new one), so the flag only goes on.
ALTER TABLE queue_entry ADD COLUMN registration_ended boolean NOT NULL DEFAULT false;

-- A registration ended by code from before every ending took its candidate out of the queue
-- may have left its entry waiting, away or called in: it leaves the queue now, as an ending
-- does today (app/live/leaving.py), its open offer withdrawn with the ending's reason.
UPDATE interview i
   SET state = 'withdrawn', ended_at = now(),
       end_reason = CASE WHEN c.erased_at IS NOT NULL THEN 'erased'
                         WHEN c.cancelled_by = 'employer' THEN 'removed' ELSE 'cancelled' END
  FROM candidate c
 WHERE c.id = i.candidate_id AND i.state = 'offered'
   AND (c.cancelled_at IS NOT NULL OR c.erased_at IS NOT NULL);
UPDATE queue_entry q
   SET registration_ended = true,
       state = CASE WHEN q.state IN ('waiting', 'away', 'offered') THEN 'left' ELSE q.state END,
       left_reason = CASE WHEN q.state IN ('waiting', 'away', 'offered') THEN 'candidate'
                          ELSE q.left_reason END,
       disconnected_at = CASE WHEN q.state IN ('waiting', 'away', 'offered') THEN NULL
                              ELSE q.disconnected_at END,
       updated_at = CASE WHEN q.state IN ('waiting', 'away', 'offered') THEN now()
                         ELSE q.updated_at END
  FROM candidate c
 WHERE c.id = q.candidate_id AND (c.cancelled_at IS NOT NULL OR c.erased_at IS NOT NULL);

CREATE INDEX queue_entry_passed_idx ON queue_entry (event_id)
    WHERE state <> 'waiting' AND NOT registration_ended;

-- The flag follows the registration: set as an entry is made (a check-in is refused for an
-- ended registration, so this is false but for a bug) and when the registration ends.
CREATE FUNCTION queue_entry_registration_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.registration_ended := EXISTS (
        SELECT 1 FROM candidate c
         WHERE c.id = NEW.candidate_id AND (c.cancelled_at IS NOT NULL OR c.erased_at IS NOT NULL));
    RETURN NEW;
END
$$;

CREATE TRIGGER queue_entry_made BEFORE INSERT ON queue_entry
    FOR EACH ROW EXECUTE FUNCTION queue_entry_registration_ended();

CREATE FUNCTION candidate_registration_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE queue_entry SET registration_ended = true WHERE candidate_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER candidate_registration_ends AFTER UPDATE OF cancelled_at, erased_at ON candidate
    FOR EACH ROW
    WHEN ((NEW.cancelled_at IS NOT NULL OR NEW.erased_at IS NOT NULL)
          AND OLD.cancelled_at IS NULL AND OLD.erased_at IS NULL)
    EXECUTE FUNCTION candidate_registration_ended();

-- The order is read without the registrations, so nobody waits with an ended one: every way
-- a registration ends takes its candidate out of the queue in the same transaction, holding
-- the entry's row (app/live/leaving.py), and every way back into the queue holds it too; at
-- commit (deferred: the registration ends first, then the leave) this refuses a transaction
-- that leaves such an entry waiting. The dispatcher's own test of the registration stays.
CREATE FUNCTION queue_entry_waits_registered() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM queue_entry
                WHERE id = NEW.id AND state = 'waiting' AND registration_ended) THEN
        RAISE EXCEPTION 'candidate % is waiting in the queue with an ended registration',
            NEW.candidate_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER queue_entry_waits_registered AFTER INSERT OR UPDATE ON queue_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'waiting' AND NEW.registration_ended)
    EXECUTE FUNCTION queue_entry_waits_registered();
